import { assign, emit, setup } from 'xstate';
import { z } from 'zod';
import { berlinDay } from './berlin-time.js';
import { addMonths, msUntil } from './calendar.js';
import { documentDeliveryDelays } from './document-delivery.js';
import { MAX_TANS_PER_DAY, MAX_WRONG_TANS } from './document-delivery-v2.js';
import {
  documentDeliveryEventSchemas,
  documentDeliveryV3InputSchema,
  drawDocumentId,
  type AnnounceDocumentParams,
  type DocumentDeliveryContext,
  type DocumentDeliveryEvent as DocumentDeliveryV1Event,
  type DocumentDeliveryV3Input,
  type MtanNotRegistered,
  type PhysicianV3,
  type PurgeDocumentParams,
  type SendRegisteredDownloadTanParams,
  type VerifyDownloadTanParams,
} from './document-delivery.schema.js';
import type { EventMeta, ProcessDefinition, RejectionEmit } from './process-definition.js';

/**
 * Version 3 of the document delivery: the mTAN goes only to the mobile number the physician
 * (HÄVG-ID and LANR) confirmed in their Registrierung zum mTAN-Verfahren. A download request
 * first looks the number up (`sendRegisteredDownloadTan`); without one nothing is sent and the
 * request is refused with 409, „Bitte registrieren Sie sich zuerst zum mTAN-Verfahren.“ The
 * upload names no number any more. The limits of version 2 stay as they are. Versions 1 and 2
 * stay for the processes that started with them.
 */

const MAX_TAN_ATTEMPTS = 3;
/** The content is kept this long from the upload, then deleted; metadata and audit stay. */
const RETENTION_MONTHS = 24;

export const NOT_REGISTERED = 'Bitte registrieren Sie sich zuerst zum mTAN-Verfahren.';

const eventSchemas = {
  ...documentDeliveryEventSchemas,
  /** The back office lifts the lock after the wrong-mTAN budget was spent. */
  DOWNLOAD_UNLOCKED: z.object({}),
} as const;

type DocumentDeliveryEvent =
  | Exclude<DocumentDeliveryV1Event, { type: 'MTAN_NOT_REGISTERED' }>
  | ({ type: 'DOWNLOAD_UNLOCKED' } & EventMeta)
  | (MtanNotRegistered & EventMeta);

interface DocumentDeliveryV3Context extends Omit<DocumentDeliveryContext, 'physician'> {
  readonly physician: PhysicianV3;
  /** Wrong mTANs since the upload or the last unlock, over every mTAN sent. */
  readonly wrongTans: number;
  /** German day of the last mTAN sent, and how many went out that day. */
  readonly tanDay: string | null;
  readonly tansToday: number;
}

/** The German day an event arrived; without a time (a bare test event), the last mTAN's day. */
const dayOf = (event: { receivedAt?: string }, context: DocumentDeliveryV3Context) =>
  event.receivedAt ? berlinDay(event.receivedAt) : context.tanDay;

const tansOn = (context: DocumentDeliveryV3Context, day: string | null) =>
  day !== null && day === context.tanDay ? context.tansToday : 0;

