import { USER_NAME_PATTERN } from '../machines/account-credentials.schema.js';
import {
  DOCUMENT_ID_PATTERN,
  DOCUMENT_KINDS,
  physicianV3Schema,
  tanSubmittedSchema,
  type DocumentKind,
} from '../machines/document-delivery.schema.js';
import { APPLICATION_NUMBER_PATTERN } from '../machines/ehba-application.schema.js';
import {
  multiLine,
  NO_CONTROL_CHARACTERS,
  practiceIdField,
  singleLine,
} from '../machines/fields.js';
import { appointmentRecordedSchema } from '../machines/nightly-digest.schema.js';
import { z } from 'zod';
import { isValidBusinessKey } from './business-key.js';
import {
  EXAMPLE_ID,
  EXAMPLE_PRACTICE,
  healthExamples,
  historyExamples,
  machineDescriptionExamples,
  machineListExamples,
  problemExamples,
  processListExample,
  processViewExample,
} from './openapi/examples.js';

/**
 * The requests and responses of the API contract (v1), one schema each: the routes parse with
 * them, and the OpenAPI document is generated from them (`api/openapi/`). The `id` of a schema's
 * metadata names its component in the document; its examples must pass the schema (a unit test
 * checks them all).
 */

const isoTime = (description: string) => z.iso.datetime().meta({ description });

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

/** The applicant's public status lookup: both values or nothing. */
export const applicationStatusBody = z
  .strictObject({
    applicationNumber: z
      .string()
      .trim()
      .toUpperCase()
      .regex(APPLICATION_NUMBER_PATTERN, { error: 'Eine Antragsnummer wie A-2026-7K3M9QXT.' })
      .meta({ description: 'Die Antragsnummer aus der Bestätigung des Antrags.' }),
    birthDate: z.iso
      .date({ error: 'Das Geburtsdatum im Format JJJJ-MM-TT.' })
      .meta({ description: 'Geburtsdatum der antragstellenden Person.' }),
  })
  .meta({
    id: 'ApplicationStatusRequest',
    description: 'Antragsnummer und Geburtsdatum, wie im Antrag angegeben.',
    examples: [{ applicationNumber: 'A-2026-7K3M9QXT', birthDate: '1975-03-14' }],
  });

export const applicationStatus = z
  .strictObject({
    stateLabel: z.string().meta({ description: 'Der Stand des Antrags, z. B. „Zur Freigabe“.' }),
    since: z.iso.datetime().meta({ description: 'Seit wann der Antrag diesen Stand hat.' }),
    explanation: z.array(z.string()).meta({
      description:
        'Was der Stand bedeutet und was zu tun ist, in den Worten der Kartenausgabe (der ' +
        '„blaue Kasten“ des Statusabrufs); leer, wo es dazu nichts zu sagen gibt.',
    }),
  })
  .meta({
    id: 'ApplicationStatus',
    description: 'Nur der Stand, seit wann und was er bedeutet: keine weiteren Daten des Antrags.',
    examples: [
      {
        stateLabel: 'Zur Freigabe',
        since: '2026-11-20T09:14:03.000Z',
        explanation: [
          'Ihr Antrag wurde von uns geprüft und befindet sich nun zur Freigabe bei Ihrer Kammer.',
        ],
      },
    ],
  });

export const processStatus = z.enum(['active', 'done', 'failed', 'cancelled']).meta({
  id: 'ProcessStatus',
  description:
    '`active` while it runs, `done` in a final state, `failed` on an error state, `cancelled` by an operator.',
});

const dateTimeParameter = (description: string) =>
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

export const practiceIdParameter = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  .meta({ description: 'Practice id (e.g. the BSNR).', examples: ['BSNR-123456789'] });

/** A booking or cancellation reported by the appointment service. */
export const appointmentBody = z.strictObject(appointmentRecordedSchema.shape).meta({
  id: 'AppointmentReport',
  description:
    'A booking or cancellation of the appointment service (eTerminservice). The same ' +
    'appointment and kind reported again counts once.',
  examples: [
    {
      kind: 'booked',
      appointmentId: 'TSS-2026-4711',
      at: '2026-12-01T09:30:00+01:00',
      patientInitials: 'E. M.',
      specialty: 'Hals-Nasen-Ohrenheilkunde',
      urgencyCode: 'HNO-4711-AB',
    },
  ],
});

