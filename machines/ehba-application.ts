import { assign, setup } from 'xstate';
import {
  cardNumberOf,
  drawApplicationNumber,
  ehbaApplicationEventSchemas,
  ehbaApplicationInputSchema,
  type EhbaApplicationContext,
  type EhbaApplicationEvent,
  type EhbaApplicationInput,
  type SendApplicationEmailParams,
} from './ehba-application.schema.js';
import {
  DAY,
  START_PROCESS,
  type ProcessDefinition,
  type StartProcessParams,
} from './process-definition.js';

/** Default durations; a deployment overrides them with `PRAXISFLOW_DELAY_*`. */
export const ehbaApplicationDelays = {
  draftExpiry: 90 * DAY,
  documentsReminder: 21 * DAY,
  documentsDeadline: 90 * DAY,
  resubmissionReminder: 21 * DAY,
  resubmissionDeadline: 90 * DAY,
} as const;

type Template = SendApplicationEmailParams['template'];
/** What a template needs besides the applicant and the application. */
type Extra<T extends Template, P = SendApplicationEmailParams> = P extends {
  template: infer U;
}
  ? T extends U
    ? Omit<P, 'template' | 'applicationNumber' | 'cardType' | 'applicant'>
    : never
  : never;

/** An email to the applicant: who, which application, which template, and what it adds. */
function applicantEmail<T extends Template>(
  template: T,
  extra: (context: EhbaApplicationContext) => Extra<T> = () => ({}) as Extra<T>,
) {
  return {
    type: 'sendApplicationEmail' as const,
    params: ({ context }: { context: EhbaApplicationContext }) =>
      ({
        template,
        applicationNumber: context.applicationNumber,
        cardType: context.cardType,
        applicant: context.applicant,
        ...extra(context),
      }) as SendApplicationEmailParams,
  };
}

const applicationSetup = setup({
  types: {
    context: {} as EhbaApplicationContext,
    events: {} as EhbaApplicationEvent,
    input: {} as EhbaApplicationInput,
    meta: {} as { label: string; refusals?: Readonly<Record<string, string>> },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    sendApplicationEmail: (_, _params: SendApplicationEmailParams) => {},
    [START_PROCESS]: (_, _params: StartProcessParams) => {},
  },
  guards: {
    hasActivationPassword: ({ context }) => context.activationPasswordHash !== null,
  },
  delays: ehbaApplicationDelays,
});

/** Refused submit of a version-2 application without its Kennwort. */
const KENNWORT_MISSING =
  'Der Antrag ist noch nicht vollständig: Bitte legen Sie zuerst das Kennwort für die ' +
  'Freischaltung fest (activationPassword), dann „Jetzt verbindlich beantragen“.';

const documentsReminder = (reminder: number) => ({
  entry: [
    applicationSetup.assign({ documentRemindersSent: reminder }),
    applicantEmail('documentsReminder', (context) => ({
      reminder,
      submittedAt: context.submittedAt ?? '',
    })),
  ],
});

/**
 * Version 1 submits without a Kennwort für die Freischaltung (it had none); version 2 takes one
 * in the input or with APPLICATION_UPDATED and submits only once it is set. Everything else is
 * the same machine: running version-1 applications keep doing exactly what they did.
 */
