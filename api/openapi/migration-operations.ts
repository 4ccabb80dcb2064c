import { z } from 'zod';
import {
  migrationBody,
  migrationPlan,
  migrationQuery,
  processTypeVersions,
} from '../migration-schemas.js';
import { processIdParameter, processView } from '../schemas.js';
import { EXAMPLE_ID } from './examples.js';
import {
  forbiddenResponse,
  notFoundResponse,
  problemExample,
  problemResponse,
  securedResponses,
  validationResponse,
  writeResponses,
} from './responses.js';
import type { OperationSpec } from './spec.js';

const MIGRATIONS = `/api/v1/processes/${EXAMPLE_ID}/migrations`;
const VERSIONS = '/api/v1/process-types/invitation/versions';
const operatorsOnly = (instance: string) =>
  forbiddenResponse('This needs an API key of role admin or operator', instance);

const planExample = {
  dryRun: true,
  fromVersion: 1,
  toVersion: 2,
  from: { state: 'registration.invited', stateLabel: 'Eingeladen' },
  to: {
    state: 'registration.invited',
    stateLabel: 'Eingeladen',
    status: 'active',
    allowedEvents: ['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED'],
    timers: [
      {
        name: 'invitationReminder',
        dueAt: '2026-12-22T10:00:00.000Z',
        countedFrom: '2026-11-23T10:00:00.000Z',
        firesAtOnce: false,
      },
      {
        name: 'invitationExpiry',
        dueAt: '2026-12-23T10:00:00.000Z',
        countedFrom: '2026-11-23T10:00:00.000Z',
        firesAtOnce: false,
      },
    ],
  },
  contextChanges: [{ path: 'linkRef', change: 'added' }],
  notes: [],
};

/** The dry run and the migration of one process, and the versions of a process type. */
export const migrationOperations: readonly OperationSpec[] = [
  {
    method: 'post',
    path: '/api/v1/processes/{id}/migrations',
    operationId: 'migrateProcess',
    tag: 'Processes',
    summary: 'Move a process to another machine version',
    description:
      'With `dryRun=true`: what the migration would do, computed from the pure machines, ' +
      'nothing written — the state it lands in with its German label, the events it takes ' +
      'then, its timers (each counted from when the process entered its state, so a deadline ' +
      'keeps its instant; one already due fires at once), the context fields that change and ' +
      'what operators must know. Without: the migration itself, one audited step `MIGRATED` ' +
      '(from → to version, who, why) through the process’s own update, answered with the new ' +
      'view. No entry action of the new state runs (no email goes out for the move). An ' +
      'unknown version (422), no migration leading there, a state the mapping refuses (409) ' +
      'or a context the new version refuses (422) changes nothing.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    pathParameters: z.object({ id: processIdParameter }),
    queryParameters: migrationQuery,
    queryExamples: { dryRun: 'true' },
    requestBody: {
      description: 'The version to move to, and why.',
      schema: migrationBody,
      examples: {
        invitation: {
          summary: 'An invitation to version 2',
          value: { toVersion: 2, reason: 'Version 2: Link führt zum aktuellen Schritt (seed 002)' },
        },
        card: {
          summary: 'A card to version 2',
          value: { toVersion: 2, reason: 'Kennwort vor der Freischaltung, versiegelter Brief' },
        },
      },
    },
    responses: {
      200: {
        description:
          'With `dryRun=true` the plan (`MigrationPlan`); without, the view after the move.',
        schema: z.union([migrationPlan, processView]),
        example: planExample,
      },
      ...writeResponses(MIGRATIONS),
      ...securedResponses(MIGRATIONS),
      403: operatorsOnly(MIGRATIONS),
      404: notFoundResponse('No such process.', `No process ${EXAMPLE_ID}`, MIGRATIONS),
      409: problemResponse(
        'No migration leads to that version, the state has no place in it, the process runs ' +
          'it already, or it has ended (or an event moved it meanwhile).',
        problemExample(
          409,
          'state-not-migratable',
          'State registration.invited (Eingeladen) of version 1 has no place in version 2',
          MIGRATIONS,
        ),
      ),
      422: validationResponse(
        'The body is invalid, the version unknown, or the new version refuses the migrated ' +
          'context; `errors` names each field.',
        'invitation has no version 7; known: 1, 2',
        [{ path: 'toVersion', message: 'invitation has no version 7; known: 1, 2' }],
        MIGRATIONS,
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/process-types/{type}/versions',
    operationId: 'getProcessTypeVersions',
    tag: 'Process types',
    summary: 'Versions of a process type in use',
    description:
      'Every machine version of the type with how many of its processes run on it and have ' +
      'ended (from the read model), and the version a migration leads to from each.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    pathParameters: z.object({
      type: z
        .string()
        .max(100)
        .meta({ description: 'The process type.', examples: ['invitation'] }),
    }),
    responses: {
      200: {
        description: 'The versions and their processes.',
        schema: processTypeVersions,
        example: {
          type: 'invitation',
          title: 'Einladung eines Benutzers',
          latestVersion: 2,
          versions: [
            { version: 1, running: 412, ended: 3051, migratesTo: 2 },
            { version: 2, running: 96, ended: 14, migratesTo: null },
          ],
        },
      },
      ...securedResponses(VERSIONS),
      403: operatorsOnly(VERSIONS),
      404: notFoundResponse('No such process type.', 'No process type parcel', VERSIONS),
    },
  },
];