const digestItem = z.object({
  key: z.string(),
  kind: z.enum(['booked', 'cancelled']),
  appointmentId: z.string(),
  at: z.string(),
  patientInitials: z.string().optional(),
  specialty: z.string().optional(),
  urgencyCode: z.string().optional(),
  receivedAt: z.string(),
});

export const digestOverview = z
  .strictObject({
    practiceId: z.string(),
    stateLabel: z.string().meta({ description: 'German label: „Sammelt für die Nacht“ …' }),
    items: z.array(digestItem).meta({ description: 'Collected and not yet sent, in order.' }),
    nextDigestAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'When the overview goes (01:30 German time plus jitter).' }),
    channel: z
      .object({ channel: z.enum(['email', 'fax']), address: z.string() })
      .nullable()
      .meta({ description: 'The confirmed channel; a fax number masked.' }),
    warning: z
      .string()
      .nullable()
      .meta({ description: 'Set when the overview cannot go: no confirmed channel.' }),
    lastSent: z
      .object({ at: z.string().nullable(), channel: z.string(), count: z.number().int() })
      .nullable(),
  })
  .meta({
    id: 'DigestOverview',
    description: 'What the nightly overview of a practice holds, when it goes and where.',
    examples: [
      {
        practiceId: 'BSNR-123456789',
        stateLabel: 'Sammelt für die Nacht',
        items: [
          {
            key: 'TSS-2026-4711:booked',
            kind: 'booked',
            appointmentId: 'TSS-2026-4711',
            at: '2026-12-01T09:30:00+01:00',
            patientInitials: 'E. M.',
            receivedAt: '2026-11-24T14:02:11.000Z',
          },
        ],
        nextDigestAt: '2026-11-25T00:41:00.000Z',
        channel: { channel: 'email', address: 'praxis@praxis.example' },
        warning: null,
        lastSent: null,
      },
    ],
  });

/** The query of the registration link in invitation emails (`GET /registrierung`). */
export const registrationLinkQuery = z.object({
  prozess: z
    .string()
    .optional()
    .meta({ description: 'The process id.', examples: [EXAMPLE_ID] }),
  token: z
    .string()
    .optional()
    .meta({
      description: 'The one-time registration token.',
      examples: ['q8Vd0S3x1n5f2kLw7Rj9bYc4TzPmA6eHuG0iNoXs-_Q'],
    }),
});

/** The query of the follow-up link in a card's renewal reminder (`GET /folgeantrag`). */
export const followUpLinkQuery = z.object({
  prozess: z
    .string()
    .optional()
    .meta({ description: 'The card process id.', examples: ['card-K-2026-7K3M9QXT-1'] }),
});

// ---------------------------------------------------------------------------------------------
// Responses

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

export const machineList = z
  .object({
    items: z.array(
      z.object({
        type: z.string(),
        version: z.int().min(1),
        title: z.string().meta({ description: 'German title.' }),
      }),
    ),
  })
  .meta({
    id: 'MachineList',
    description: 'Process types with the version new instances start with.',
    examples: machineListExamples,
  });

