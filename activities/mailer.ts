import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';

/** SMTP transport for `smtp://…` / `smtps://…` URLs; close it on shutdown. */
export function createMailTransport(smtpUrl: string) {
  return nodemailer.createTransport(smtpUrl);
}

const MAX_LOCAL_PART = 200;

/**
 * `<…@praxisflow>` from the idempotency key: the same on every retry of the activity, so a
 * relay or mailbox that has the message already can drop the copy. Characters outside
 * `[A-Za-z0-9_-]` are written `=XX` (UTF-8, hex), which keeps distinct keys distinct.
 */
export function messageIdFor(idempotencyKey: string): string {
  const local = [...Buffer.from(idempotencyKey, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(char)
        ? char
        : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  const safe =
    local.length <= MAX_LOCAL_PART
      ? local
      : createHash('sha256').update(idempotencyKey).digest('hex');
  return `<${safe}@praxisflow>`;
}
