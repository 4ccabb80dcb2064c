import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeProcessRow, writeTransition } from '../../db/projection.js';
import type { AuditEntry, ProcessView } from '../../workflows/protocol.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase('webhook_events');
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.pool.query('delete from webhook_subscriptions');
});

const AT = Date.parse('2026-12-03T09:00:00.000Z');

function view(id: string, step: number, overrides: Partial<ProcessView> = {}): ProcessView {
  return {
    id,
    type: 'invitation',
    version: 2,
    businessKey: id,
    practiceId: 'BSNR-111111111',
    state: 'invited',
    stateLabel: 'Eingeladen',
    status: 'active',
    allowedEvents: [],
    timers: [],
    context: { invitee: { lastName: 'Müller', email: 'mueller@example.org' } },
    incident: null,
    children: [],
    step,
    createdAt: new Date(AT).toISOString(),
    updatedAt: new Date(AT + step * 1000).toISOString(),
    ...overrides,
  };
}

async function step(
  processView: ProcessView,
  audit: Pick<AuditEntry, 'event' | 'from'>,
  runId = `run-${processView.id}`,
): Promise<void> {
  await writeTransition(database.pool, {
    view: processView,
    runId,
    audit: {
      ...audit,
      step: processView.step,
      actor: 'key_aaaaaaaaaa',
      to: processView.state,
      toLabel: processView.stateLabel,
      at: processView.updatedAt,
    },
  });
}

async function apiKey(role: 'admin' | 'client', practices: string[] = []): Promise<string> {
  const id = `key_${randomBytes(8)
    .toString('hex')
    .replace(/[^a-z2-7]/g, 'a')
    .slice(0, 10)}`;
  await database.pool.query(
    `insert into api_keys (id, name, role, practices, secret_hash, created_by)
     values ($1, 'test', $2, $3, $4, 'test')`,
    [id, role, practices, randomBytes(32)],
  );
  return id;
}

async function subscribe(
  keyId: string,
  events: string[],
  processTypes: string[] = [],
): Promise<string> {
  const id = `wh_${randomBytes(12).toString('base64url')}`;
  await database.pool.query(
    `insert into webhook_subscriptions (id, api_key_id, url, events, process_types, secret)
     values ($1, $2, 'https://receiver.example.org/hook', $3, $4, 'sealed:v1:test')`,
    [id, keyId, events, processTypes],
  );
  return id;
}

interface DeliveryRow {
  event_id: string;
  event_type: string;
  process_id: string;
  status: string;
  payload: { id: string; type: string; timestamp: string; data: Record<string, unknown> };
}

async function deliveries(subscriptionId: string): Promise<DeliveryRow[]> {
  const { rows } = await database.pool.query<DeliveryRow>(
    `select event_id, event_type, process_id, status, payload from webhook_deliveries
     where subscription_id = $1 order by occurred_at, seq`,
    [subscriptionId],
  );
  return rows;
}

const ALL = ['process.started', 'process.transitioned', 'process.ended', 'process.incident'];