export const machineDescription = z
  .object({
    type: z.string(),
    version: z.int().min(1),
    title: z.string(),
    initial: z.string().meta({ description: 'Id of the initial state.' }),
    states: z.array(
      z.object({
        id: z.string().meta({ description: 'Dotted state path.' }),
        label: z.string().nullable().meta({ description: 'German label.' }),
        description: z.string().nullable(),
        final: z.boolean(),
        events: z.array(z.string()).meta({ description: 'Outside events this state takes.' }),
        timers: z.array(z.string()).meta({ description: 'Timers started in this state.' }),
      }),
    ),
    events: z.array(z.string()).meta({ description: 'Every outside event of the type.' }),
    timers: z.array(
      z.object({
        name: z.string(),
        defaultMs: z.number().nullable().meta({ description: 'Default delay in milliseconds.' }),
        states: z.array(z.string()),
      }),
    ),
    transitions: z
      .array(
        z.object({
          from: z.string(),
          to: z.string(),
          event: z.string().meta({ description: 'Event type, or the timer name.' }),
          timer: z.boolean().meta({ description: 'Taken when the timer fires.' }),
          guarded: z.boolean().meta({ description: 'Taken only when its condition holds.' }),
        }),
      )
      .meta({ description: 'Every transition that changes state (for drawing the diagram).' }),
    mermaid: z.string().meta({ description: 'A Mermaid `stateDiagram-v2` of the machine.' }),
  })
  .meta({
    id: 'MachineDescription',
    description: 'States, labels, events, timers and a diagram of one machine version.',
    examples: machineDescriptionExamples,
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

const partStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('up') }),
  z.object({ status: z.literal('down'), detail: z.string() }),
]);

export const health = z
  .object({
    status: z.enum(['up', 'down']).meta({ description: '`up` only when every part is up.' }),
    parts: z
      .record(z.string(), partStatus)
      .meta({ description: 'Per dependency: `temporal`, `postgres` and, if configured, `smtp`.' }),
  })
  .meta({
    id: 'Health',
    description: 'Reachability of Temporal, Postgres and the SMTP relay.',
    examples: healthExamples,
  });

// ---------------------------------------------------------------------------------------------
// Documents of the physicians' portal

const documentExample = {
  id: 'D-2026-K7PM3QXA',
  practiceId: EXAMPLE_PRACTICE,
  kind: 'abrechnungsnachweis',
  title: 'Abrechnungsnachweis Quartal 4/2025',
  fileName: 'abrechnung-q4-2025.pdf',
  contentType: 'application/pdf',
  size: 48213,
  sha256: '9f2c6a1e0b7d4c3a8e5f6b2d1c0a9e8f7d6c5b4a3e2f1d0c9b8a7e6f5d4c3b2a',
  processId: 'documentDelivery-D-2026-K7PM3QXA',
  uploadedBy: 'key_7Hq2',
  uploadedAt: '2026-01-15T09:00:00.000Z',
  purgedAt: null,
  purgedBy: null,
};

/** The `metadata` part of an upload (JSON); the `file` part is the content. */
export const documentUploadMetadata = z
  .strictObject({
    practiceId: practiceIdField,
    kind: z
      .enum(Object.keys(DOCUMENT_KINDS) as [DocumentKind, ...DocumentKind[]])
      .meta({ description: 'Abrechnungsnachweis, Informationsbrief Patiententeilnahmestatus, …' }),
    title: singleLine(200),
    physician: physicianV3Schema.meta({
      description:
        'Who gets the announcement (email), identified by HÄVG-ID and LANR: the mTAN goes by ' +
        'SMS only to the mobile number they confirmed in their Registrierung zum ' +
        'mTAN-Verfahren (`POST /api/v1/processes/mtanRegistration`). A `mobile` given here is ' +
        'not used.',
    }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: 'SHA-256 as 64 lower-case hex digits.' })
      .optional()
      .meta({ description: 'Checksum of the file as the sender computed it; checked.' }),
  })
  .meta({
    id: 'DocumentUploadMetadata',
    description: 'What the document is and for whom; sent as the `metadata` part (JSON).',
    examples: [
      {
        practiceId: EXAMPLE_PRACTICE,
        kind: 'abrechnungsnachweis',
        title: 'Abrechnungsnachweis Quartal 4/2025',
        physician: {
          name: 'Dr. med. Jonas Berger',
          email: 'j.berger@praxis.example',
          haevgId: 'H-104711',
          lanr: '123456701',
        },
      },
    ],
  });