const ehbaApplicationMachine = (version: 1 | 2) =>
  applicationSetup.createMachine({
    id: 'ehbaApplication',
    description:
      'Antrag auf eHBA / SMC-B: the applicant fills in and submits; the signed papers and the ' +
      'identification arrive by post; the issuer checks (queries until complete), the chamber ' +
      'approves; approval starts the card. Choices where PROCESSES.md is silent: the applicant ' +
      'may withdraw until the chamber has decided; the draft expires 90 days after it was ' +
      'started, whatever was edited; in "Bearbeitung beendet" the reminders go on days 21 and ' +
      '42 and the deadline is day 90 from submission; a query gets one reminder after 21 days ' +
      'and ends the application 90 days after it was raised; each query restarts those clocks. ' +
      'The Kennwort für die Freischaltung reaches the process only as an argon2 hash (the API ' +
      'hashes it); from version 2 the application is submitted only once it is set, and the ' +
      'card gets it for production. The 21-day reminder sends the application PDF again.',
    initial: 'inProgress',
    context: ({ input }) => ({
      applicationNumber: input.applicationNumber ?? '',
      cardType: input.cardType,
      applicant: {
        salutation: input.salutation ?? null,
        title: input.title ?? null,
        firstName: input.firstName,
        lastName: input.lastName,
        birthDate: input.birthDate,
        email: input.email,
        chamber: input.chamber,
        address: input.address,
      },
      practiceId: input.practiceId ?? null,
      followUpOf: input.followUpOf ?? null,
      activationPasswordHash: input.activationPasswordHash ?? null,
      submittedAt: null,
      documentRemindersSent: 0,
      query: null,
      queries: 0,
      rejection: null,
      withdrawalReason: null,
      cardNumber: null,
    }),
    on: {
      APPLICATION_WITHDRAWN: {
        target: '.withdrawn',
        actions: assign({ withdrawalReason: ({ event }) => event.reason ?? null }),
      },
    },
    states: {
      inProgress: {
        meta: {
          label: 'Antrag in Bearbeitung',
          ...(version === 2 ? { refusals: { APPLICATION_SUBMITTED: KENNWORT_MISSING } } : {}),
        },
        description: 'The applicant edits the application online.',
        after: { draftExpiry: { target: 'abandoned' } },
        on: {
          APPLICATION_UPDATED: {
            actions: assign(({ context, event }) => {
              const {
                type: _type,
                receivedAt: _at,
                actor: _actor,
                activationPassword: _clear,
                activationPasswordHash,
                ...changes
              } = event;
              const defined = Object.entries(changes).filter(([, value]) => value !== undefined);
              return {
                applicant: { ...context.applicant, ...Object.fromEntries(defined) },
                activationPasswordHash: activationPasswordHash ?? context.activationPasswordHash,
              };
            }),
          },
          APPLICATION_SUBMITTED: {
            ...(version === 2 ? { guard: 'hasActivationPassword' as const } : {}),
            target: 'submitted',
            actions: assign({ submittedAt: ({ event }) => event.receivedAt ?? null }),
          },
        },
      },
      submitted: {
        meta: { label: 'Bearbeitung beendet' },
        description:
          'Waiting for the signed application and the identification (POSTIDENT, coupon valid ' +
          '14 days): reminders after 21 and 42 days, expiry after 90.',
        entry: applicantEmail('applicationSubmitted'),
        after: { documentsDeadline: { target: 'expired' } },
        initial: 'awaitingDocuments',
        states: {
          // Descriptions, not labels: the applicant sees "Bearbeitung beendet" throughout; the
          // back office's list tells the three apart by these.
          awaitingDocuments: {
            description: 'noch nicht erinnert',
            after: { documentsReminder: { target: 'remindedOnce' } },
          },
          remindedOnce: {
            ...documentsReminder(1),
            description: 'erinnert nach 21 Tagen',
            after: { documentsReminder: { target: 'remindedTwice' } },
          },
          remindedTwice: { ...documentsReminder(2), description: 'erinnert nach 42 Tagen' },
        },
        on: { DOCUMENTS_RECEIVED: { target: 'documentsReceived' } },
      },
      documentsReceived: {
        meta: { label: 'Eingang Antragsunterlagen' },
        description: 'The issuer checks the papers.',
        on: {
          QUERY_RAISED: {
            target: 'awaitingResubmission',
            actions: assign({
              query: ({ event }) => ({ missing: event.missing, note: event.note ?? null }),
              queries: ({ context }) => context.queries + 1,
            }),
          },
          CHECK_PASSED: { target: 'awaitingApproval' },
          APPLICATION_REJECTED: {
            target: 'rejected',
            actions: assign({
              rejection: ({ event }) => ({
                by: 'issuer' as const,
                reason: event.reason,
                note: event.note ?? null,
              }),
            }),
          },
        },
      },
      awaitingResubmission: {
        meta: { label: 'Nachreichung angefordert' },
        description: 'The applicant sends what is missing; one reminder after 21 days.',
        entry: applicantEmail('resubmissionRequested', (context) => ({
          missing: context.query?.missing ?? [],
          note: context.query?.note ?? null,
        })),
        after: {
          resubmissionReminder: {
            actions: applicantEmail('resubmissionReminder', (context) => ({
              missing: context.query?.missing ?? [],
              note: context.query?.note ?? null,
            })),
          },
          resubmissionDeadline: { target: 'expired' },
        },
        on: {
          DOCUMENTS_RESUBMITTED: { target: 'documentsReceived', actions: assign({ query: null }) },
        },
      },
      awaitingApproval: {
        meta: { label: 'Zur Freigabe' },
        description: 'The chamber decides.',
        on: {
          CHAMBER_APPROVED: {
            target: 'approved',
            actions: assign({
              cardNumber: ({ context }) => cardNumberOf(context.applicationNumber, 1),
            }),
          },
          CHAMBER_REJECTED: {
            target: 'rejected',
            actions: assign({
              rejection: ({ event }) => ({
                by: 'chamber' as const,
                reason: 'chamber' as const,
                note: event.reason,
              }),
            }),
          },
        },
      },
      approved: {
        type: 'final',
        meta: { label: 'Freigegeben' },
        description: 'The card is produced: its own process, business key = card number.',
        entry: [
          applicantEmail('applicationApproved', (context) => ({
            cardNumber: context.cardNumber ?? '',
          })),
          {
            type: START_PROCESS,
            params: ({ context }) => ({
              type: 'card',
              input: {
                cardNumber: context.cardNumber,
                cardType: context.cardType,
                applicationNumber: context.applicationNumber,
                holder: context.applicant,
                ...(context.practiceId ? { practiceId: context.practiceId } : {}),
                activationPasswordHash: context.activationPasswordHash,
              },
            }),
          },
        ],
      },
      rejected: {
        type: 'final',
        meta: { label: 'Abgelehnt' },
        entry: applicantEmail('applicationRejected', (context) => ({
          rejection: context.rejection ?? { by: 'issuer', reason: 'other', note: null },
        })),
      },
      withdrawn: {
        type: 'final',
        meta: { label: 'Zurückgezogen' },
        entry: applicantEmail('applicationWithdrawn'),
      },
      abandoned: {
        type: 'final',
        meta: { label: 'Verworfen' },
        entry: applicantEmail('applicationAbandoned'),
      },
      expired: {
        type: 'final',
        meta: { label: 'Abgelaufen' },
        entry: applicantEmail('applicationExpired'),
      },
    },
  });

