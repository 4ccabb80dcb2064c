import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import { STAGE_EXPLANATIONS } from '../application-stages.js';
import { notFound } from '../errors.js';
import { rateLimitPerClientIp, type RateLimitOptions } from '../rate-limit.js';
import type { ReadModel } from '../read-model.js';
import { applicationStatusBody } from '../public-schemas.js';
import { parseOrThrow } from '../validation.js';

/**
 * Every lookup takes at least this long, found or not: what the database does differs by a
 * few milliseconds between an unknown number and a wrong birth date, the answer does not.
 */
export const LOOKUP_FLOOR_MS = 150;

/** Defaults: 10 lookups a minute and 5 at once per client address. */
const DEFAULT_LIMIT: RateLimitOptions = { perMinute: 10, burst: 5 };

export const NOT_FOUND_DETAIL =
  'Kein Antrag mit dieser Antragsnummer und diesem Geburtsdatum gefunden.';

/** German label of a process an operator cancelled (the machine's own label stays in the audit). */
const CANCELLED_LABEL = 'Abgebrochen';

export interface ApplicationStatusDeps {
  readonly readModel: ReadModel;
  readonly rateLimit?: RateLimitOptions;
  /** For tests: the minimum answer time. */
  readonly floorMs?: number;
}

/**
 * `POST /api/v1/public/application-status`: the applicant's own lookup, without an API key.
 * Application number and birth date together answer the German state label, since when, and
 * what it means (the issuer's explanation of the stage, seed 003);
 * anything else is one and the same 404. The birth dates are compared as keyed digests,
 * timing-safe, also when there is no application to compare with.
 */
export function applicationStatusRoutes(deps: ApplicationStatusDeps): Router {
  const router = Router();
  const pepper = randomBytes(32);
  const digest = (value: string) => createHmac('sha256', pepper).update(value).digest();
  const nobody = digest('\u0000no application\u0000');
  const floorMs = deps.floorMs ?? LOOKUP_FLOOR_MS;

  router.post(
    '/application-status',
    rateLimitPerClientIp({ ...DEFAULT_LIMIT, ...deps.rateLimit }, 'application-status'),
    async (req, res) => {
      const startedAt = performance.now();
      const { applicationNumber, birthDate } = parseOrThrow(
        applicationStatusBody,
        req.body ?? {},
        'The request body',
      );
      const found = await deps.readModel.statusOf(`ehbaApplication-${applicationNumber}`);
      const applicant = found?.context.applicant as { birthDate?: unknown } | undefined;
      const expected =
        typeof applicant?.birthDate === 'string' ? digest(applicant.birthDate) : nobody;
      const matches = timingSafeEqual(expected, digest(birthDate)) && found !== undefined;
      const wait = floorMs - (performance.now() - startedAt);
      if (wait > 0) await sleep(wait);
      if (!matches || !found) throw notFound(NOT_FOUND_DETAIL);
      const cancelled = found.status === 'cancelled';
      const stateLabel = cancelled ? CANCELLED_LABEL : found.stateLabel;
      res.json({
        stateLabel,
        since: cancelled ? found.updatedAt : found.since,
        explanation: STAGE_EXPLANATIONS[stateLabel] ?? [],
      });
    },
  );
  return router;
}
