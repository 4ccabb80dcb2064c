import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { AppError, validationError } from './errors.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

declare module 'express-serve-static-core' {
  interface Request {
    /** SHA-256 of the raw body bytes, kept for a request with an `Idempotency-Key`. */
    bodySha256?: Buffer;
    /**
     * A multipart body read whole before its route ran (to hash it for an `Idempotency-Key`):
     * the route parses these bytes, the stream is spent.
     */
    bufferedBody?: Buffer;
  }
}

/** The digest of the bytes as sent: an idempotent retry must send the same ones. */
function keepBodyDigest(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  if (req.headers['idempotency-key'] === undefined) return;
  (req as Request).bodySha256 = createHash('sha256').update(buffer).digest();
}

/**
 * Bidirectional formatting controls (embeddings, overrides, isolates) make a name read
 * differently from what it is ("Trojan Source"); no field of the API has a use for them.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Control characters but tab and line breaks (escape sequences, NUL, backspace…): no field of
 * the API has a use for them either, and a reason with `ESC [` rewrites an operator's terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

type Refused = { readonly path: string[]; readonly kind: 'bidi' | 'control' };

const refusedIn = (text: string): Refused['kind'] | undefined =>
  BIDI_CONTROL.test(text) ? 'bidi' : CONTROL.test(text) ? 'control' : undefined;

const hasBody = (headers: Record<string, string | string[] | undefined>): boolean =>
  headers['transfer-encoding'] !== undefined ||
  (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/**
 * The path of the first string (key or value) holding a bidi or other control character, if
 * any. Walked with a stack of its own: 256 kB of `[[[…]]]` must not overflow the call stack.
 */
function controlAt(body: unknown): Refused | undefined {
  interface Visit {
    readonly value: unknown;
    readonly key?: string;
    readonly parent?: Visit;
  }
  const pathOf = (visit: Visit | undefined): string[] => {
    const path: string[] = [];
    for (let at = visit; at?.key !== undefined; at = at.parent) path.unshift(at.key);
    return path;
  };
  const pending: Visit[] = [{ value: body }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      const kind = refusedIn(value);
      if (kind) return { path: pathOf(visit), kind };
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value).reverse()) {
        const kind = refusedIn(key);
        if (kind) return { path: [...pathOf(visit), key], kind };
        pending.push({ value: inner, key, parent: visit });
      }
    }
  }
  return undefined;
}

/**
 * The API's bodies are JSON of at most 256 kB: another type is a 415 that says what to send (not
 * a 422 about missing fields), and a string with a bidi control or another control character
 * (tab and line breaks aside) is a 422 naming its field.
 * `multipartPaths` take files and parse their own bodies.
 */
export function jsonBodies(multipartPaths: readonly string[]): RequestHandler[] {
  return [
    (req, _res, next) => {
      if (!hasBody(req.headers) || req.is(JSON_TYPES)) return next();
      if (req.is('multipart/form-data') && multipartPaths.includes(req.path)) return next();
      const given = req.headers['content-type']?.split(';')[0]?.slice(0, 80);
      next(
        new AppError(
          'unsupported-media-type',
          415,
          `The body must be application/json, not ${given ?? 'without a content type'}`,
        ),
      );
    },
    express.json({ limit: '256kb', type: JSON_TYPES, verify: keepBodyDigest }),
    (req, _res, next) => {
      const refused = controlAt(req.body);
      if (!refused) return next();
      next(
        refused.kind === 'bidi'
          ? validationError('The body holds a bidirectional formatting control', [
              {
                path: refused.path.join('.'),
                message: 'Steuerzeichen für die Schreibrichtung sind nicht erlaubt.',
              },
            ])
          : validationError('The body holds a control character', [
              { path: refused.path.join('.'), message: 'Steuerzeichen sind nicht erlaubt.' },
            ]),
      );
    },
  ];
}
