import express, { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { PayloadDecryptionError } from '../../codec/payload-codec.js';
import type { Pool } from '../../db/pool.js';
import { requireRole } from '../auth.js';
import { AppError } from '../errors.js';
import { parseOrThrow } from '../validation.js';
import { codecSessions } from './codec-session.js';

/**
 * The remote payload codec of the Temporal Web UI and CLI (Temporal's codec server protocol):
 * `POST …/encode` and `POST …/decode` take and give `{ payloads: [{ metadata: { k: base64 },
 * data: base64 }] }` (Payloads in proto3 JSON), also under a namespace segment
 * (`…/{namespace}/decode`, for the CLI's `--codec-endpoint` template). The browser of an
 * operator calls it from the Web UI's origin, hence CORS for the configured origins, with
 * credentials. It decrypts personal data: an admin or operator key is required
 * (`Authorization: Bearer`), or a codec session cookie of such a key, made at
 * `GET /codec/session` for the dev server's Web UI, which cannot send the header (see
 * `codec-session.ts`). A client key gets 403 (the endpoint is no secret, and a client never
 * needs it). Answers are never cached.
 */
export interface CodecRouteDeps {
  /** The codec of the workers and clients: the `EncryptionCodec` of the deployment's keys. */
  readonly codec: PayloadCodec;
  /**
   * Origins of the Temporal Web UI, e.g. `http://localhost:8233`. The browser names the origin
   * as it was typed: list `http://127.0.0.1:8233` too if operators use that.
   */
  readonly allowedOrigins: readonly string[];
  /** The API's `authenticate(...)` middleware; it also checks the key of the session form. */
  readonly authenticate: RequestHandler;
  /** Where codec sessions are kept, beside the API keys. */
  readonly pool: Pool;
  /** The bootstrap admin key's id, if there is one (its sessions have no key row). */
  readonly bootstrapKeyId?: string;
}

const ALLOWED_HEADERS = 'Authorization, Authorization-Extras, Content-Type, X-Namespace';
const MAX_PAYLOADS = 10_000;

// proto3 JSON writes bytes as base64, standard or URL-safe, padded or not.
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

const payloadsBody = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).nullish(),
        data: base64.nullish(),
      }),
    )
    .max(MAX_PAYLOADS),
});

type JsonPayload = z.output<typeof payloadsBody>['payloads'][number];

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(data ?? '', 'base64'),
});

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value ?? []).toString('base64'),
    ]),
  ),
  data: Buffer.from(data ?? []).toString('base64'),
});

/** `http://localhost:8233/` and `http://localhost:8233` name the same origin. */
function originOf(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}

/**
 * Credentialed CORS (Bearer or session cookie): the exact origin, never `*`, which browsers
 * refuse with credentials anyway.
 */
function cors(isAllowedOrigin: (origin: string) => boolean): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    const trusted = origin !== undefined && isAllowedOrigin(origin);
    if (trusted) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
      });
    }
    if (req.method !== 'OPTIONS') return next();
    // A preflight carries no credentials (neither header nor cookie): it is answered before
    // authentication, with Allow-Credentials for `credentials: 'include'`. An untrusted
    // origin gets no CORS headers, and its browser refuses to send the real request.
    if (trusted) {
      res.set({
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      if (req.get('access-control-request-private-network') === 'true') {
        res.set('Access-Control-Allow-Private-Network', 'true');
      }
    }
    res.status(204).end();
  };
}

function codecHandler(direction: 'encode' | 'decode', codec: PayloadCodec): RequestHandler {
  return async (req, res) => {
    const body = parseOrThrow(payloadsBody, req.body, 'The payloads');
    let converted: Payload[];
    try {
      converted = await codec[direction](body.payloads.map(fromJson));
    } catch (error) {
      if (!(error instanceof PayloadDecryptionError)) throw error;
      throw new AppError('payload-not-decryptable', 422, error.message);
    }
    res.set('Cache-Control', 'no-store').json({ payloads: converted.map(toJson) });
  };
}

/** Mount at `/codec`; then the Web UI's codec endpoint is `https://<api>/codec`. */
export function codecRoutes(deps: CodecRouteDeps): Router {
  const allowed = new Set(deps.allowedOrigins.map(originOf));
  const isAllowedOrigin = (origin: string) => allowed.has(origin);
  const sessions = codecSessions({
    authenticate: deps.authenticate,
    isAllowedOrigin,
    pool: deps.pool,
    ...(deps.bootstrapKeyId ? { bootstrapKeyId: deps.bootstrapKeyId } : {}),
  });
  const router = Router();
  router.use(cors(isAllowedOrigin));
  router.use('/session', sessions.routes);
  // Histories carry big payloads; the app-wide JSON limit is for API bodies.
  router.use(express.json({ limit: '4mb' }));
  router.use(sessions.authenticate, requireRole('admin', 'operator'));
  router.post(['/encode', '/:namespace/encode'], codecHandler('encode', deps.codec));
  router.post(['/decode', '/:namespace/decode'], codecHandler('decode', deps.codec));
  return router;
}
