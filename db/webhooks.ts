/**
 * Webhook subscriptions and their deliveries as the API manages them: made, listed, rotated and
 * removed per API key (an admin key: all of them), deliveries listed and sent again.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from './pool.js';

export const WEBHOOK_EVENT_TYPES = [
  'process.started',
  'process.transitioned',
  'process.ended',
  'process.incident',
  'message.failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The channel of `pg_notify` the triggers and a redelivery wake the dispatchers with. */
export const WEBHOOK_CHANNEL = 'praxisflow_webhooks';

/** How long the previous secret still signs after a rotation. */
const ROTATION_OVERLAP_HOURS = 24;

export interface WebhookSubscription {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly processTypes: readonly string[];
  /** The key that owns it. */
  readonly apiKeyId: string;
  readonly createdAt: string;
  /** Until when the secret before the last rotation still signs, or null. */
  readonly previousSecretExpiresAt: string | null;
  readonly deliveries: { readonly pending: number; readonly failed: number };
}

export interface WebhookDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly processId: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: string | null;
  readonly createdAt: string;
}

/** Whose subscriptions: one key's, or (undefined) everyone's. */
export type WebhookOwner = string | undefined;

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

interface SubscriptionRow {
  id: string;
  url: string;
  events: WebhookEventType[];
  process_types: string[];
  api_key_id: string;
  created_at: Date;
  previous_until: Date | null;
  pending: string;
  failed: string;
}

const SUBSCRIPTION_COLUMNS = `s.id, s.url, s.events, s.process_types, s.api_key_id, s.created_at,
  case when s.previous_until > now() then s.previous_until end as previous_until,
  (select count(*) from webhook_deliveries d where d.subscription_id = s.id and d.status = 'pending') as pending,
  (select count(*) from webhook_deliveries d where d.subscription_id = s.id and d.status = 'failed') as failed`;

const toSubscription = (row: SubscriptionRow): WebhookSubscription => ({
  id: row.id,
  url: row.url,
  events: row.events,
  processTypes: row.process_types,
  apiKeyId: row.api_key_id,
  createdAt: row.created_at.toISOString(),
  previousSecretExpiresAt: iso(row.previous_until),
  deliveries: { pending: Number(row.pending), failed: Number(row.failed) },
});

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  process_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

/**
 * Deletes settled deliveries (delivered or failed) older than `retentionMs`, oldest first, in
 * batches of `batch` rows so that no statement holds many locks. Pending ones stay until they
 * settle. Answers how many were deleted.
 */
export async function pruneWebhookDeliveries(
  pool: Pool,
  retentionMs: number,
  batch = 1000,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `delete from webhook_deliveries where id in (
         select id from webhook_deliveries
         where status <> 'pending' and created_at < now() - make_interval(secs => $1)
         order by created_at limit $2)`,
      [retentionMs / 1000, batch],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) return deleted;
  }
}

const DELIVERY_COLUMNS = `id, event_id, event_type, process_id, status, attempts, next_attempt_at,
  last_attempt_at, last_status, last_error, delivered_at, created_at`;

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  eventId: row.event_id,
  eventType: row.event_type,
  processId: row.process_id,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
  lastAttemptAt: iso(row.last_attempt_at),
  lastStatus: row.last_status,
  lastError: row.last_error,
  deliveredAt: iso(row.delivered_at),
  createdAt: row.created_at.toISOString(),
});

export class WebhookStore {
  constructor(private readonly pool: Pool) {}

  /** Stores a new subscription with its sealed secret. */
  async create(subscription: {
    readonly apiKeyId: string;
    readonly url: string;
    readonly events: readonly WebhookEventType[];
    readonly processTypes: readonly string[];
    readonly sealedSecret: string;
  }): Promise<WebhookSubscription> {
    const id = `wh_${randomBytes(12).toString('base64url')}`;
    await this.pool.query(
      `insert into webhook_subscriptions (id, api_key_id, url, events, process_types, secret)
       values ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        subscription.apiKeyId,
        subscription.url,
        [...new Set(subscription.events)],
        [...new Set(subscription.processTypes)],
        subscription.sealedSecret,
      ],
    );
    const created = await this.get(id, undefined);
    if (!created) throw new Error(`webhook subscription ${id} vanished after its insert`);
    return created;
  }

  async list(owner: WebhookOwner): Promise<WebhookSubscription[]> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      `select ${SUBSCRIPTION_COLUMNS} from webhook_subscriptions s
       where $1::text is null or s.api_key_id = $1
       order by s.created_at desc, s.id desc limit 500`,
      [owner ?? null],
    );
    return rows.map(toSubscription);
  }

  async get(id: string, owner: WebhookOwner): Promise<WebhookSubscription | undefined> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      `select ${SUBSCRIPTION_COLUMNS} from webhook_subscriptions s
       where s.id = $1 and ($2::text is null or s.api_key_id = $2)`,
      [id, owner ?? null],
    );
    return rows[0] && toSubscription(rows[0]);
  }

  /** Removes it with its deliveries (pending ones are not sent any more); false: none such. */
  async remove(id: string, owner: WebhookOwner): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `delete from webhook_subscriptions where id = $1 and ($2::text is null or api_key_id = $2)`,
      [id, owner ?? null],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * Replaces the secret; the one it replaces still signs for 24 h (every delivery carries both
   * signatures meanwhile). A second rotation within the overlap drops the oldest.
   */
  async rotate(
    id: string,
    owner: WebhookOwner,
    sealedSecret: string,
  ): Promise<WebhookSubscription | undefined> {
    const { rowCount } = await this.pool.query(
      `update webhook_subscriptions
       set previous_secret = secret, secret = $3,
           previous_until = now() + make_interval(hours => ${ROTATION_OVERLAP_HOURS})
       where id = $1 and ($2::text is null or api_key_id = $2)`,
      [id, owner ?? null, sealedSecret],
    );
    return rowCount ? this.get(id, owner) : undefined;
  }

  /** Its deliveries, newest first, optionally of one status. */
  async deliveries(
    subscriptionId: string,
    query: { readonly status?: DeliveryStatus | undefined; readonly limit: number },
  ): Promise<WebhookDelivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from webhook_deliveries
       where subscription_id = $1 and ($2::text is null or status = $2)
       order by created_at desc, seq desc limit $3`,
      [subscriptionId, query.status ?? null, query.limit],
    );
    return rows.map(toDelivery);
  }

  /**
   * Puts a delivery back in line with a fresh set of attempts (same event id, same body) and
   * wakes the dispatchers. A delivery already pending stays as it is.
   */
  async redeliver(
    subscriptionId: string,
    deliveryId: string,
  ): Promise<WebhookDelivery | undefined> {
    // The answer is the row as this request left it: read after the wake-up, a dispatcher
    // may already have delivered it.
    const requeued = await this.pool.query<DeliveryRow>(
      `update webhook_deliveries
       set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null,
           claimed_until = null, claim = null
       where id = $2 and subscription_id = $1 and status <> 'pending'
       returning ${DELIVERY_COLUMNS}`,
      [subscriptionId, deliveryId],
    );
    if (requeued.rowCount) await this.pool.query(`select pg_notify('${WEBHOOK_CHANNEL}', '')`);
    const { rows } = requeued.rowCount
      ? requeued
      : await this.pool.query<DeliveryRow>(
          `select ${DELIVERY_COLUMNS} from webhook_deliveries where id = $2 and subscription_id = $1`,
          [subscriptionId, deliveryId],
        );
    return rows[0] && toDelivery(rows[0]);
  }
}
