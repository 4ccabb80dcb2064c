import { multiLine, NO_CONTROL_CHARACTERS } from '../machines/fields.js';
import { z } from 'zod';
import { isValidBusinessKey } from './business-key.js';
import {
  EXAMPLE_ID,
  EXAMPLE_PRACTICE,
  historyExamples,
  problemExamples,
  processListExample,
  processViewExample,
} from './openapi/examples.js';

/**
 * The requests and responses of the API contract (v1) for processes, and what every resource
 * shares (problems, times): one schema each. The other resources have theirs beside them
 * (`api/*-schemas.ts`: documents, credentials, practices, public routes, dashboard, platform,
 * bulk actions). The routes parse with them, and the OpenAPI document is generated from them
 * (`api/openapi/`). The `id` of a schema's metadata names its component in the document; its
 * examples must pass the schema (a unit test checks them all).
 */

export const isoTime = (description: string) => z.iso.datetime().meta({ description });

// ---------------------------------------------------------------------------------------------
// Requests

export const startBody = z
  .strictObject({
    businessKey: z
      .string()
      .refine(
        isValidBusinessKey,
        'letters, digits, ".", "_" and "-", at most 100, no personal data',
      )
      .optional()
      .meta({
        description:
          'Identifies the process for the business; the workflow id is `{type}-{businessKey}`. ' +
          'Letters, digits, `.`, `_` and `-`, at most 100, no personal data. Generated when ' +
          'absent; refused for types that derive it from their input.',
        examples: ['4711'],
      }),
    practiceId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({
        description:
          'The practice the process belongs to. A client key must name one of its practices; ' +
          'types that carry the practice in their input take it from there.',
        examples: [EXAMPLE_PRACTICE],
      }),
    input: z.unknown().meta({ description: "The input of the process type's machine." }),
  })
  .meta({
    id: 'StartRequest',
    description: 'Starts a process of one type.',
  });

export const eventBody = z.looseObject({ type: z.string().min(1).max(100) }).meta({
  id: 'EventRequest',
  description: 'An event for a process: its `type` and its payload fields beside it.',
  examples: [{ type: 'INVITATION_REVOKED', reason: 'Die Praxis hat die Einladung zurückgezogen.' }],
});

export const cancelBody = z
  .strictObject({
    reason: multiLine(500).meta({
      description: 'Why the operator cancels; kept in the audit trail.',
    }),
  })
  .meta({
    id: 'CancelRequest',
    description: 'An operator cancels a process.',
    examples: [{ reason: 'Doppelt angelegt, siehe Vorgang invitation-4711.' }],
  });

export const timerFireBody = z
  .strictObject({
    reason: multiLine(500).meta({
      description: 'Why the operator fires the timer now; kept in the audit trail.',
    }),
  })
  .meta({
    id: 'TimerFireRequest',
    description: 'An operator fires a running timer now.',
    examples: [{ reason: 'Die Praxis bittet, die Erinnerung heute zu schicken.' }],
  });

export const timerMoveBody = z
  .strictObject({
    dueAt: z.iso.datetime({ offset: true }).meta({
      description: 'The new due time (ISO 8601); one in the past fires the timer at once.',
    }),
    reason: multiLine(500).meta({
      description: 'Why the operator moves the timer; kept in the audit trail.',
    }),
  })
  .meta({
    id: 'TimerMoveRequest',
    description: 'An operator moves the due time of a running timer.',
    examples: [
      {
        dueAt: '2026-12-24T09:00:00+01:00',
        reason: 'Fristverlängerung nach Rücksprache mit der Praxis.',
      },
    ],
  });

export const processStatus = z.enum(['active', 'done', 'failed', 'cancelled']).meta({
  id: 'ProcessStatus',
  description:
    '`active` while it runs, `done` in a final state, `failed` on an error state, `cancelled` by an operator.',
});

export const dateTimeParameter = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .meta({ description });

/** The query of `GET /api/v1/processes`; unknown parameters are refused (422). */
/** A text parameter of the list: no control characters (Postgres keeps no NUL, either). */
const listText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(NO_CONTROL_CHARACTERS, { error: 'Steuerzeichen sind nicht erlaubt.' });

