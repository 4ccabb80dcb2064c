import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { SecretSealer } from './sealed-secrets.js';

/**
 * The signing secrets of webhook subscriptions (Standard Webhooks: `whsec_` and 32 random bytes
 * in base64). Shown once, when made; at rest only sealed.
 */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface WebhookSignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * The Standard Webhooks headers of one attempt: one `v1,…` signature per secret, separated by
 * spaces (the current secret and, during a rotation's overlap, the previous one).
 */
export function signWebhook(
  secrets: readonly string[],
  eventId: string,
  body: string,
  at: Date,
): WebhookSignatureHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets
      .map((secret) => new Webhook(secret).sign(eventId, at, body))
      .join(' '),
  };
}

/** The clear secrets of a subscription's sealed ones; one that does not open is left out. */
export function openWebhookSecrets(
  sealer: SecretSealer,
  sealed: readonly (string | null)[],
): string[] {
  return sealed
    .filter((value): value is string => value !== null)
    .map((value) => sealer.open(value))
    .filter((value): value is string => value !== null);
}
