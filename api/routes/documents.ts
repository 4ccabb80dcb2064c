import { once } from 'node:events';
import busboy from 'busboy';
import { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import { documentDeliveryProcessV3 as documentDeliveryProcess } from '../../machines/document-delivery-v3.js';
import type { DocumentStore, StoredDocument } from '../../storage/document-store.js';
import { downloadTokenFor, downloadTokenHash } from '../../storage/download-token.js';
import { callerOf, mayActForPractice, requireRole } from '../auth.js';
import { uploadDocument, type Upload } from '../document-upload.js';
import { AppError, notFound, validationError } from '../errors.js';
import { sealedEvent, sendEvent } from '../process-handles.js';
import type { SecretSealer } from '../../storage/sealed-secrets.js';
import { rateLimitPerClientIp, type RateLimitOptions } from '../rate-limit.js';
import type { ReadModel } from '../read-model.js';
import {
  documentIdParameter,
  downloadQuery,
  downloadTokenBody,
  retentionReportQuery,
} from '../document-schemas.js';
import { parseOrThrow } from '../validation.js';

/**
 * The documents of the physicians' portal:
 * - `POST /documents` (back office): multipart upload of `metadata` (JSON) and `file`; stores
 *   the content encrypted and starts its delivery process, or stores nothing;
 * - `GET /documents/{id}`: metadata and where its delivery stands;
 * - `POST /documents/{id}/download-token` (the practice's portal): the mTAN from the SMS in,
 *   a one-time download link out;
 * - `GET /documents/{id}/content?token=…` (no API key: the link is the key): the content,
 *   streamed, once per token;
 * - `GET /documents/retention-report`: what was deleted when.
 */

/** Defaults of the token-only download: 30 a minute and 10 at once per client address. */
const DEFAULT_DOWNLOAD_LIMIT: RateLimitOptions = { perMinute: 30, burst: 10 };

export interface DocumentRoutesDeps {
  readonly client: Client;
  readonly taskQueue: string;
  readonly documents: DocumentStore;
  /** The worker's code secret: download tokens derive from it. */
  readonly codeSecret: string;
  /** Largest accepted upload in bytes. */
  readonly maxBytes: number;
  readonly delays: Readonly<Record<string, number>>;
  readonly readModel: ReadModel;
  readonly downloadRateLimit?: RateLimitOptions;
  /** Seals the mTAN before it reaches Temporal. */
  readonly secrets: SecretSealer;
}

/** Reads the whole multipart body (bounded); anything but one `file` and fields is refused. */
async function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  if (!req.is('multipart/form-data')) {
    throw new AppError(
      'unsupported-media-type',
      415,
      'An upload is multipart/form-data with a `metadata` part (JSON) and a `file` part',
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // Browsers and fetch send file names as UTF-8 (busboy's default would read Latin-1).
      defParamCharset: 'utf8',
      limits: { files: 1, fields: 4, parts: 5, fieldSize: 64 * 1024, fileSize: maxBytes },
    });
  } catch {
    throw new AppError('malformed-multipart', 400, 'The multipart body has no boundary');
  }
  const fields = new Map<string, string>();
  let file: Upload['file'];
  let problem: AppError | undefined;
  const files: Promise<void>[] = [];
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) {
      problem ??= new AppError('body-too-large', 413, `The part ${name} is too large`);
    }
    fields.set(name, value);
  });
  parser.on('file', (name, stream, info) => {
    const chunks: Buffer[] = [];
    // A broken body fails the file stream too; the parser's error says why.
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('limit', () => {
      problem ??= new AppError('body-too-large', 413, `The file is larger than ${maxBytes} bytes`);
    });
    files.push(
      once(stream, 'end').then(
        () => {
          if (name !== 'file') {
            problem ??= validationError('Unexpected file part', [
              { path: name, message: 'the content goes in the part named `file`' },
            ]);
            return;
          }
          file = {
            name: info.filename ?? '',
            type: info.mimeType.toLowerCase(),
            content: Buffer.concat(chunks),
          };
        },
        () => undefined,
      ),
    );
  });
  for (const limit of ['filesLimit', 'fieldsLimit', 'partsLimit'] as const) {
    parser.on(limit, () => {
      problem ??= validationError('Too many parts', [
        { path: 'file', message: 'one `metadata` part and one `file` part' },
      ]);
    });
  }
  // Every error the parser may emit (one per broken part, even after the first) is handled.
  const finished = new Promise<void>((resolve, reject) => {
    parser.on('error', (error: Error) => reject(error));
    parser.once('close', () => resolve());
  });
  // Read whole already when it came with an Idempotency-Key (its bytes were hashed).
  if (req.bufferedBody) parser.end(req.bufferedBody);
  else req.pipe(parser);
  try {
    await finished;
  } catch (error) {
    req.unpipe(parser);
    req.resume(); // drain what is left, so the connection can answer
    throw new AppError(
      'malformed-multipart',
      400,
      `The multipart body could not be read: ${error instanceof Error ? error.message : 'broken'}`,
    );
  }
  await Promise.all(files);
  if (problem) throw problem;
  return { fields, ...(file ? { file } : {}) };
}

