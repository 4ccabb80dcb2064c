import { z } from 'zod';
import { credentialCheck, credentialCheckBody } from '../credential-schemas.js';
import {
  documentIdParameter,
  documentUploaded,
  documentUploadMetadata,
  downloadQuery,
  downloadToken,
  downloadTokenBody,
  retentionReport,
  retentionReportQuery,
  storedDocument,
} from '../document-schemas.js';
import {
  forbiddenResponse,
  notFoundResponse,
  problemExample,
  problemResponse,
  retryAfterHeader,
  securedResponses,
  validationResponse,
  writeResponses,
} from './responses.js';
import type { OperationSpec } from './spec.js';

const DOCUMENT = '/api/v1/documents/D-2026-K7PM3QXA';
const byId = z.object({ id: documentIdParameter });
const documentNotFound = (instance: string) =>
  notFoundResponse(
    'No such document, or not one of the practices of this client key.',
    'No document D-2026-K7PM3QXA',
    instance,
  );
const gone = (description: string, detail: string, instance: string) =>
  problemResponse(description, problemExample(410, 'gone', detail, instance));

const ACCEPTED = 'application/pdf, image/png, image/jpeg, text/plain, text/csv';

const uploadBody = z.object({
  metadata: documentUploadMetadata,
  file: z.string().meta({
    description: `The content (${ACCEPTED}); its first bytes must fit its type.`,
    contentMediaType: 'application/octet-stream',
  }),
});