const deliverySetup = setup({
  types: {
    context: {} as DocumentDeliveryV3Context,
    events: {} as DocumentDeliveryEvent,
    input: {} as DocumentDeliveryV3Input,
    emitted: {} as RejectionEmit,
    meta: {} as { label: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    announceDocument: (_, _params: AnnounceDocumentParams) => {},
    sendRegisteredDownloadTan: (_, _params: SendRegisteredDownloadTanParams) => {},
    verifyDownloadTan: (_, _params: VerifyDownloadTanParams) => {},
    purgeDocument: (_, _params: PurgeDocumentParams) => {},
  },
  guards: {
    isLastAttempt: ({ context }) => context.failedAttempts + 1 >= MAX_TAN_ATTEMPTS,
    isBudgetSpent: ({ context }) => context.wrongTans + 1 >= MAX_WRONG_TANS,
    mayIssueTan: ({ context, event }) => tansOn(context, dayOf(event, context)) < MAX_TANS_PER_DAY,
    tokenMatches: ({ context, event }) =>
      event.type === 'DOCUMENT_DOWNLOADED' &&
      context.tokenHash !== null &&
      event.tokenHash === context.tokenHash,
  },
  delays: {
    ...documentDeliveryDelays,
    // Counts to a date fixed by the upload, not a configurable duration: no override applies.
    retention: ({ context, event }) =>
      msUntil(
        addMonths(context.uploadedAt, RETENTION_MONTHS),
        event.receivedAt ?? context.uploadedAt,
      ),
  },
});

const rejectWrongTan = deliverySetup.emit(({ context }) => {
  const left = MAX_TAN_ATTEMPTS - context.failedAttempts;
  return {
    type: 'rejected',
    status: 422,
    detail: `Die mTAN ist falsch. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`,
    path: 'tan',
  } as const;
});

const rejectTanRequest = deliverySetup.emit(
  () =>
    ({
      type: 'rejected',
      status: 409,
      detail:
        `Für dieses Dokument wurden heute bereits ${MAX_TANS_PER_DAY} mTANs gesendet. ` +
        'Bitte fordern Sie morgen eine neue an.',
    }) as const,
);

/**
 * DOWNLOAD_REQUESTED within the day's limit looks up the confirmed number and sends an mTAN
 * there; beyond the limit, a 409 and nothing.
 */
const requestTan = [
  { guard: 'mayIssueTan' as const, target: '#documentDelivery.retained.sendingTan' },
  { actions: rejectTanRequest },
];

const DOWNLOAD_LOCKED =
  `Die mTAN wurde ${MAX_WRONG_TANS}-mal falsch eingegeben. Der Download ist gesperrt; ` +
  'bitte wenden Sie sich an Ihre Kassenärztliche Vereinigung.';

const TOO_MANY_WRONG_TANS =
  `Die mTAN wurde ${MAX_TAN_ATTEMPTS}-mal falsch eingegeben und gilt nicht mehr. ` +
  'Bitte fordern Sie eine neue mTAN an.';

const documentDeliveryMachine = deliverySetup.createMachine({
  id: 'documentDelivery',
  description:
    'Dokumente im Arztportal: a new document is announced by email without its content; the ' +
    'download needs an mTAN by SMS (6 digits, 5 minutes, 3 tries) and then a one-time token ' +
    '(10 minutes). 24 months after the upload the content is deleted; metadata and audit ' +
    'stay. Choices where PROCESSES.md is silent: asking again while an mTAN or a token is ' +
    'open sends a new mTAN and voids both; an expired mTAN or token leaves a notice. ' +
    `At most ${MAX_TANS_PER_DAY} mTANs per day, and after ${MAX_WRONG_TANS} wrong mTANs in ` +
    'all the download is locked until the back office unlocks it. Version 3: the mTAN goes ' +
    'only to the number the physician confirmed in their Registrierung zum mTAN-Verfahren; ' +
    'without one the request is refused (409) and nothing is sent.',
  initial: 'retained',
  context: ({ input }) => ({
    documentId: input.documentId,
    practiceId: input.practiceId,
    kind: input.kind,
    title: input.title,
    fileName: input.fileName,
    contentType: input.contentType,
    size: input.size,
    sha256: input.sha256,
    uploadedAt: input.uploadedAt,
    physician: input.physician,
    tansSent: 0,
    tanHash: null,
    failedAttempts: 0,
    tokenHash: null,
    downloads: 0,
    lastDownloadedAt: null,
    notice: null,
    purgedAt: null,
    wrongTans: 0,
    tanDay: null,
    tansToday: 0,
  }),
  states: {
    retained: {
      meta: { label: 'Im Arztportal' },
      description: 'The content is stored, encrypted; it may be downloaded with an mTAN.',
      entry: {
        type: 'announceDocument',
        params: ({ context }) => ({
          documentId: context.documentId,
          kind: context.kind,
          title: context.title,
          physician: { name: context.physician.name, email: context.physician.email },
        }),
      },
      after: { retention: { target: 'purged' } },
      initial: 'available',
      states: {
        available: {
          meta: { label: 'Bereitgestellt' },
          on: { DOWNLOAD_REQUESTED: requestTan },
        },
        sendingTan: {
          meta: { label: 'mTAN wird gesendet' },
          description:
            'The number the physician confirmed is looked up and the mTAN sent there; any ' +
            'earlier mTAN or token is void.',
          entry: [
            assign({
              tansSent: ({ context }) => context.tansSent + 1,
              tanHash: null,
              tokenHash: null,
              failedAttempts: 0,
              notice: null,
            }),
            {
              type: 'sendRegisteredDownloadTan',
              params: ({ context }) => ({
                documentId: context.documentId,
                practiceId: context.practiceId,
                haevgId: context.physician.haevgId,
                lanr: context.physician.lanr,
                sequence: context.tansSent,
              }),
            },
          ],
          on: {
            DOWNLOAD_TAN_ISSUED: {
              target: 'awaitingTan',
              actions: assign({
                tanHash: ({ event }) => event.tanHash,
                tansToday: ({ context, event }) => tansOn(context, dayOf(event, context)) + 1,
                tanDay: ({ context, event }) => dayOf(event, context),
              }),
            },
            MTAN_NOT_REGISTERED: {
              description: 'No confirmed number: nothing was sent, the request is refused.',
              target: 'available',
              actions: [
                assign({ tansSent: ({ context }) => context.tansSent - 1, notice: NOT_REGISTERED }),
                emit({ type: 'rejected', status: 409, detail: NOT_REGISTERED }),
              ],
            },
          },
        },
        awaitingTan: {
          meta: { label: 'mTAN gesendet' },
          description: 'An SMS with a 6-digit mTAN, valid 5 minutes, 3 tries.',
          after: {
            tanExpiry: {
              target: 'available',
              actions: assign({
                tanHash: null,
                notice: 'Die mTAN ist abgelaufen. Bitte fordern Sie eine neue an.',
              }),
            },
          },
          on: {
            DOWNLOAD_REQUESTED: requestTan,
            TAN_SUBMITTED: {
              actions: {
                type: 'verifyDownloadTan',
                params: ({ context, event }) => ({
                  documentId: context.documentId,
                  sequence: context.tansSent,
                  tan: event.tan,
                  tanHash: context.tanHash,
                }),
              },
            },
            DOWNLOAD_TAN_ACCEPTED: {
              target: 'downloadReady',
              actions: assign({
                tanHash: null,
                tokenHash: ({ event }) => event.tokenHash,
              }),
            },
            DOWNLOAD_TAN_REJECTED: [
              {
                guard: 'isBudgetSpent',
                target: 'locked',
                actions: [
                  assign({
                    tanHash: null,
                    wrongTans: MAX_WRONG_TANS,
                    failedAttempts: ({ context }) => context.failedAttempts + 1,
                    notice: DOWNLOAD_LOCKED,
                  }),
                  emit({ type: 'rejected', status: 422, detail: DOWNLOAD_LOCKED, path: 'tan' }),
                ],
              },
              {
                guard: 'isLastAttempt',
                target: 'available',
                actions: [
                  assign({
                    tanHash: null,
                    failedAttempts: MAX_TAN_ATTEMPTS,
                    wrongTans: ({ context }) => context.wrongTans + 1,
                  }),
                  assign({ notice: TOO_MANY_WRONG_TANS }),
                  emit({ type: 'rejected', status: 422, detail: TOO_MANY_WRONG_TANS, path: 'tan' }),
                ],
              },
              {
                actions: [
                  assign({
                    failedAttempts: ({ context }) => context.failedAttempts + 1,
                    wrongTans: ({ context }) => context.wrongTans + 1,
                  }),
                  rejectWrongTan,
                ],
              },
            ],
          },
        },
        downloadReady: {
          meta: { label: 'Download freigegeben' },
          description: 'A one-time download token, valid 10 minutes.',
          after: {
            downloadTokenExpiry: {
              target: 'available',
              actions: assign({
                tokenHash: null,
                notice: 'Der Download-Link ist abgelaufen. Bitte fordern Sie eine neue mTAN an.',
              }),
            },
          },
          on: {
            DOCUMENT_DOWNLOADED: [
              {
                guard: 'tokenMatches',
                description: 'The documents API streams the content; the next one needs an mTAN.',
                target: 'available',
                actions: assign({
                  tokenHash: null,
                  downloads: ({ context }) => context.downloads + 1,
                  lastDownloadedAt: ({ event }) => event.receivedAt ?? null,
                }),
              },
              {
                actions: emit({
                  type: 'rejected',
                  status: 422,
                  detail: 'Der Download-Link ist ungültig.',
                  path: 'token',
                }),
              },
            ],
            DOWNLOAD_REQUESTED: requestTan,
          },
        },
        locked: {
          meta: { label: 'Download gesperrt' },
          description:
            'Too many wrong mTANs over all mTANs sent: no mTAN goes out until the back office ' +
            'unlocks the download.',
          on: {
            DOWNLOAD_UNLOCKED: {
              target: 'available',
              actions: assign({ wrongTans: 0, failedAttempts: 0, notice: null }),
            },
          },
        },
      },
    },
    purged: {
      type: 'final',
      meta: { label: 'Gelöscht' },
      description: 'The content is deleted from storage; metadata and audit stay.',
      entry: [
        assign({
          tanHash: null,
          tokenHash: null,
          purgedAt: ({ event }) => event.receivedAt ?? null,
        }),
        {
          type: 'purgeDocument',
          params: ({ context }) => ({ documentId: context.documentId }),
        },
      ],
    },
  },
});

export const documentDeliveryProcessV3: ProcessDefinition = {
  type: 'documentDelivery',
  version: 3,
  title: 'Dokument im Arztportal',
  machine: documentDeliveryMachine,
  input: documentDeliveryV3InputSchema,
  events: eventSchemas,
  eventSenders: {
    DOWNLOAD_REQUESTED: 'client',
    DOWNLOAD_UNLOCKED: 'operator',
    TAN_SUBMITTED: 'praxisflow',
    DOCUMENT_DOWNLOADED: 'praxisflow',
  },
  businessKeyField: 'documentId',
  issueBusinessKey: drawDocumentId,
  startRoute: 'POST /api/v1/documents',
  practiceId: (input: DocumentDeliveryV3Input) => input.practiceId,
  redact: ['tanHash', 'tokenHash'],
};