/** RFC 6266: a plain ASCII fallback and the exact name in UTF-8. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/[%;\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

const gone = (detail: string) => new AppError('gone', 410, detail);

export function documentRoutes(deps: DocumentRoutesDeps): Router {
  const router = Router();

  const documentId = (raw: unknown): string => {
    const parsed = documentIdParameter.safeParse(raw);
    if (!parsed.success) throw notFound(`No document ${String(raw).slice(0, 40)}`);
    return parsed.data;
  };

  /** The document, if this caller may see it; otherwise the same 404 as an unknown id. */
  async function visibleDocument(req: Request): Promise<StoredDocument> {
    const id = documentId(req.params.id);
    const found = await deps.documents.describe(id);
    if (!found || !mayActForPractice(callerOf(req), found.practiceId)) {
      throw notFound(`No document ${id}`);
    }
    return found;
  }

  router.get('/documents/retention-report', requireRole('admin', 'operator'), async (req, res) => {
    const query = parseOrThrow(retentionReportQuery, req.query, 'The query', 'query');
    const items = await deps.documents.retentionReport({
      limit: query.limit,
      ...(query.since ? { since: query.since } : {}),
    });
    res.json({ items });
  });

  router.post('/documents', requireRole('admin', 'operator'), async (req, res) => {
    const upload = await readUpload(req, deps.maxBytes);
    const uploaded = await uploadDocument(deps, callerOf(req), upload);
    res.status(201).location(`/api/v1/documents/${uploaded.document.id}`).json(uploaded);
  });

  router.get('/documents/:id', async (req, res) => {
    res.json(await visibleDocument(req));
  });

  router.post('/documents/:id/download-token', requireRole('admin', 'client'), async (req, res) => {
    const document = await visibleDocument(req);
    if (document.purgedAt)
      throw gone(`Document ${document.id} was deleted on ${document.purgedAt}`);
    const { tan } = parseOrThrow(downloadTokenBody, req.body ?? {}, 'The request body');
    const view = await sendEvent(
      deps.client.workflow.getHandle(document.processId),
      sealedEvent(documentDeliveryProcess, { type: 'TAN_SUBMITTED', tan }, deps.secrets),
      callerOf(req).keyId,
    );
    const sequence = view.context.tansSent;
    const expiry = view.timers.find((timer) => timer.name === 'downloadTokenExpiry');
    if (view.state !== 'retained.downloadReady' || typeof sequence !== 'number' || !expiry) {
      throw new AppError('event-not-allowed', 409, 'The mTAN did not open a download');
    }
    const token = downloadTokenFor(deps.codeSecret, document.id, sequence, tan);
    res.status(201).json({
      token,
      expiresAt: expiry.dueAt,
      href: `/api/v1/documents/${document.id}/content?token=${token}`,
    });
  });

  return router;
}

/**
 * `GET /documents/{id}/content?token=…`, mounted before the API key check: the one-time token is
 * the credential. The process takes the token's hash first (so a token works exactly once, even
 * for two requests at the same moment), then the content is streamed chunk by chunk. Whatever
 * refuses a link (an unknown document, a deleted one, a wrong, used or expired token) answers
 * the same 404: without a valid token nobody learns whether a document id exists.
 */
export function documentContentRoutes(deps: DocumentRoutesDeps): Router {
  const router = Router();
  const notThisLink = () =>
    notFound('No document for this link: a link works once and for 10 minutes; ask for a new mTAN');

  router.get(
    '/documents/:id/content',
    rateLimitPerClientIp(
      { ...DEFAULT_DOWNLOAD_LIMIT, ...deps.downloadRateLimit },
      'document-download',
    ),
    async (req, res) => {
      const id = documentIdParameter.safeParse(req.params.id);
      const query = downloadQuery.safeParse(req.query);
      if (!id.success || !query.success) throw notThisLink();
      const document = await deps.documents.describe(id.data);
      if (!document || document.purgedAt) throw notThisLink();
      await sendEvent(
        deps.client.workflow.getHandle(document.processId),
        {
          type: 'DOCUMENT_DOWNLOADED',
          tokenHash: downloadTokenHash(deps.codeSecret, query.data.token),
        },
        'download-link',
      ).catch((refused: unknown) => {
        // 409 (used or expired), 422 (a wrong token), 404 (no process): all the same answer.
        if (refused instanceof AppError && [404, 409, 422].includes(refused.status)) {
          throw notThisLink();
        }
        throw refused;
      });
      await stream(res, document, deps.documents);
    },
  );
  return router;
}

async function stream(res: Response, document: StoredDocument, store: DocumentStore) {
  const chunks = store.open(document.id);
  // The first chunk opens before any header goes out: a failure here is still a problem+json.
  const first = await chunks.next();
  res.status(200);
  res.set({
    'Content-Type': document.contentType,
    'Content-Length': String(document.size),
    'Content-Disposition': contentDisposition(document.fileName),
    'Repr-Digest': `sha-256=:${Buffer.from(document.sha256, 'hex').toString('base64')}:`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
  try {
    if (!first.done) res.write(first.value);
    for await (const chunk of chunks) {
      if (!res.write(chunk)) await once(res, 'drain');
    }
    res.end();
  } catch (error) {
    // Headers are out: cut the connection, so the client sees an incomplete download.
    console.error(`api: download of ${document.id} broke off`, error);
    res.destroy(error as Error);
  }
}
