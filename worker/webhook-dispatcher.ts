import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import pg from 'pg';
import type { Pool } from '../db/pool.js';
import { pruneWebhookDeliveries, WEBHOOK_CHANNEL } from '../db/webhooks.js';
import type { WebhookTargets } from '../config/webhook-targets.js';
import type { Logger } from '../observability/logger.js';
import type { SecretSealer } from '../storage/sealed-secrets.js';
import { openWebhookSecrets, signWebhook } from '../storage/webhook-secrets.js';

export interface WebhookDeliveryConfig {
  /** Waits before the 2nd, 3rd, … attempt, in ms; after the last, the delivery has failed. */
  readonly retrySchedule: readonly number[];
  /** One attempt's whole time, connect to last byte, in ms. */
  readonly timeoutMs: number;
  /** Attempts in flight at once, per worker. */
  readonly concurrency: number;
  /** How often to look for due deliveries when no notification came, in ms. */
  readonly pollMs: number;
  /** How long settled deliveries (delivered or failed) are kept, in ms. */
  readonly retentionMs: number;
}

/** How often the settled deliveries past the retention are deleted. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface WebhookDispatcherDeps {
  readonly pool: Pool;
  /** For the LISTEN connection (a pooled one cannot keep listening). */
  readonly databaseUrl: string;
  readonly sealer: SecretSealer;
  readonly targets: WebhookTargets;
  readonly config: WebhookDeliveryConfig;
  readonly logger: Logger;
}

interface Claimed {
  id: string;
  claim: string;
  event_id: string;
  payload: unknown;
  attempts: number;
  subscription_id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
}

interface Outcome {
  readonly delivered: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

/**
 * Due: pending, its time come, not claimed by a live attempt, and no earlier event of the same
 * subscription and process still pending (so one process's events arrive in order). Claimed for
 * the attempt's time and a margin; a worker that dies mid-attempt leaves it to the next.
 */
const CLAIM = `
with due as (
  select d.id from webhook_deliveries d
  where d.status = 'pending' and d.next_attempt_at <= now()
    and (d.claimed_until is null or d.claimed_until < now())
    and not exists (
      select 1 from webhook_deliveries e
      where e.subscription_id = d.subscription_id and e.process_id = d.process_id
        and e.status = 'pending' and (e.occurred_at, e.seq) < (d.occurred_at, d.seq))
  order by d.next_attempt_at, d.seq
  limit $1
  for update of d skip locked
)
update webhook_deliveries d
set claimed_until = now() + make_interval(secs => $2), claim = $3,
    attempts = d.attempts + 1, last_attempt_at = now()
from due, webhook_subscriptions s
where d.id = due.id and s.id = d.subscription_id
returning d.id, d.claim, d.event_id, d.payload, d.attempts, d.subscription_id, s.url,
  s.secret, case when s.previous_until > now() then s.previous_secret end as previous_secret`;

const RESPONSE_BYTES_READ = 64 * 1024;

/**
 * Delivers the webhook events the triggers owe (db/migrations/0015_webhooks.sql), decoupled from
 * the processes: a slow receiver holds only its own deliveries. Woken by NOTIFY, polls besides.
 */
export class WebhookDispatcher {
  private running = false;
  private inFlight = 0;
  private readonly attempts = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private listener: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private pruning: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WebhookDispatcherDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.listen();
    this.loop = this.run();
    void this.prune();
    this.pruning = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
  }