describe('webhook events from the audit trail', () => {
  it('when a process starts, moves and ends, then each step is owed once, in step order, without its context', async () => {
    const subscription = await subscribe('key-bootstrap0', ALL);
    const id = `invitation-${randomBytes(4).toString('hex')}`;

    await step(view(id, 0), { event: 'STARTED', from: null });
    await step(view(id, 1, { state: 'registered', stateLabel: 'Registriert' }), {
      event: 'REGISTRATION_COMPLETED',
      from: 'invited',
    });
    // A retried projection of the same step owes nothing more.
    await step(view(id, 1, { state: 'registered', stateLabel: 'Registriert' }), {
      event: 'REGISTRATION_COMPLETED',
      from: 'invited',
    });
    await step(view(id, 2, { state: 'completed', stateLabel: 'Abgeschlossen', status: 'done' }), {
      event: 'ACCOUNT_ACTIVATED',
      from: 'registered',
    });

    const owed = await deliveries(subscription);
    expect(owed.map((row) => row.event_type)).toEqual([
      'process.started',
      'process.transitioned',
      'process.transitioned',
      'process.ended',
    ]);
    expect(new Set(owed.map((row) => row.event_id)).size).toBe(4);
    expect(owed.every((row) => /^evt_[0-9a-f]{32}$/.test(row.event_id))).toBe(true);
    expect(owed.every((row) => row.status === 'pending')).toBe(true);
    expect(owed[1]!.payload).toEqual({
      id: owed[1]!.event_id,
      type: 'process.transitioned',
      timestamp: '2026-12-03T09:00:01.000Z',
      data: {
        processId: id,
        processType: 'invitation',
        version: 2,
        practiceId: 'BSNR-111111111',
        step: 1,
        event: 'REGISTRATION_COMPLETED',
        from: 'invited',
        to: 'registered',
        toLabel: 'Registriert',
        status: 'active',
      },
    });
    expect(owed[3]!.payload.data).toMatchObject({ to: 'completed', status: 'done' });
    expect(JSON.stringify(owed)).not.toContain('Müller');
    expect(JSON.stringify(owed)).not.toContain('mueller@example.org');
  });

  it('when subscriptions filter by event type, process type and practice, then each gets only its own', async () => {
    const client = await apiKey('client', ['BSNR-111111111']);
    const otherClient = await apiKey('client', ['BSNR-999999999']);
    const admin = await apiKey('admin');
    const ofClient = await subscribe(client, ['process.started']);
    const ofOtherClient = await subscribe(otherClient, ['process.started']);
    const endsOnly = await subscribe(admin, ['process.ended']);
    const cardsOnly = await subscribe(admin, ['process.started'], ['card']);
    const id = `invitation-${randomBytes(4).toString('hex')}`;

    await step(view(id, 0), { event: 'STARTED', from: null });

    expect((await deliveries(ofClient)).map((row) => row.process_id)).toEqual([id]);
    expect(await deliveries(ofOtherClient)).toEqual([]);
    expect(await deliveries(endsOnly)).toEqual([]);
    expect(await deliveries(cardsOnly)).toEqual([]);
  });

  it('when a key is revoked, then its subscriptions are owed nothing more', async () => {
    const client = await apiKey('client', ['BSNR-111111111']);
    const subscription = await subscribe(client, ['process.started']);
    await database.pool.query('update api_keys set revoked_at = now() where id = $1', [client]);

    await step(view(`invitation-${randomBytes(4).toString('hex')}`, 0), {
      event: 'STARTED',
      from: null,
    });

    expect(await deliveries(subscription)).toEqual([]);
  });

  it('when an incident begins, then it is owed once, without the gateway’s message', async () => {
    const subscription = await subscribe('key-bootstrap0', ['process.incident']);
    const id = `invitation-${randomBytes(4).toString('hex')}`;
    await step(view(id, 0), { event: 'STARTED', from: null });
    const incident = {
      label: 'Benachrichtigung fehlgeschlagen',
      action: 'sendEmail',
      step: 0,
      message: '550 mailbox mueller@example.org unavailable',
      since: new Date(AT + 5000).toISOString(),
    };

    await writeProcessRow(database.pool, view(id, 0, { incident }), `run-${id}`);
    await writeProcessRow(database.pool, view(id, 0, { incident }), `run-${id}`);
    await writeProcessRow(database.pool, view(id, 0), `run-${id}`);

    const owed = await deliveries(subscription);
    expect(owed.map((row) => row.event_type)).toEqual(['process.incident']);
    expect(owed[0]!.payload.data).toMatchObject({
      incident: { label: 'Benachrichtigung fehlgeschlagen', action: 'sendEmail' },
    });
    expect(JSON.stringify(owed)).not.toContain('mueller@example.org');
  });

  it('when a message fails to send, then each failed attempt is owed, without the recipient', async () => {
    const subscription = await subscribe('key-bootstrap0', ['message.failed']);
    const id = `invitation-${randomBytes(4).toString('hex')}`;
    await step(view(id, 0), { event: 'STARTED', from: null });
    const key = `${id}:0:0`;
    await database.pool.query(
      `insert into outbox (idempotency_key, process_id, step, channel, recipient, subject, message_id, status)
       values ($1, $2, 0, 'email', 'mueller@example.org', 'Ihre Einladung', 'm1', 'sending')`,
      [key, id],
    );
    await database.pool.query(`update outbox set status = 'failed' where idempotency_key = $1`, [
      key,
    ]);
    await database.pool.query(`update outbox set status = 'failed' where idempotency_key = $1`, [
      key,
    ]);
    await database.pool.query(
      `update outbox set status = 'sending', attempts = attempts + 1 where idempotency_key = $1`,
      [key],
    );
    await database.pool.query(`update outbox set status = 'failed' where idempotency_key = $1`, [
      key,
    ]);

    const owed = await deliveries(subscription);
    expect(owed.map((row) => row.payload.data.message)).toEqual([
      { channel: 'email', attempt: 1 },
      { channel: 'email', attempt: 2 },
    ]);
    expect(JSON.stringify(owed)).not.toContain('mueller@example.org');
  });
});
