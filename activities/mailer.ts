import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { inClientSpan } from '../observability/tracing.js';

/**
 * SMTP transport for `smtp://…` / `smtps://…` URLs; close it on shutdown. Each send is a span
 * (`smtp send`, with the relay's host and port: never a recipient) when tracing is on.
 *
 * Pooled unless the URL says `?pool=false`: a few connections to the relay are kept open and
 * reused, instead of a connection, a greeting and a TLS handshake for every message (most of
 * the ~200 ms an email took). A connection the relay closed is opened again on the next send.
 */
export function createMailTransport(smtpUrl: string) {
  const transport = nodemailer.createTransport(pooled(smtpUrl));
  const send = transport.sendMail.bind(transport) as (...args: unknown[]) => Promise<unknown>;
  const relay = new URL(smtpUrl);
  const attributes = {
    'server.address': relay.hostname,
    'server.port': Number(relay.port || (relay.protocol === 'smtps:' ? 465 : 587)),
  };
  transport.sendMail = ((...args: unknown[]) =>
    typeof args.at(-1) === 'function'
      ? send(...args) // the callback form
      : inClientSpan('smtp send', attributes, () => send(...args))) as typeof transport.sendMail;
  return transport;
}

/** The URL with `pool=true` unless it already says whether to pool. */
function pooled(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return url.toString();
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