export const storedDocument = z
  .object({
    id: z.string().meta({ description: 'Dokument-Nr., e.g. `D-2026-K7PM3QXA`.' }),
    practiceId: z.string(),
    kind: z.string(),
    title: z.string(),
    fileName: z.string(),
    contentType: z.string(),
    size: z.int().meta({ description: 'Bytes.' }),
    sha256: z.string().meta({ description: 'SHA-256 of the content, hex.' }),
    processId: z.string().meta({ description: 'The process that delivers it.' }),
    uploadedBy: z.string().meta({ description: 'API key id of the upload.' }),
    uploadedAt: isoTime('When the content was stored; retention counts from here.'),
    purgedAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'When the content was deleted; null while it is kept.' }),
    purgedBy: z.string().nullable().meta({ description: '`retention` for the automatic purge.' }),
  })
  .meta({
    id: 'Document',
    description: 'A document: metadata only, never the content.',
    examples: [documentExample],
  });

export const documentUploaded = z.object({ document: storedDocument, process: processView }).meta({
  id: 'DocumentUploaded',
  description: 'The stored document and the first view of its delivery process.',
});

export const downloadTokenBody = z.strictObject(tanSubmittedSchema.shape).meta({
  id: 'DownloadTokenRequest',
  description: 'The mTAN from the SMS.',
  examples: [{ tan: '274913' }],
});

export const downloadToken = z
  .object({
    token: z.string().meta({ description: 'One-time download token; valid once, 10 minutes.' }),
    expiresAt: isoTime('The token is void after this.'),
    href: z.string().meta({ description: 'The download URL with the token.' }),
  })
  .meta({
    id: 'DownloadToken',
    description: 'A one-time download link.',
    examples: [
      {
        token: 'Wb0mQ2r7xYk4pT9vN1sL8cF3hJ6dA5eG0iU2oZ7qR4w',
        expiresAt: '2026-12-01T09:10:00.000Z',
        href: '/api/v1/documents/D-2026-K7PM3QXA/content?token=Wb0mQ2r7xYk4pT9vN1sL8cF3hJ6dA5eG0iU2oZ7qR4w',
      },
    ],
  });

export const documentIdParameter = z
  .string()
  .regex(DOCUMENT_ID_PATTERN)
  .meta({
    description: 'Dokument-Nr.',
    examples: ['D-2026-K7PM3QXA'],
  });

export const downloadQuery = z.strictObject({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/)
    .meta({ description: 'The one-time token from `download-token`.' }),
});

export const retentionReportQuery = z.strictObject({
  since: dateTimeParameter('Purges from this time on (default: all).').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({
    description: 'At most this many entries (1–1000, default 100).',
  }),
});

export const retentionReport = z
  .object({
    items: z.array(storedDocument),
  })
  .meta({
    id: 'RetentionReport',
    description:
      'Documents whose content was deleted, oldest deletion first: what, for whom, when stored, when deleted.',
    examples: [
      {
        items: [
          { ...documentExample, purgedAt: '2028-01-15T09:00:00.000Z', purgedBy: 'retention' },
        ],
      },
    ],
  });

// ---------------------------------------------------------------------------------------------
// Portal credentials sent by post

export const credentialCheckBody = z
  .strictObject({
    userName: z
      .string()
      .trim()
      .toUpperCase()
      .regex(USER_NAME_PATTERN, { error: 'Ein Benutzername wie AP-K7PM3QXA.' })
      .meta({ description: 'The user name from the credentials letter.' }),
    password: z.string().min(1).max(200).meta({ description: 'The password as typed.' }),
  })
  .meta({
    id: 'CredentialCheckRequest',
    description: 'A sign-in to check: user name and password.',
    examples: [{ userName: 'AP-K7PM3QXA', password: 'k7Pm-3qXa-Hn4T' }],
  });

export const credentialCheck = z
  .object({
    userName: z.string(),
    valid: z.boolean().meta({ description: 'The password is the one of the newest letter.' }),
    locked: z.boolean().meta({
      description:
        'Five wrong passwords in a row: locked until a new letter („Anmeldedaten vergessen“).',
    }),
  })
  .meta({
    id: 'CredentialCheck',
    description: 'Whether a sign-in holds; nothing else about the access.',
    examples: [{ userName: 'AP-K7PM3QXA', valid: true, locked: false }],
  });

// ---------------------------------------------------------------------------------------------
// What the operators' dashboard reads

