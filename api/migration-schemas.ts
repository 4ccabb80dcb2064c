import { z } from 'zod';
import { multiLine } from '../machines/fields.js';
import { processStatus, timerView } from './schemas.js';

/** `POST /api/v1/processes/{id}/migrations`: where to and why. */
export const migrationBody = z
  .strictObject({
    toVersion: z
      .int()
      .min(1)
      .max(1000)
      .meta({ description: 'The machine version to move to.', examples: [2] }),
    reason: multiLine(500).meta({
      description: 'Why the process moves; kept in the audit trail (`MIGRATED`).',
      examples: ['Neue Regeln der Version 2: Kennwort vor der Freischaltung'],
    }),
  })
  .meta({ id: 'MigrationRequest', description: 'An operator moves a process to another version.' });

export const migrationQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: '`true`: answer the plan, nothing written.', examples: ['true'] }),
});

const state = z.object({
  state: z.string().meta({ description: 'Dotted path of the active leaf state.' }),
  stateLabel: z.string().meta({ description: 'Its German label.' }),
});

export const migrationPlan = z
  .object({
    dryRun: z.literal(true),
    fromVersion: z.int(),
    toVersion: z.int(),
    from: state.meta({ description: 'Where the process stands now, in its current version.' }),
    to: state
      .extend({
        status: processStatus,
        allowedEvents: z
          .array(z.string())
          .meta({ description: 'Events the process takes after the move.' }),
        timers: z
          .array(
            timerView.extend({
              countedFrom: z.iso.datetime().meta({
                description: 'When the process entered the state the timer belongs to.',
              }),
              firesAtOnce: z
                .boolean()
                .meta({ description: 'Already due: it fires as soon as the process has moved.' }),
            }),
          )
          .meta({
            description:
              'The timers of the new state, each counted from when the process entered its ' +
              'state (a deadline keeps its instant). A timer the old state had too and that ' +
              'already fired is not set again.',
          }),
      })
      .meta({ description: 'Where the process lands in the new version.' }),
    contextChanges: z
      .array(
        z.object({
          path: z.string(),
          change: z.enum(['added', 'removed', 'changed']),
          from: z.unknown().optional(),
          to: z.unknown().optional(),
        }),
      )
      .meta({ description: 'Top-level context fields that change (secret ones without values).' }),
    notes: z
      .array(z.string())
      .meta({ description: 'What operators must know about processes moving from this state.' }),
  })
  .meta({
    id: 'MigrationPlan',
    description: 'What moving the process to another version would do: computed, nothing written.',
  });

export const processTypeVersions = z
  .object({
    type: z.string(),
    title: z.string(),
    latestVersion: z.int().meta({ description: 'The version new processes start with.' }),
    versions: z.array(
      z.object({
        version: z.int(),
        running: z.int().meta({ description: 'Active processes on this version (read model).' }),
        ended: z.int().meta({ description: 'Processes on this version that have ended.' }),
        migratesTo: z
          .int()
          .nullable()
          .meta({ description: 'The version a migration leads to from here; null: none.' }),
      }),
    ),
  })
  .meta({
    id: 'ProcessTypeVersions',
    description: 'Which versions of a process type run, and how many processes on each.',
  });
