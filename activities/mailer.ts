import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
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
  const transport = nodemailer.createTransport(withoutNagle(parseConnectionUrl(pooled(smtpUrl))));
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

/** How long opening a connection ourselves may take before nodemailer tries on its own. */
const CONNECT_MS = 10_000;

/**
 * Each SMTP command and the message go out at once instead of waiting for the relay's delayed
 * ACK: with Nagle's algorithm every send took ~44 ms more. nodemailer opens its sockets itself
 * and has no switch for it, so it is handed a TCP connection opened here, with no-delay set
 * once connected (set before, Node does not apply it); for `smtps:` nodemailer starts TLS on it
 * with its own TLS options, as on a socket of its own. A connection that cannot be opened is
 * left to nodemailer to try and report: an error handed back from here would leak a slot of
 * its pool, and after five the pool would hang for good.
 */
function withoutNagle(options: SMTPConnection.Options & { pool?: boolean }) {
  const getSocket = (
    target: SMTPConnection.Options,
    callback: (error: null, socket: { connection: Socket } | false) => void,
  ) => {
    const socket = connect({ host: target.host ?? 'localhost', port: Number(target.port ?? 25) });
    const timer = setTimeout(() => socket.destroy(), CONNECT_MS);
    // 'error' and then 'close' both come for one refused connection: answer nodemailer once
    // (twice, it would open two connections for one slot, and the second's error would crash).
    let answered = false;
    const failed = () => {
      clearTimeout(timer);
      socket.destroy();
      if (answered) return;
      answered = true;
      callback(null, false);
    };
    socket.once('error', failed);
    socket.once('close', failed);
    socket.once('connect', () => {
      clearTimeout(timer);
      answered = true;
      socket.removeListener('error', failed);
      socket.removeListener('close', failed);
      socket.setNoDelay(true);
      callback(null, { connection: socket });
    });
  };
  return { ...options, getSocket };
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
