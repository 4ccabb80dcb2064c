import type { Channel } from './channels/types.js';

/** What the outbox records of a message before it is sent. */
export interface OutboxEntry {
  readonly idempotencyKey: string;
  readonly processId: string;
  readonly step: number;
  readonly channel: Channel;
  /** As operators may see it: an email address, a masked phone number, a postal town. */
  readonly recipient: string;
  readonly subject: string;
  readonly messageId: string;
}

/**
 * The outbox: written before a message is handed to its gateway, marked after. Idempotent by
 * key: `begin` on a key already marked sent says so, and nothing is sent again.
 */
export interface Outbox {
  /** `sent`: the gateway accepted it before; `send`: go ahead (first try or a retry). */
  begin(entry: OutboxEntry): Promise<'sent' | 'send'>;
  markSent(idempotencyKey: string, gatewayReference: string | undefined): Promise<void>;
  markFailed(idempotencyKey: string, error: string): Promise<void>;
}

interface Queryable {
  query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The outbox in the read model's Postgres. */
export function postgresOutbox(db: Queryable): Outbox {
  return {
    async begin(entry) {
      const { rows } = (await db.query(
        `insert into outbox (idempotency_key, process_id, step, channel, recipient, subject,
           message_id, status)
         values ($1, $2, $3, $4, $5, $6, $7, 'sending')
         on conflict (idempotency_key) do update
           set attempts = outbox.attempts + 1, updated_at = now(),
               status = case when outbox.status = 'sent' then 'sent' else 'sending' end
         returning status, attempts`,
        [
          entry.idempotencyKey,
          entry.processId,
          entry.step,
          entry.channel,
          entry.recipient,
          entry.subject,
          entry.messageId,
        ],
      )) as { rows: { status: string }[] };
      return rows[0]?.status === 'sent' ? 'sent' : 'send';
    },
    async markSent(idempotencyKey, gatewayReference) {
      await db.query(
        `update outbox set status = 'sent', sent_at = now(), updated_at = now(),
           gateway_reference = $2, last_error = null
         where idempotency_key = $1`,
        [idempotencyKey, gatewayReference ?? null],
      );
    },
    async markFailed(idempotencyKey, error) {
      await db.query(
        `update outbox set status = 'failed', last_error = left($2, 500), updated_at = now()
         where idempotency_key = $1 and status <> 'sent'`,
        [idempotencyKey, error],
      );
    },
  };
}