export const listQuery = z.strictObject({
  type: listText(100).optional().meta({ description: 'Process type.' }),
  state: listText(200)
    .optional()
    .meta({ description: 'State path; a parent state (`registration`) matches its children.' }),
  status: processStatus.optional().meta({ description: 'Process status.' }),
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/)
    .optional()
    .meta({ description: 'Machine version the processes run.' }),
  practiceId: listText(64).optional().meta({ description: 'Practice id.' }),
  businessKey: listText(100).optional().meta({ description: 'Business key.' }),
  q: listText(100)
    .optional()
    .meta({ description: 'Free text, case-insensitive, in the searchable fields of a process.' }),
  dueBefore: dateTimeParameter(
    'Only processes whose next timer is due before this time.',
  ).optional(),
  updatedSince: dateTimeParameter('Only processes changed at or after this time.').optional(),
  incident: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: '`true`: only processes waiting for a retry; `false`: only the others.' }),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .meta({
      description:
        '`true`: only processes past the due time of the state they are in („überfällig“, see ' +
        '`sla`); `false`: only the others (in time, or in a state without a target).',
    }),
  limit: z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'Page size.' }),
  cursor: listText(500)
    .optional()
    .meta({ description: '`nextCursor` of the previous page, unchanged (opaque).' }),
});

/** A process id in a path: anything else cannot exist, and is simply not found (404). */
export const processIdParameter = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/)
  .meta({ description: 'Process id: `{type}-{businessKey}`.', examples: [EXAMPLE_ID] });

export const processTypeParameter = z
  .string()
  .min(1)
  .max(100)
  .meta({ description: 'Process type.', examples: ['invitation'] });

export const timerView = z
  .object({
    name: z.string().meta({ description: 'Name of the delay (`invitationExpiry`).' }),
    dueAt: isoTime('When it fires.'),
  })
  .meta({ id: 'Timer', description: 'A pending durable timer.' });

export const incident = z
  .object({
    label: z.string().meta({ description: 'For operators: `Benachrichtigung fehlgeschlagen`.' }),
    action: z.string().meta({ description: 'The named action that failed (`sendEmail`).' }),
    step: z.int().min(0),
    message: z.string().meta({ description: 'What its last attempt said.' }),
    since: isoTime('When its retries ran out.'),
  })
  .meta({
    id: 'Incident',
    description:
      "An effect that used up its retries (about half an hour): the process waits for an operator's retry.",
    examples: [
      {
        label: 'Benachrichtigung fehlgeschlagen',
        action: 'sendEmail',
        step: 4,
        message: 'connect ECONNREFUSED 10.0.0.25:25',
        since: '2026-11-24T03:12:00.000Z',
      },
    ],
  });

/**
 * An invoked actor that runs now; in `GET /api/v1/processes/{id}` a child machine also shows
 * where it stands and its incident, asked of its own workflow.
 */
const childView = z
  .object({
    id: z.string().meta({ description: "The invocation's id in the machine (`register`)." }),
    src: z.string().meta({
      description: 'The actor it runs: the activity (`lookUpPractice`) or the child machine.',
    }),
    kind: z.enum(['activity', 'machine']).meta({
      description:
        '`activity`: a promise actor, run as an activity; `machine`: a child machine, run as a ' +
        'child workflow of its own.',
    }),
    since: isoTime('When the step that started it was taken.'),
    step: z.int().min(0).meta({ description: 'The step that started it.' }),
    workflowId: z
      .string()
      .optional()
      .meta({ description: "A child machine's workflow id: `{process id}/{id}/{step}`." }),
    state: z.string().optional().meta({
      description:
        "Only in `GET /api/v1/processes/{id}`, for a child machine: its own state's dotted path.",
    }),
    stateLabel: z.string().optional().meta({
      description: 'Only in `GET /api/v1/processes/{id}`, for a child machine: its German label.',
    }),
    status: processStatus.optional().meta({
      description: 'Only in `GET /api/v1/processes/{id}`, for a child machine: its status.',
    }),
    incident: incident
      .nullable()
      .optional()
      .meta({
        description:
          'Only in `GET /api/v1/processes/{id}`, for a child machine: its failed action waiting ' +
          'for a retry (`POST /api/v1/processes/{id}/children/{childId}/retry`), or null.',
      }),
  })
  .meta({
    id: 'ProcessChild',
    description:
      'An invoked actor the process runs now: a promise actor or a child machine. It has no ' +
      'row, history or route of its own; its process lists it while it runs. Where the ' +
      "child machine's own workflow did not answer in time, its state fields are left out.",
    examples: [
      {
        id: 'check',
        src: 'practiceCheck',
        kind: 'machine',
        since: '2026-11-23T10:05:00.000Z',
        step: 3,
        workflowId: 'checker-8d3c1f0a/check/3',
        state: 'asking',
        stateLabel: 'Register wird gefragt',
        status: 'active',
        incident: null,
      },
      {
        id: 'register',
        src: 'lookUpPractice',
        kind: 'activity',
        since: '2026-11-23T10:05:00.000Z',
        step: 3,
      },
    ],
  });