/** The physicians' portal documents: upload, mTAN-protected download, retention. */
export const documentOperations: readonly OperationSpec[] = [
  {
    method: 'post',
    path: '/api/v1/documents',
    operationId: 'uploadDocument',
    tag: 'Arztportal',
    summary: 'Upload a document for a physician',
    description:
      'Stores the file encrypted (a key of its own, wrapped by the master key) and starts its ' +
      'delivery process `documentDelivery-{id}`: the physician gets an email without content, ' +
      'downloads need an mTAN by SMS, and 24 calendar months after the upload the content is ' +
      'deleted. Either both happen or neither: a process that cannot start leaves no document. ' +
      `Accepted types: ${ACCEPTED}; the size limit is the deployment's (default 20 MiB).`,
    security: 'apiKey',
    roles: ['admin', 'operator'],
    requestBody: {
      contentType: 'multipart/form-data',
      encoding: { metadata: { contentType: 'application/json' }, file: { contentType: ACCEPTED } },
      schema: uploadBody,
      example: {
        metadata: {
          practiceId: 'BSNR-123456789',
          kind: 'abrechnungsnachweis',
          title: 'Abrechnungsnachweis Quartal 4/2025',
          physician: {
            name: 'Dr. med. Jonas Berger',
            email: 'j.berger@praxis.example',
            haevgId: 'H-104711',
            lanr: '123456701',
          },
        },
        file: '%PDF-1.7 …',
      },
    },
    responses: {
      201: {
        description: 'Stored and announced; `Location` names the document.',
        schema: documentUploaded,
        headers: {
          Location: { description: 'Path of the document.', schema: { type: 'string' } },
        },
      },
      ...writeResponses('/api/v1/documents'),
      400: problemResponse(
        'The multipart body is broken (no boundary, a malformed part, cut off).',
        problemExample(
          400,
          'malformed-multipart',
          'The multipart body could not be read: Malformed part header',
          '/api/v1/documents',
        ),
      ),
      413: problemResponse(
        'The file is larger than the limit.',
        problemExample(
          413,
          'body-too-large',
          'The file is larger than 20971520 bytes',
          '/api/v1/documents',
        ),
      ),
      415: problemResponse(
        'Not multipart/form-data, or a file type that is not accepted.',
        problemExample(
          415,
          'unsupported-media-type',
          `Documents of type application/zip are not accepted; accepted: ${ACCEPTED}`,
          '/api/v1/documents',
        ),
      ),
      ...securedResponses('/api/v1/documents'),
      403: forbiddenResponse(
        'This needs an API key of role admin or operator',
        '/api/v1/documents',
      ),
      422: validationResponse(
        'Metadata invalid, the content not of its type, or the checksum does not match.',
        'The checksum does not match the file',
        [{ path: 'metadata.sha256', message: 'the file received has SHA-256 9f2c…' }],
        '/api/v1/documents',
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/documents/retention-report',
    operationId: 'retentionReport',
    tag: 'Arztportal',
    summary: 'What was deleted when',
    description:
      'Documents whose content was deleted at the end of their retention, oldest deletion ' +
      'first: metadata, checksum, when stored and when deleted. The content and its key are ' +
      'gone; the delivery process and its audit stay.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    queryParameters: retentionReportQuery,
    responses: {
      200: { description: 'The deletions.', schema: retentionReport },
      ...securedResponses('/api/v1/documents/retention-report'),
      403: forbiddenResponse(
        'This needs an API key of role admin or operator',
        '/api/v1/documents/retention-report',
      ),
      422: validationResponse(
        'A parameter is invalid.',
        'The query is invalid',
        [{ path: 'since', message: 'Invalid ISO datetime' }],
        '/api/v1/documents/retention-report',
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/documents/{id}',
    operationId: 'getDocument',
    tag: 'Arztportal',
    summary: 'A document’s metadata',
    description:
      'What the document is, its checksum and whether its content was deleted; never the ' +
      'content. Where its delivery stands is the process `processId`.',
    security: 'apiKey',
    pathParameters: byId,
    responses: {
      200: { description: 'The document.', schema: storedDocument },
      ...securedResponses(DOCUMENT),
      404: documentNotFound(DOCUMENT),
    },
  },
  {
    method: 'post',
    path: '/api/v1/documents/{id}/download-token',
    operationId: 'createDownloadToken',
    tag: 'Arztportal',
    summary: 'Trade the mTAN for a download link',
    description:
      'The mTAN the physician received by SMS after `DOWNLOAD_REQUESTED` (sent to the process ' +
      'as an event) opens a one-time download link, valid 10 minutes. A wrong mTAN answers 422 ' +
      'with the tries left; after 3 the mTAN is void. Without an open mTAN: 409.',
    security: 'apiKey',
    roles: ['admin', 'client'],
    pathParameters: byId,
    requestBody: { schema: downloadTokenBody, example: { tan: '274913' } },
    responses: {
      201: { description: 'The link; its token works once.', schema: downloadToken },
      ...writeResponses(`${DOCUMENT}/download-token`),
      ...securedResponses(`${DOCUMENT}/download-token`),
      403: forbiddenResponse(
        'This needs an API key of role admin or client',
        `${DOCUMENT}/download-token`,
      ),
      404: documentNotFound(`${DOCUMENT}/download-token`),
      409: problemResponse(
        'No mTAN is open (none asked for, expired, or already used).',
        problemExample(
          409,
          'event-not-allowed',
          'Event TAN_SUBMITTED is not allowed in state retained.available',
          `${DOCUMENT}/download-token`,
          { allowedEvents: ['DOWNLOAD_REQUESTED'] },
        ),
      ),
      410: gone(
        'The content was deleted at the end of its retention.',
        'Document D-2026-K7PM3QXA was deleted on 2028-01-15T09:00:00.000Z',
        `${DOCUMENT}/download-token`,
      ),
      422: validationResponse(
        'Not 6 digits, or the wrong mTAN (the detail says how many tries are left).',
        'Die mTAN ist falsch. Noch 2 Versuche.',
        [{ path: 'tan', message: 'Die mTAN besteht aus 6 Ziffern.' }],
        `${DOCUMENT}/download-token`,
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/documents/{id}/content',
    operationId: 'downloadDocument',
    tag: 'Arztportal',
    summary: 'Download the content with a one-time link',
    description:
      'No API key: the token is the credential. It works once and for 10 minutes; the ' +
      'download is recorded in the process’s audit. The content is streamed with its type, ' +
      '`Content-Disposition: attachment` and `Repr-Digest` (SHA-256). Any link that opens ' +
      'nothing (an unknown or deleted document, a wrong, used or expired token) answers the ' +
      'same 404, so the answer tells nothing about which documents exist. Limited per client ' +
      'address.',
    security: 'none',
    pathParameters: byId,
    queryParameters: downloadQuery,
    queryExamples: { token: 'Wb0mQ2r7xYk4pT9vN1sL8cF3hJ6dA5eG0iU2oZ7qR4w' },
    responses: {
      200: {
        description: 'The content, exactly as uploaded.',
        contentType: 'application/octet-stream',
        schema: { type: 'string', contentMediaType: 'application/octet-stream' },
        headers: {
          'Content-Disposition': {
            description: 'attachment, with the file name (RFC 6266).',
            schema: { type: 'string' },
          },
          'Repr-Digest': { description: 'SHA-256 of the content.', schema: { type: 'string' } },
        },
      },
      404: notFoundResponse(
        'No document for this link: unknown or deleted, or the token is wrong, used or expired.',
        'No document for this link: a link works once and for 10 minutes; ask for a new mTAN',
        `${DOCUMENT}/content`,
      ),
      429: problemResponse(
        'Too many downloads from this address; try again after `Retry-After` seconds.',
        problemExample(
          429,
          'rate-limited',
          'Too many requests from this address: 30 a minute, 10 at once; try again in 2 s',
          `${DOCUMENT}/content`,
        ),
        retryAfterHeader,
      ),
      503: problemResponse(
        'Temporal or Postgres is not reachable; try again after `Retry-After` seconds.',
        problemExample(
          503,
          'unavailable',
          'Temporal is not reachable right now; try again shortly',
          `${DOCUMENT}/content`,
        ),
        retryAfterHeader,
      ),
    },
  },
  {
    method: 'post',
    path: '/api/v1/credentials/verify',
    operationId: 'verifyCredentials',
    tag: 'Arztportal',
    summary: 'Check a sign-in against the credentials sent by post',
    description:
      'For the physicians’ portal: whether user name and password are those of the newest ' +
      'credentials letter (`accountCredentials`). A new letter („Anmeldedaten vergessen“) voids ' +
      'every earlier password at once; five wrong passwords in a row lock the access until the ' +
      'next letter. A client key checks only its practices’ user names: any other reads as not ' +
      'valid.',
    security: 'apiKey',
    roles: ['admin', 'client'],
    requestBody: {
      schema: credentialCheckBody,
      example: { userName: 'AP-K7PM3QXA', password: 'k7Pm-3qXa-Hn4T' },
    },
    responses: {
      200: { description: 'The outcome.', schema: credentialCheck },
      ...writeResponses('/api/v1/credentials/verify'),
      ...securedResponses('/api/v1/credentials/verify'),
      403: forbiddenResponse(
        'This needs an API key of role admin or client',
        '/api/v1/credentials/verify',
      ),
      422: validationResponse(
        'Not a user name, or no password.',
        'The request body is invalid',
        [{ path: 'userName', message: 'Ein Benutzername wie AP-K7PM3QXA.' }],
        '/api/v1/credentials/verify',
      ),
    },
  },
];