const applicationDefinition = (version: 1 | 2): ProcessDefinition => ({
  type: 'ehbaApplication',
  version,
  title: 'Antrag auf eHBA / SMC-B',
  machine: ehbaApplicationMachine(version),
  input: ehbaApplicationInputSchema,
  events: ehbaApplicationEventSchemas,
  // The issuer's back office checks and records the chamber's decision; the applicant (the
  // practice's key, through the portal) edits, submits, resubmits and withdraws.
  eventSenders: {
    DOCUMENTS_RECEIVED: 'operator',
    QUERY_RAISED: 'operator',
    CHECK_PASSED: 'operator',
    APPLICATION_REJECTED: 'operator',
    CHAMBER_APPROVED: 'operator',
    CHAMBER_REJECTED: 'operator',
    APPLICATION_UPDATED: 'both',
    APPLICATION_SUBMITTED: 'both',
    APPLICATION_WITHDRAWN: 'both',
    DOCUMENTS_RESUBMITTED: 'both',
  },
  businessKeyField: 'applicationNumber',
  issueBusinessKey: drawApplicationNumber,
  practiceId: (input: EhbaApplicationInput) => input.practiceId,
  redact: ['activationPasswordHash'],
});

export const ehbaApplicationProcess = applicationDefinition(1);
/** Takes the Kennwort für die Freischaltung and submits only with it. */
export const ehbaApplicationProcessV2 = applicationDefinition(2);
