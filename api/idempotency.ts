import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Pool } from '../db/pool.js';
import type { SecretSealer } from '../storage/sealed-secrets.js';
import { AppError, unavailable } from './errors.js';
import { idempotencyKeys, type RequestFingerprint, type StoredAnswer } from './idempotency-keys.js';

/**
 * Idempotent writes: a POST with `Idempotency-Key: <1–255 printable ASCII>` runs once per API
 * key and idempotency key within 24 h. A retry with the same key and the same body (SHA-256 of
 * the raw bytes, multipart included) gets the first answer again — status, Location,
 * Content-Type, Retry-After and body — and nothing runs; the same key with another body is a
 * 422; while the first request runs, a 409 with Retry-After. A 5xx or a 429 is not kept, so a
 * retry really runs again; any other 4xx is kept, so a retry gets the same refusal.
 *
 * The answers are kept sealed with the secret sealer, whole: an answer may reveal a one-time
 * value (the `revealed` codes of an event's view, a download link), and a retry whose first
 * answer was lost must still get it — but never from a row in clear.
 *
 * Mount once, after the API key and the write rate limit (a refused 429 never reaches it).
 * Without the header, nothing changes.
 */

export interface IdempotencyOptions {
  readonly pool: Pool;
  readonly sealer: SecretSealer;
  /** Largest non-JSON body (a multipart upload) read whole to hash it. */
  readonly maxBodyBytes: number;
  /**
   * How long a first request may run before a retry takes its key over (its process died);
   * default 2 minutes, far beyond what a route takes.
   */
  readonly claimMs?: number;
}

const HEADER = 'Idempotency-Key';
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;
/** Answer headers that a replay repeats; the others are the API's own on every answer. */
const REPLAYED_HEADERS = ['location', 'content-type', 'retry-after'] as const;
const RUNNING_RETRY_AFTER_S = 1;
const DEFAULT_CLAIM_MS = 120_000;

const sha256 = (bytes: Buffer): Buffer => createHash('sha256').update(bytes).digest();

const headerError = (code: string, detail: string, message: string): AppError =>
  new AppError(code, 422, detail, { errors: [{ path: HEADER, message }] });

/** Reads a body no parser took (a multipart upload) whole, at most `maxBytes`. */
async function bufferedBody(req: Request, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit the rest is drained, so that the connection can answer.
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) {
    throw new AppError('body-too-large', 413, `The request body is larger than ${maxBytes} bytes`);
  }
  return Buffer.concat(chunks);
}

async function bodySha256(req: Request, maxBytes: number): Promise<Buffer> {
  if (req.bodySha256) return req.bodySha256;
  if (req.readableEnded) return sha256(Buffer.alloc(0));
  req.bufferedBody = await bufferedBody(req, maxBytes);
  return sha256(req.bufferedBody);
}

const asBuffer = (chunk: unknown, encoding: unknown): Buffer =>
  Buffer.isBuffer(chunk)
    ? chunk
    : chunk instanceof Uint8Array
      ? Buffer.from(chunk)
      : Buffer.from(
          String(chunk),
          typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
        );

/**
 * Holds the answer back at `res.end` until `keep` has kept (or released) it: once the client
 * has a byte of the answer, a retry finds it stored.
 */
function captureAnswer(res: Response, keep: (status: number, body: Buffer) => Promise<void>) {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let ended = false;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk !== undefined && chunk !== null) chunks.push(asBuffer(chunk, rest[0]));
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((...args: unknown[]) => {
    if (ended) return end(...args);
    ended = true;
    const [chunk, encoding] = args;
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      chunks.push(asBuffer(chunk, encoding));
    }
    keep(res.statusCode, Buffer.concat(chunks)).then(
      () => end(...args),
      (error: unknown) => {
        console.error(
          `api: the answer of ${HEADER} could not be kept:`,
          error instanceof Error ? error.message : error,
        );
        end(...args);
      },
    );
    return res;
  }) as Response['end'];
}

function replay(res: Response, answer: StoredAnswer, sealer: SecretSealer): void {
  const opened = sealer.open(answer.bodySealed);
  if (opened === null) throw new Error(`a kept answer of an ${HEADER} cannot be opened`);
  const body = Buffer.from(opened, 'base64');
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader('Idempotent-Replayed', 'true');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/** The answer to keep: the headers that matter and the body, sealed. */
function storedAnswer(res: Response, status: number, body: Buffer, sealer: SecretSealer) {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return { status, headers, bodySealed: sealer.seal(body.toString('base64')) };
}

/** Not kept: the server's failure (a retry should run again) and the rate limit's refusal. */
const isKept = (status: number): boolean => status < 500 && status !== 429;

export function idempotentPosts(options: IdempotencyOptions): RequestHandler {
  const keys = idempotencyKeys(options.pool, { claimMs: options.claimMs ?? DEFAULT_CLAIM_MS });
  return async (req, res, next) => {
    const idempotencyKey = req.get(HEADER);
    if (req.method !== 'POST' || idempotencyKey === undefined || !req.caller) return next();
    if (!VALID_KEY.test(idempotencyKey)) {
      throw headerError(
        'validation-failed',
        `The ${HEADER} header is invalid`,
        '1 to 255 printable ASCII characters',
      );
    }
    const request: RequestFingerprint = {
      keyId: req.caller.keyId,
      idempotencyKey,
      request: `POST ${req.originalUrl.split('?')[0]}`,
      bodySha256: await bodySha256(req, options.maxBodyBytes),
    };
    const found = await keys.claim(request).catch((error: unknown) => {
      console.error(
        `api: ${HEADER} look-up failed:`,
        error instanceof Error ? error.message : error,
      );
      throw unavailable('The idempotency key store (Postgres)');
    });
    switch (found.kind) {
      case 'mismatch':
        throw headerError(
          'idempotency-key-reused',
          `The ${HEADER} was used for another request: a retry sends the same body to the same path`,
          'used before with another body or path',
        );
      case 'running':
        throw new AppError(
          'idempotency-key-in-use',
          409,
          `The first request with this ${HEADER} is still running; try again shortly`,
          {},
          RUNNING_RETRY_AFTER_S,
        );
      case 'answered':
        return replay(res, found.answer, options.sealer);
      case 'claimed':
        captureAnswer(res, (status, body) =>
          isKept(status)
            ? keys.answer(request, found.claim, storedAnswer(res, status, body, options.sealer))
            : keys.release(request, found.claim),
        );
        next();
    }
  };
}