export const slaView = z
  .object({
    dueAt: isoTime(
      "When the process is overdue in its state: the state's target (working days in German " +
        'time without public holidays, or hours) counted from when it entered the state.',
    ),
    overdue: z.boolean().meta({ description: 'The due time has passed and it still waits there.' }),
    overdueSince: isoTime('„Überfällig seit“: the due time, once passed; null before.').nullable(),
  })
  .meta({
    id: 'Sla',
    description:
      'The service level of the state a process is in; null where the state has no target, ' +
      'the process has ended, or its row predates service levels and has not moved since.',
    examples: [
      {
        dueAt: '2026-12-03T10:00:00.000Z',
        overdue: true,
        overdueSince: '2026-12-03T10:00:00.000Z',
      },
      { dueAt: '2026-12-09T08:30:00.000Z', overdue: false, overdueSince: null },
    ],
  });

export const processView = z
  .object({
    id: z.string().meta({ description: 'Process id = workflow id: `{type}-{businessKey}`.' }),
    type: z.string().meta({ description: 'Process type.' }),
    version: z.int().min(1).meta({ description: 'Machine version this instance runs.' }),
    businessKey: z.string(),
    practiceId: z.string().nullable(),
    state: z.string().meta({
      description:
        'Dotted path of the active leaf state (`registration.invited`); parallel leaves joined by `, `.',
    }),
    stateLabel: z.string().meta({ description: 'German label of that state (`Eingeladen`).' }),
    stateHint: z
      .string()
      .optional()
      .meta({
        description:
          'What a portal tells the person at this step, where the state says something, e.g. ' +
          'while a confirmation code is on its way: „Der Versand der Bestätigungsnachricht kann ' +
          'einige Minuten dauern. …“',
      }),
    status: processStatus,
    allowedEvents: z.array(z.string()).meta({ description: 'Events the process takes now.' }),
    timers: z.array(timerView),
    context: z
      .record(z.string(), z.unknown())
      .meta({ description: 'The machine context, without secrets (hashes, tokens, codes).' }),
    incident: incident.nullable(),
    children: z.array(childView).meta({
      description:
        'The invoked actors it runs now (promise actors, child machines), in the order they ' +
        'were started; empty when none.',
    }),
    step: z.int().min(0).meta({ description: 'Number of events the process has taken.' }),
    createdAt: isoTime('When the process started.'),
    updatedAt: isoTime('When it last changed.'),
    sla: slaView
      .nullable()
      .optional()
      .meta({
        description:
          'Only in `GET /api/v1/processes/{id}`: the service level of the state, from the read ' +
          'model (null while the read model has not yet seen the state).',
      }),
    revealed: z
      .record(z.string(), z.string())
      .optional()
      .meta({
        description:
          'Only in the answer to the event that caused it, for this caller alone: what the ' +
          'person must see once, e.g. `{ "activationCode": "2748 0323" }` when a registration ' +
          'enters the Geräteregistrierung (the page shows it beside the user name for the ' +
          'AOK 2-Faktor App). Never in a later view, the context or the history.',
      }),
  })
  .meta({
    id: 'ProcessView',
    description: 'The live view of a process, as its workflow answers it.',
    examples: [processViewExample],
  });

const previewState = z.object({
  state: z.string().meta({ description: 'Dotted path of the active leaf state.' }),
  stateLabel: z.string().meta({ description: 'German label of that state.' }),
});

