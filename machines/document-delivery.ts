import { assign, emit, setup } from 'xstate';
import { addMonths, msUntil } from './calendar.js';
import {
  documentDeliveryEventSchemas,
  documentDeliveryInputSchema,
  drawDocumentId,
  type AnnounceDocumentParams,
  type DocumentDeliveryContext,
  type DocumentDeliveryEvent,
  type DocumentDeliveryInput,
  type PurgeDocumentParams,
  type SendDownloadTanParams,
  type VerifyDownloadTanParams,
} from './document-delivery.schema.js';
import type { ProcessDefinition, RejectionEmit } from './process-definition.js';

const MAX_TAN_ATTEMPTS = 3;
/** The content is kept this long from the upload, then deleted; metadata and audit stay. */
const RETENTION_MONTHS = 24;
const MINUTE = 60_000;

/** Default durations; a deployment overrides them with `PRAXISFLOW_DELAY_*`. */
export const documentDeliveryDelays = {
  tanExpiry: 5 * MINUTE,
  downloadTokenExpiry: 10 * MINUTE,
} as const;

const deliverySetup = setup({
  types: {
    context: {} as DocumentDeliveryContext,
    events: {} as DocumentDeliveryEvent,
    input: {} as DocumentDeliveryInput,
    emitted: {} as RejectionEmit,
    meta: {} as { label: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    announceDocument: (_, _params: AnnounceDocumentParams) => {},
    sendDownloadTan: (_, _params: SendDownloadTanParams) => {},
    verifyDownloadTan: (_, _params: VerifyDownloadTanParams) => {},
    purgeDocument: (_, _params: PurgeDocumentParams) => {},
  },
  guards: {
    isLastAttempt: ({ context }) => context.failedAttempts + 1 >= MAX_TAN_ATTEMPTS,
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
    'open sends a new mTAN and voids both; an expired mTAN or token leaves a notice.',
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
          physician: context.physician,
        }),
      },
      after: { retention: { target: 'purged' } },
      initial: 'available',
      states: {
        available: {
          meta: { label: 'Bereitgestellt' },
          on: { DOWNLOAD_REQUESTED: { target: 'awaitingTan' } },
        },
        awaitingTan: {
          meta: { label: 'mTAN gesendet' },
          description: 'An SMS with a 6-digit mTAN, valid 5 minutes, 3 tries.',
          entry: [
            assign({
              tansSent: ({ context }) => context.tansSent + 1,
              tanHash: null,
              tokenHash: null,
              failedAttempts: 0,
              notice: null,
            }),
            {
              type: 'sendDownloadTan',
              params: ({ context }) => ({
                documentId: context.documentId,
                title: context.title,
                mobile: context.physician.mobile,
                sequence: context.tansSent,
              }),
            },
          ],
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
            DOWNLOAD_TAN_ISSUED: { actions: assign({ tanHash: ({ event }) => event.tanHash }) },
            DOWNLOAD_REQUESTED: {
              description: 'A new mTAN; the old one is dead at once.',
              target: 'awaitingTan',
              reenter: true,
            },
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
                guard: 'isLastAttempt',
                target: 'available',
                actions: [
                  assign({ tanHash: null, failedAttempts: MAX_TAN_ATTEMPTS }),
                  assign({ notice: TOO_MANY_WRONG_TANS }),
                  emit({ type: 'rejected', status: 422, detail: TOO_MANY_WRONG_TANS, path: 'tan' }),
                ],
              },
              {
                actions: [
                  assign({ failedAttempts: ({ context }) => context.failedAttempts + 1 }),
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
            DOWNLOAD_REQUESTED: { target: 'awaitingTan' },
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

export const documentDeliveryProcess: ProcessDefinition = {
  type: 'documentDelivery',
  version: 1,
  title: 'Dokument im Arztportal',
  machine: documentDeliveryMachine,
  input: documentDeliveryInputSchema,
  events: documentDeliveryEventSchemas,
  eventSenders: {
    DOWNLOAD_REQUESTED: 'client',
    TAN_SUBMITTED: 'praxisflow',
    DOCUMENT_DOWNLOADED: 'praxisflow',
  },
  businessKeyField: 'documentId',
  issueBusinessKey: drawDocumentId,
  startRoute: 'POST /api/v1/documents',
  practiceId: (input: DocumentDeliveryInput) => input.practiceId,
  redact: ['tanHash', 'tokenHash'],
};
