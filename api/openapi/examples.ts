/**
 * Examples of the API's requests and answers, in the metadata of the schemas of api/schemas.ts
 * and in the operations. A unit test checks each against its schema.
 */

export const EXAMPLE_ID = 'invitation-8d3c1f0a9b7e4c2d8f6a1b3c5d7e9f01';
export const EXAMPLE_PRACTICE = 'BSNR-123456789';
const EXAMPLE_BUSINESS_KEY = '8d3c1f0a9b7e4c2d8f6a1b3c5d7e9f01';

/** A process view as the examples show it. */
export const processViewExample = {
  id: EXAMPLE_ID,
  type: 'invitation',
  version: 1,
  businessKey: EXAMPLE_BUSINESS_KEY,
  practiceId: EXAMPLE_PRACTICE,
  state: 'registration.invited',
  stateLabel: 'Eingeladen',
  status: 'active',
  allowedEvents: ['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED'],
  timers: [
    { name: 'invitationExpiry', dueAt: '2026-12-23T10:00:00.000Z' },
    { name: 'invitationReminder', dueAt: '2026-12-22T10:00:00.000Z' },
  ],
  context: {
    invitee: {
      salutation: 'Frau',
      firstName: 'Erika',
      lastName: 'Mustermann',
      email: 'erika.mustermann@praxis.example',
    },
    practiceId: EXAMPLE_PRACTICE,
    inviter: null,
    personalData: null,
    failedActivationAttempts: 0,
    revocationReason: null,
    rejectionReason: null,
    consents: [],
    postfachAccess: false,
  },
  incident: null,
  children: [],
  step: 1,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
};

const processSummaryExample = {
  id: EXAMPLE_ID,
  type: 'invitation',
  version: 1,
  businessKey: EXAMPLE_BUSINESS_KEY,
  practiceId: EXAMPLE_PRACTICE,
  state: 'registration.invited',
  stateLabel: 'Eingeladen',
  status: 'active',
  nextDueAt: '2026-12-22T10:00:00.000Z',
  incident: null,
  children: [],
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  about: 'Erika Mustermann <erika@praxis.example>',
  sla: null,
};

/** An approval overdue since 03.12.2026, 11:00 German time (2 working days after it was asked). */
const overdueSummaryExample = {
  ...processSummaryExample,
  id: 'invitation-3f9a7c1e5b2d4f6a8c0e2b4d6f8a1c3e',
  businessKey: '3f9a7c1e5b2d4f6a8c0e2b4d6f8a1c3e',
  state: 'requested',
  stateLabel: 'Beantragt',
  nextDueAt: '2026-12-31T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  about: 'Max Muster <max@praxis.example>',
  sla: {
    dueAt: '2026-12-03T10:00:00.000Z',
    overdue: true,
    overdueSince: '2026-12-03T10:00:00.000Z',
  },
};

export const processListExample = {
  items: [overdueSummaryExample, processSummaryExample],
  nextCursor: null,
};

export const historyExamples = [
  {
    processId: EXAMPLE_ID,
    entries: [
      {
        step: 0,
        event: 'STARTED',
        actor: 'key-3f2a1b0c9d8e',
        from: null,
        to: 'registration.invited',
        toLabel: 'Eingeladen',
        at: '2026-11-23T10:00:00.000Z',
      },
      {
        step: 1,
        event: 'CANCELLED',
        actor: 'key-3f2a1b0c9d8e',
        from: 'registration.invited',
        to: 'registration.invited',
        toLabel: 'Eingeladen',
        at: '2026-11-24T09:30:00.000Z',
        detail: { reason: 'Doppelt angelegt' },
      },
    ],
  },
];

export const machineListExamples = [
  { items: [{ type: 'invitation', version: 1, title: 'Einladung eines Benutzers' }] },
];

export const machineDescriptionExamples = [
  {
    type: 'invitation',
    version: 1,
    title: 'Einladung eines Benutzers',
    initial: 'registration',
    states: [
      {
        id: 'registration.invited',
        label: 'Eingeladen',
        description: 'Waiting for the person to open the registration link.',
        final: false,
        events: ['REGISTRATION_STARTED', 'INVITATION_RESENT'],
        timers: ['invitationReminder'],
      },
      {
        id: 'revoked',
        label: 'Widerrufen',
        description: null,
        final: true,
        events: [],
        timers: [],
      },
    ],
    events: ['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED'],
    timers: [
      { name: 'invitationReminder', defaultMs: 2505600000, states: ['registration.invited'] },
    ],
    transitions: [
      {
        from: 'registration.invited',
        to: 'revoked',
        event: 'INVITATION_REVOKED',
        timer: false,
        guarded: false,
      },
    ],
    mermaid:
      'stateDiagram-v2\n  state "Eingeladen" as registration__invited\n  registration__invited --> revoked: INVITATION_REVOKED',
  },
];

export const problemExamples = [
  {
    type: 'urn:praxisflow:problem:not-found',
    title: 'Not Found',
    status: 404,
    detail: `No process ${EXAMPLE_ID}`,
    instance: `/api/v1/processes/${EXAMPLE_ID}`,
  },
];

export const healthExamples = [
  { status: 'up', parts: { temporal: { status: 'up' }, postgres: { status: 'up' } } },
  {
    status: 'down',
    parts: {
      temporal: { status: 'up' },
      postgres: { status: 'down', detail: 'Postgres did not answer within 2000 ms' },
    },
  },
];
