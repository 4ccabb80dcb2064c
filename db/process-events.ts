/**
 * The process events in their global order (`process_events`, written by the webhook triggers),
 * as the live stream of the API reads them: pages after a position, and the notification that
 * wakes the streams. Plus the one-use tokens a browser opens a stream with.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Pool } from './pool.js';

/** The channel of `pg_notify` each recorded event is announced on (its seq as the payload). */
const EVENT_CHANNEL = 'praxisflow_events';

const TOKEN_TTL_SECONDS = 60;

export interface ProcessEvent {
  readonly seq: number;
  readonly type: string;
  /** `{ id, type, timestamp, data }`, as a webhook receives it. */
  readonly payload: unknown;
}

export interface EventFilter {
  /** Only these practices' processes; undefined: all. */
  readonly practices?: readonly string[];
  /** Only these event types; undefined: all. */
  readonly types?: readonly string[];
  readonly processType?: string;
}

/** Who a stream token speaks for: the key that asked for it, with its rights of that moment. */
export interface TokenHolder {
  readonly keyId: string;
  readonly role: string;
  readonly practices: readonly string[];
}

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export class ProcessEventLog {
  constructor(private readonly pool: Pool) {}

  /** Up to `limit` events after `after`, in order. */
  async after(after: number, filter: EventFilter, limit: number): Promise<ProcessEvent[]> {
    const { rows } = await this.pool.query<{ seq: string; type: string; payload: unknown }>(
      `select seq, type, payload from process_events
        where seq > $1
          and ($2::text[] is null or practice_id = any ($2))
          and ($3::text[] is null or type = any ($3))
          and ($4::text is null or process_type = $4)
        order by seq limit $5`,
      [after, filter.practices ?? null, filter.types ?? null, filter.processType ?? null, limit],
    );
    return rows.map((row) => ({ seq: Number(row.seq), type: row.type, payload: row.payload }));
  }

  /** The newest position (0: none yet): where a stream without `Last-Event-ID` begins. */
  async newest(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string | null }>(
      'select max(seq) as seq from process_events',
    );
    return Number(rows[0]?.seq ?? 0);
  }

  /** Up to which position retention has deleted events. */
  async prunedThrough(): Promise<number> {
    const { rows } = await this.pool.query<{ through: string }>(
      'select through from process_events_pruned',
    );
    return Number(rows[0]?.through ?? 0);
  }

  /** A token for one stream within 60 s; only its hash is stored. */
  async issueToken(holder: TokenHolder): Promise<{ token: string; expiresAt: string }> {
    const token = `est_${randomBytes(24).toString('base64url')}`;
    // Expired tokens go in small batches, as new ones come.
    await this.pool.query(
      `delete from event_stream_tokens where token_digest in (
         select token_digest from event_stream_tokens where expires_at < now() limit 100)`,
    );
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `insert into event_stream_tokens (token_digest, api_key_id, role, practices, expires_at)
       values ($1, $2, $3, $4, now() + make_interval(secs => $5))
       returning expires_at`,
      [digest(token), holder.keyId, holder.role, holder.practices, TOKEN_TTL_SECONDS],
    );
    return { token, expiresAt: rows[0]!.expires_at.toISOString() };
  }

  /** The token's holder, once: the token is gone after this, used or expired. */
  async redeemToken(token: string): Promise<TokenHolder | undefined> {
    const { rows } = await this.pool.query<{
      api_key_id: string;
      role: string;
      practices: string[];
      valid: boolean;
    }>(
      `delete from event_stream_tokens where token_digest = $1
       returning api_key_id, role, practices, expires_at > now() as valid`,
      [digest(token)],
    );
    const row = rows[0];
    if (!row?.valid) return undefined;
    return { keyId: row.api_key_id, role: row.role, practices: row.practices };
  }
}

/**
 * One LISTEN connection for all streams of this process: connected while anyone listens, and
 * again after it breaks (the streams also look on each heartbeat, so a lost notification only
 * delays an event).
 */
export class EventWakeups {
  private readonly listeners = new Set<() => void>();
  private client: pg.PoolClient | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly pool: Pool) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.connecting) {
      this.connecting = this.connect().finally(() => (this.connecting = undefined));
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.release();
    };
  }

  private async connect(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch {
      this.retryLater();
      return;
    }
    client.on('notification', () => {
      for (const listener of this.listeners) listener();
    });
    client.on('error', () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.release(true);
      this.retryLater();
    });
    try {
      await client.query(`listen ${EVENT_CHANNEL}`);
    } catch {
      client.release(true);
      this.retryLater();
      return;
    }
    this.client = client;
    if (this.listeners.size === 0) this.release();
    // Whatever was recorded while connecting.
    else for (const listener of this.listeners) listener();
  }

  private retryLater(): void {
    setTimeout(() => {
      if (this.listeners.size > 0 && !this.client && !this.connecting) {
        this.connecting = this.connect().finally(() => (this.connecting = undefined));
      }
    }, 5_000).unref();
  }

  private release(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client
      .query(`unlisten ${EVENT_CHANNEL}`)
      .then(() => client.release())
      .catch(() => client.release(true));
  }
}
