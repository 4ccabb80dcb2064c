/** The request and answer shapes of the bulk actions (`/api/v1/bulk-actions`). */
import { z } from 'zod';
import { multiLine } from '../machines/fields.js';
import { BULK_ACTION_ID_PATTERN } from '../workflows/protocol.js';
import { eventBody, listQuery } from './schemas.js';

/** Processes one bulk action may select at most; a wider filter is refused (422). */
export const MAX_BULK_PROCESSES = 10_000;

const bulkFilter = listQuery.omit({ limit: true, cursor: true }).meta({
  id: 'BulkFilter',
  description:
    'Which processes: the same filters as `GET /api/v1/processes` (the dashboard passes its ' +
    'list filter as it is), limited to what the API key may see.',
  examples: [{ type: 'invitation', state: 'invited', overdue: 'true' }],
});

const reason = (what: string) =>
  multiLine(500).meta({ description: `Why the operator ${what}; in each process’s audit trail.` });

const bulkActionSpec = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('event'),
      event: eventBody.meta({
        description:
          'The event each process gets, as `POST /processes/{id}/events` takes it. Events with ' +
          'secret fields (codes, PINs, passwords) are one person’s and cannot go in bulk.',
      }),
    }),
    z.strictObject({ kind: z.literal('cancel'), reason: reason('cancels') }),
    z.strictObject({ kind: z.literal('retry') }),
    z.strictObject({
      kind: z.literal('fireTimer'),
      timer: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/)
        .meta({ description: 'The timer’s name, as the view lists it.' }),
      reason: reason('fires the timer now'),
    }),
    z.strictObject({
      kind: z.literal('migrate'),
      toVersion: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .meta({ description: 'The machine version each process moves to (later than its own).' }),
      reason: reason('moves the process to another version'),
    }),
  ])
  .meta({
    id: 'BulkActionSpec',
    description:
      '`event`: send one event; `cancel`: cancel with a reason; `retry`: retry the failed ' +
      'action of an incident; `fireTimer`: fire a running timer now, with a reason; `migrate`: ' +
      'move each process to a later version of its machine, with a reason (as ' +
      '`POST /processes/{id}/migrations` does; the filter names the type and usually `version`).',
  });

export const bulkActionBody = z
  .strictObject({
    filter: bulkFilter,
    action: bulkActionSpec,
    ratePerSecond: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(20)
      .meta({ description: 'Processes acted on per second at most (default 20).' }),
  })
  .meta({
    id: 'BulkActionRequest',
    description: 'A bulk action: which processes, and what to do to each.',
    examples: [
      {
        filter: { type: 'invitation', state: 'invited' },
        action: { kind: 'event', event: { type: 'INVITATION_RESENT' } },
      },
    ],
  });

export type BulkActionBody = z.output<typeof bulkActionBody>;

const refusalGroup = z.object({
  code: z
    .enum(['ended', 'notAllowed', 'invalidEvent', 'noIncident', 'noTimer', 'notMigratable'])
    .meta({ description: 'Why, as a code a client can tell apart.' }),
  reason: z.string().meta({ description: 'Why, for a person.' }),
  count: z.number().int(),
  sample: z.array(z.string()).meta({ description: 'Up to five of their process ids.' }),
});

export const bulkPreview = z
  .object({
    matched: z.number().int().meta({ description: 'Processes the filter selects.' }),
    willAct: z.number().int().meta({ description: 'Of them, those the action fits now.' }),
    willRefuse: z.number().int(),
    refusals: z.array(refusalGroup).meta({ description: 'Those that would refuse, by why.' }),
    sample: z.array(z.string()).meta({ description: 'Up to five processes it would act on.' }),
    notes: z
      .array(z.object({ text: z.string(), count: z.number().int() }))
      .optional()
      .meta({
        description:
          'A migration only: what the operator must know about the processes it would move ' +
          '(German, as the dry run of one process shows them), and for how many.',
      }),
  })
  .meta({
    id: 'BulkActionPreview',
    description:
      'What a bulk action would do, from the read model: nothing is written, nothing is sent.',
  });

const bulkCounts = z.object({
  pending: z.number().int(),
  done: z.number().int(),
  refused: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
});

export const bulkActionResource = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'done', 'cancelled']),
    action: bulkActionSpec,
    filter: z.record(z.string(), z.string()),
    actor: z.string(),
    ratePerSecond: z.number().int(),
    total: z.number().int(),
    counts: bulkCounts,
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({
    id: 'BulkAction',
    description:
      'A bulk action and its progress: how many processes are pending, done, refused, failed, ' +
      'skipped (after a cancel).',
  });

export const bulkItem = z
  .object({
    position: z.number().int(),
    processId: z.string(),
    status: z.enum(['pending', 'done', 'refused', 'failed', 'skipped']),
    outcome: z
      .object({
        state: z.string().optional(),
        stateLabel: z.string().optional(),
        effectsPending: z.boolean().optional(),
        reason: z.string().optional(),
        code: z
          .string()
          .optional()
          .meta({ description: 'Refused before the job acted: as the preview groups it.' }),
        httpStatus: z.number().int().optional(),
      })
      .nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'BulkActionItem', description: 'One process of a bulk action and its result.' });

export const bulkItemsQuery = z.strictObject({
  status: z
    .enum(['pending', 'done', 'refused', 'failed', 'skipped'])
    .optional()
    .meta({ description: 'Only the processes with this result.' }),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_BULK_PROCESSES)
    .optional()
    .meta({ description: '`nextAfter` of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(500).default(100).meta({ description: 'Page size.' }),
});

export const bulkIdParameter = z
  .string()
  .regex(BULK_ACTION_ID_PATTERN)
  .meta({ description: 'Bulk action id.', examples: ['ba_Xq3v9LmT0aBcDeFg'] });
