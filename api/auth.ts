import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from './errors.js';

export interface Caller {
  /** Stable id of the API key, recorded as the actor of what it does. */
  readonly keyId: string;
  readonly role: 'admin';
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Bearer API key check; only the key's hash stays in memory. */
export function requireApiKey(adminKey: string): RequestHandler {
  const expected = digest(adminKey);
  const keyId = `key-${expected.toString('hex').slice(0, 12)}`;
  return (req, _res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const presented = match?.[1];
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      next(
        new AppError(
          'unauthorized',
          401,
          'A valid API key is required: Authorization: Bearer <key>',
        ),
      );
      return;
    }
    req.caller = { keyId, role: 'admin' };
    next();
  };
}

export function callerOf(req: { caller?: Caller }): Caller {
  if (!req.caller) throw new AppError('unauthorized', 401, 'A valid API key is required');
  return req.caller;
}