  /** Stops claiming, lets the attempts in flight finish, closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pruning);
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.attempts]);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({
      connectionString: this.deps.databaseUrl,
      application_name: 'praxisflow-webhooks',
    });
    const retry = (error: unknown): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      this.deps.logger.warn({ err: error }, 'webhooks: LISTEN lost; polling until it is back');
      setTimeout(() => void this.listen(), 5_000).unref();
    };
    this.listener = client;
    client.on('error', retry);
    client.on('notification', () => this.wake?.());
    try {
      await client.connect();
      await client.query(`listen ${WEBHOOK_CHANNEL}`);
    } catch (error) {
      retry(error);
    }
  }

  /** Deletes settled deliveries past the retention; a failure waits for the next round. */
  private async prune(): Promise<void> {
    try {
      const deleted = await pruneWebhookDeliveries(this.deps.pool, this.deps.config.retentionMs);
      if (deleted > 0) {
        this.deps.logger.info(
          { deleted },
          'webhooks: settled deliveries past the retention deleted',
        );
      }
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'webhooks: could not delete old deliveries');
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      const woken = new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.deps.config.pollMs).unref();
      });
      const free = this.deps.config.concurrency - this.inFlight;
      let claimed = 0;
      if (free > 0) {
        try {
          claimed = await this.claim(free);
        } catch (error) {
          this.deps.logger.warn({ err: error }, 'webhooks: could not claim due deliveries');
        }
      }
      // A full batch may have more behind it; otherwise wait for news.
      if (claimed === 0 || claimed < free) await woken;
    }
  }

  private async claim(limit: number): Promise<number> {
    const claimSeconds = this.deps.config.timeoutMs / 1000 + 30;
    const { rows } = await this.deps.pool.query<Claimed>(CLAIM, [
      limit,
      claimSeconds,
      randomUUID(),
    ]);
    for (const row of rows) {
      this.inFlight += 1;
      const attempt = this.attempt(row)
        .catch((error: unknown) =>
          this.deps.logger.error({ err: error, delivery: row.id }, 'webhooks: attempt failed'),
        )
        .finally(() => {
          this.inFlight -= 1;
          this.attempts.delete(attempt);
          // The next event of the same process may be due now.
          this.wake?.();
        });
      this.attempts.add(attempt);
    }
    return rows.length;
  }

  private async attempt(row: Claimed): Promise<void> {
    const secrets = openWebhookSecrets(this.deps.sealer, [row.secret, row.previous_secret]);
    const outcome =
      secrets.length === 0
        ? { delivered: false, status: null, error: 'the signing secret cannot be opened' }
        : await this.post(row, secrets);
    await this.record(row, outcome);
  }

  /** One POST to the address just checked; redirects are not followed (a 3xx is a failure). */
  private async post(row: Claimed, secrets: readonly string[]): Promise<Outcome> {
    const target = await this.deps.targets.check(row.url);
    if (!target.ok) return { delivered: false, status: null, error: `refused: ${target.reason}` };
    const body = JSON.stringify(row.payload);
    const url = new URL(row.url);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'praxisflow-webhooks',
      'content-length': String(Buffer.byteLength(body)),
      ...signWebhook(secrets, row.event_id, body, new Date()),
    };
    // The connection goes to the checked address whatever DNS answers now.
    const lookup: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Outcome>((resolve) => {
      const req = send(url, { method: 'POST', headers, lookup, agent: false }, (res) => {
        drain(res, () => {
          const status = res.statusCode ?? 0;
          const delivered = status >= 200 && status < 300;
          resolve({ delivered, status, error: delivered ? null : `HTTP ${status}` });
        });
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.deps.config.timeoutMs} ms`));
      }, this.deps.config.timeoutMs);
      req.on('error', (error) => resolve({ delivered: false, status: null, error: error.message }));
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }

  private async record(row: Claimed, outcome: Outcome): Promise<void> {
    const schedule = this.deps.config.retrySchedule;
    const wait = schedule[row.attempts - 1];
    const status = outcome.delivered ? 'delivered' : wait === undefined ? 'failed' : 'pending';
    await this.deps.pool.query(
      `update webhook_deliveries
       set status = $3, last_status = $4, last_error = left($5, 500),
           delivered_at = case when $3 = 'delivered' then now() end,
           next_attempt_at = now() + make_interval(secs => $6),
           claimed_until = null, claim = null
       where id = $1 and claim = $2`,
      [row.id, row.claim, status, outcome.status, outcome.error, (wait ?? 0) / 1000],
    );
    if (status !== 'delivered') {
      this.deps.logger.warn(
        {
          delivery: row.id,
          subscription: row.subscription_id,
          attempt: row.attempts,
          status: outcome.status,
          error: outcome.error,
        },
        status === 'failed'
          ? 'webhooks: delivery failed after its last attempt'
          : 'webhooks: attempt failed; retrying later',
      );
    }
  }
}

/** Reads (and drops) up to 64 KiB of the answer, so that the connection ends cleanly. */
function drain(res: IncomingMessage, done: () => void): void {
  let read = 0;
  res.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > RESPONSE_BYTES_READ) res.destroy();
  });
  res.on('end', done);
  res.on('close', done);
  res.on('error', done);
}