export const eventPreview = z
  .object({
    dryRun: z.literal(true),
    event: z.string().meta({ description: 'The event type looked at.' }),
    from: previewState.meta({ description: 'Where the process stands now.' }),
    to: previewState
      .extend({
        status: processStatus,
        allowedEvents: z
          .array(z.string())
          .meta({ description: 'Events the process would take after the step.' }),
        timers: z.array(timerView).meta({
          description: 'Its timers after the step, due times counted from the request.',
        }),
      })
      .meta({ description: 'Where the step would take it.' }),
    effects: z
      .array(
        z.object({
          kind: z.enum(['activity', 'startProcess']),
          name: z.string().meta({
            description: 'The action (`sendEmail`) or the type of the process it would start.',
          }),
          template: z.string().optional().meta({ description: 'The message template, if any.' }),
          channel: z.string().optional().meta({ description: 'The channel, where named.' }),
        }),
      )
      .meta({
        description:
          'What the step would set going, in order, by name: no content, nothing run. What ' +
          'these feed back (a code checked, a link issued) is known only once they run.',
      }),
  })
  .meta({
    id: 'EventPreview',
    description: 'What an event would do to the process now: computed, nothing written.',
  });

export const processSummary = z
  .object({
    id: z.string(),
    type: z.string(),
    version: z.int().min(1),
    businessKey: z.string(),
    practiceId: z.string().nullable(),
    state: z.string(),
    stateLabel: z.string(),
    status: processStatus,
    nextDueAt: isoTime('When its next timer fires.').nullable(),
    incident: incident.nullable(),
    children: z.array(childView).meta({
      description:
        'The invoked actors it runs now, as its last step left them (without a child ' +
        "machine's own state: `GET /api/v1/processes/{id}` asks for that).",
    }),
    createdAt: isoTime('When the process started.'),
    updatedAt: isoTime('When it last changed.'),
    about: z
      .string()
      .nullable()
      .meta({
        description:
          'Whom the process is about, as an operator may see it (the business key is a hash): ' +
          '„Erika Mustermann <erika@praxis.example>“, a practice name, or null.',
      }),
    sla: slaView.nullable(),
  })
  .meta({ id: 'ProcessSummary', description: 'A process as the read model lists it.' });

export const processList = z
  .object({
    items: z.array(processSummary),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({
    id: 'ProcessList',
    description: 'One page of processes, newest first (keyset pagination).',
    examples: [processListExample],
  });

export const historyEntry = z
  .object({
    step: z.int().min(0),
    event: z.string().meta({ description: 'The event type, `CANCELLED` for an operator cancel.' }),
    actor: z.string().meta({ description: 'API key id, `timer` or `system`.' }),
    from: z.string().nullable().meta({ description: 'State before; null for the start.' }),
    to: z.string(),
    toLabel: z.string(),
    at: isoTime('When it happened.'),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'HistoryEntry', description: 'One step of the audit trail.' });

export const history = z.object({ processId: z.string(), entries: z.array(historyEntry) }).meta({
  id: 'History',
  description: 'The audit trail of a process, oldest step first.',
  examples: historyExamples,
});

export const fieldError = z
  .object({
    path: z.string().meta({ description: 'Dotted path of the field (`input.email`).' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

/** RFC 9457 problem details; further members may follow (RFC 9457 §3.2). */
export const problem = z
  .looseObject({
    type: z
      .string()
      .meta({ description: 'URI of the problem type: `urn:praxisflow:problem:{code}`.' }),
    title: z.string().meta({ description: 'The status text (`Not Found`).' }),
    status: z.int().min(400).max(599),
    detail: z.string().meta({ description: 'What went wrong, for people.' }),
    instance: z.string().optional().meta({ description: 'The path of the request.' }),
    errors: z
      .array(fieldError)
      .optional()
      .meta({ description: '422: every field that failed validation.' }),
    allowedEvents: z
      .array(z.string())
      .optional()
      .meta({ description: '409 on an event: the events the process takes now.' }),
    processId: z
      .string()
      .optional()
      .meta({ description: '409 on a start: the process that already runs.' }),
  })
  .meta({
    id: 'Problem',
    description: 'An error, as RFC 9457 `application/problem+json`.',
    examples: problemExamples,
  });