export const sessionInfo = z
  .object({
    keyId: z.string().meta({ description: 'The id of the key (never the key).' }),
    role: z.enum(['admin', 'operator', 'client']),
    practices: z.array(z.string()).meta({ description: 'For a client key: its practices.' }),
    namespace: z.string().meta({ description: 'The Temporal namespace of the processes.' }),
    links: z
      .object({ temporalUi: z.string().optional(), inbox: z.string().optional() })
      .meta({ description: 'The Temporal Web UI and the development inbox, when configured.' }),
  })
  .meta({
    id: 'Session',
    description: 'Who this key is; the dashboard logs in with it (client keys cannot).',
    examples: [
      {
        keyId: 'key_7Hq2',
        role: 'operator',
        practices: [],
        namespace: 'default',
        links: { temporalUi: 'http://localhost:8233', inbox: 'http://localhost:1080' },
      },
    ],
  });

export const overview = z
  .object({
    counts: z.array(
      z.object({
        type: z.string(),
        state: z.string(),
        stateLabel: z.string(),
        status: processStatus,
        count: z.int(),
        overdue: z.int().meta({ description: 'Of those, overdue in that state.' }),
      }),
    ),
    overdue: z.int().meta({ description: "Active processes past their state's due time." }),
    dueWithin24h: z.int().meta({ description: 'Active processes with a timer due in 24 h.' }),
    dueWithin7d: z.int().meta({ description: 'Active processes with a timer due in 7 days.' }),
    incidents: z.int().meta({ description: 'Processes with a failed notification.' }),
    recent: z.array(
      z.object({
        processId: z.string(),
        step: z.int(),
        event: z.string(),
        actor: z.string(),
        toLabel: z.string(),
        at: z.iso.datetime(),
        about: z
          .string()
          .nullable()
          .meta({ description: 'Whom the process is about (person or practice), if known.' }),
      }),
    ),
  })
  .meta({
    id: 'Overview',
    description: 'Processes by type and state, what is due soon, incidents, the latest steps.',
    examples: [
      {
        counts: [
          {
            type: 'invitation',
            state: 'registration.invited',
            stateLabel: 'Eingeladen',
            status: 'active',
            count: 12,
            overdue: 0,
          },
          {
            type: 'invitation',
            state: 'requested',
            stateLabel: 'Beantragt',
            status: 'active',
            count: 4,
            overdue: 1,
          },
        ],
        overdue: 1,
        dueWithin24h: 2,
        dueWithin7d: 5,
        incidents: 0,
        recent: [
          {
            processId: EXAMPLE_ID,
            step: 3,
            event: 'REGISTRATION_APPROVED',
            actor: 'key_7Hq2',
            toLabel: 'Erfolgreich abgeschlossen',
            at: '2026-12-01T09:14:03.000Z',
            about: 'Frau Erika Mustermann <erika.mustermann@praxis.example>',
          },
        ],
      },
    ],
  });

export const processMessages = z
  .object({
    processId: z.string(),
    messages: z.array(
      z.object({
        step: z.int(),
        channel: z.enum(['email', 'sms', 'fax', 'letter']),
        recipient: z.string().meta({ description: 'As operators may see it (phones masked).' }),
        subject: z.string(),
        status: z.enum(['sending', 'sent', 'failed']),
        attempts: z.int(),
        lastError: z.string().nullable(),
        createdAt: z.iso.datetime(),
        sentAt: z.iso.datetime().nullable(),
      }),
    ),
  })
  .meta({
    id: 'ProcessMessages',
    description: 'The messages a process sent or tried to send (the outbox: no bodies, no codes).',
    examples: [
      {
        processId: EXAMPLE_ID,
        messages: [
          {
            step: 1,
            channel: 'email',
            recipient: 'erika.mustermann@praxis.example',
            subject: 'Einladung zur Registrierung im Gesundheitspartnerservice',
            status: 'sent',
            attempts: 1,
            lastError: null,
            createdAt: '2026-12-01T09:00:01.000Z',
            sentAt: '2026-12-01T09:00:02.000Z',
          },
        ],
      },
    ],
  });
