import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookTargets } from '../../config/webhook-targets.js';
import { pruneWebhookDeliveries } from '../../db/webhooks.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack({
    webhooks: {
      targets: { allowHttpLocalhost: true, allowedRanges: [] },
      // Four retries a few hundred ms apart: the 24 h schedule's shape, in a second.
      delivery: {
        retrySchedule: [100, 200, 300, 400],
        timeoutMs: 2000,
        concurrency: 4,
        pollMs: 100,
        retentionMs: 720 * 60 * 60 * 1000,
      },
    },
  });
});

afterAll(async () => {
  await api?.stop();
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly event: {
    id: string;
    type: string;
    data: { processId: string; step: number; [key: string]: unknown };
  };
  readonly answered: number;
}

/** A real HTTP receiver on a free port; `answer` decides each attempt's status. */
async function receiver(
  answer: (event: Received['event'], attempt: number) => number,
  port = 0,
): Promise<{ url: string; port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const event = JSON.parse(body) as Received['event'];
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      const status = answer(event, attempt);
      received.push({ headers: req.headers, body, event, answered: status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const invitee = (practiceId = 'BSNR-987654321') => ({
  salutation: 'Frau',
  firstName: 'Erika',
  lastName: 'Musterfrau',
  email: `erika.${randomBytes(4).toString('hex')}@praxis.example`,
  practiceId,
});

async function startInvitation(practiceId?: string): Promise<string> {
  const created = await api.request('POST', '/api/v1/processes/invitation', {
    body: { input: invitee(practiceId) },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function subscribe(url: string, events: string[], key?: string) {
  const created = await api.request('POST', '/api/v1/webhooks', {
    body: { url, events, processTypes: ['invitation'] },
    ...(key ? { key } : {}),
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

const verifies = (secret: string, item: Received): boolean => {
  try {
    new Webhook(secret).verify(item.body, item.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe('webhooks', () => {
  it('when the receiver fails three times and then accepts, then each event is delivered once, with the same id on every attempt, signed, in step order', async () => {
    const hook = await receiver((_event, attempt) => (attempt <= 3 ? 503 : 204));
    const subscription = await subscribe(hook.url, [
      'process.started',
      'process.transitioned',
      'process.ended',
    ]);

    const id = await startInvitation();
    const revoked = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: { type: 'INVITATION_REVOKED' },
    });
    expect(revoked.status).toBe(200);

    const ofProcess = () => hook.received.filter((item) => item.event.data.processId === id);
    await expect
      .poll(() => ofProcess().filter((item) => item.answered === 204).length, { timeout: 30_000 })
      .toBe(3);
    const attempts = ofProcess();
    // Every attempt of an event comes before any of the next one: order kept through retries.
    expect(attempts.map((item) => item.event.type)).toEqual([
      ...Array(4).fill('process.started'),
      ...Array(4).fill('process.transitioned'),
      ...Array(4).fill('process.ended'),
    ]);
    const steps = attempts.map((item) => item.event.data.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    for (let first = 0; first < 12; first += 4) {
      const same = attempts.slice(first, first + 4);
      expect(new Set(same.map((item) => item.headers['webhook-id'])).size).toBe(1);
      expect(new Set(same.map((item) => item.body)).size).toBe(1);
      expect(same[0]!.headers['webhook-id']).toBe(same[0]!.event.id);
      expect(same.map((item) => item.answered)).toEqual([503, 503, 503, 204]);
    }
    expect(attempts.every((item) => verifies(subscription.secret, item))).toBe(true);
    const ended = attempts[8]!.event;
    expect(ended.data).toMatchObject({
      processId: id,
      processType: 'invitation',
      from: expect.stringContaining('invited'),
      to: 'revoked',
      toLabel: 'Widerrufen',
      status: 'done',
      event: 'INVITATION_REVOKED',
    });
    expect(attempts.map((item) => item.body).join()).not.toContain('Musterfrau');

    const deliveries = await api.request(
      'GET',
      `/api/v1/webhooks/${subscription.id}/deliveries?status=delivered`,
    );
    expect(deliveries.status).toBe(200);
    expect(
      deliveries.body.items.filter((item: { processId: string }) => item.processId === id),
    ).toHaveLength(3);
    expect(deliveries.body.items.every((item: { attempts: number }) => item.attempts === 4)).toBe(
      true,
    );
    await api.request('DELETE', `/api/v1/webhooks/${subscription.id}`);
    await hook.close();
  });

  it('when the receiver is down for the whole window, then the deliveries show as failed, and a redelivery arrives once it is up', async () => {
    const probe = await receiver(() => 204);
    const url = probe.url;
    await probe.close();
    const subscription = await subscribe(url, ['process.started']);

    const id = await startInvitation();

    await expect
      .poll(
        async () =>
          (await api.request('GET', `/api/v1/webhooks/${subscription.id}`)).body.deliveries,
        { timeout: 30_000 },
      )
      .toEqual({ pending: 0, failed: 1 });
    const failed = await api.request(
      'GET',
      `/api/v1/webhooks/${subscription.id}/deliveries?status=failed`,
    );
    expect(failed.body.items).toEqual([
      expect.objectContaining({ processId: id, status: 'failed', attempts: 5, lastStatus: null }),
    ]);

    const back = await receiver(() => 200, probe.port);
    const again = await api.request(
      'POST',
      `/api/v1/webhooks/${subscription.id}/deliveries/${failed.body.items[0].id}/redeliver`,
    );
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('pending');
    await expect.poll(() => back.received.length, { timeout: 15_000 }).toBe(1);
    expect(back.received[0]!.event.id).toBe(failed.body.items[0].eventId);
    expect(verifies(subscription.secret, back.received[0]!)).toBe(true);
    await expect
      .poll(
        async () =>
          (await api.request('GET', `/api/v1/webhooks/${subscription.id}`)).body.deliveries,
      )
      .toEqual({ pending: 0, failed: 0 });
    await api.request('DELETE', `/api/v1/webhooks/${subscription.id}`);
    await back.close();
  });

  it('when settled deliveries are older than the retention, then they are deleted, and pending and newer ones stay', async () => {
    const subscription = await subscribe('http://localhost:9/hooks', ['process.started']);
    const row = (event: string, status: string, ageDays: number) =>
      api.database.pool.query(
        `insert into webhook_deliveries
           (subscription_id, event_id, event_type, process_id, occurred_at, payload, status,
            next_attempt_at, created_at)
         values ($1, $2, 'process.started', 'invitation-retention', now(), '{}', $3,
           now() + interval '1 day', now() - make_interval(days => $4))`,
        [subscription.id, event, status, ageDays],
      );
    await row('evt_old_delivered', 'delivered', 31);
    await row('evt_old_failed', 'failed', 31);
    await row('evt_old_pending', 'pending', 31);
    await row('evt_new_delivered', 'delivered', 29);

    const deleted = await pruneWebhookDeliveries(api.database.pool, 30 * 24 * 60 * 60 * 1000, 1);

    expect(deleted).toBe(2);
    const kept = await api.request('GET', `/api/v1/webhooks/${subscription.id}/deliveries`);
    expect(kept.body.items.map((item: { eventId: string }) => item.eventId).sort()).toEqual([
      'evt_new_delivered',
      'evt_old_pending',
    ]);
    await api.request('DELETE', `/api/v1/webhooks/${subscription.id}`);
  });

  it('when a client key subscribes, then it receives only its practices’ processes and sees only its own subscriptions', async () => {
    const own = await api.createKey('client', ['BSNR-111111111']);
    const other = await api.createKey('client', ['BSNR-222222222']);
    const hook = await receiver(() => 200);
    const subscription = await subscribe(hook.url, ['process.started'], own);

    const mine = await startInvitation('BSNR-111111111');
    const foreign = await startInvitation('BSNR-222222222');

    await expect
      .poll(() => hook.received.map((item) => item.event.data.processId), { timeout: 15_000 })
      .toContain(mine);
    const owed = await api.request('GET', `/api/v1/webhooks/${subscription.id}/deliveries`, {
      key: own,
    });
    expect(owed.body.items.map((item: { processId: string }) => item.processId)).toEqual([mine]);
    expect(hook.received.map((item) => item.event.data.processId)).not.toContain(foreign);
    expect(hook.received[0]!.event.data.practiceId).toBe('BSNR-111111111');

    const listed = await api.request('GET', '/api/v1/webhooks', { key: own });
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([subscription.id]);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect((await api.request('GET', '/api/v1/webhooks', { key: other })).body.items).toEqual([]);
    const stranger = await api.request('GET', `/api/v1/webhooks/${subscription.id}`, {
      key: other,
    });
    expect(stranger.status).toBe(404);
    expect(
      (await api.request('DELETE', `/api/v1/webhooks/${subscription.id}`, { key: other })).status,
    ).toBe(404);
    expect(
      (await api.request('DELETE', `/api/v1/webhooks/${subscription.id}`, { key: own })).status,
    ).toBe(204);
    await hook.close();
  });

  it('when a URL points at plain http elsewhere or at a private, link-local or loopback address, then 422 names the reason', async () => {
    const refused = async (url: string) => {
      const answer = await api.request('POST', '/api/v1/webhooks', {
        body: { url, events: ['process.started'] },
      });
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      return answer.body.detail as string;
    };

    expect(await refused('http://portal.example.org/hook')).toMatch(
      /plain http is allowed only to localhost/,
    );
    expect(await refused('https://10.0.0.1/hook')).toMatch(/10\.0\.0\.1 is a private address/);
    expect(await refused('https://169.254.169.254/latest/meta-data')).toMatch(
      /169\.254\.169\.254 is a link-local address/,
    );
    expect(await refused('https://[::1]/hook')).toMatch(/::1 is a loopback address/);
    expect(await refused('https://user:pw@portal.example.org/hook')).toMatch(/credentials/);
    const unknownEvent = await api.request('POST', '/api/v1/webhooks', {
      body: { url: 'https://portal.example.org/hook', events: ['process.exploded'] },
    });
    expect(unknownEvent.status).toBe(422);
    expect(unknownEvent.body.errors[0].path).toBe('events.0');
    const noEvents = await api.request('POST', '/api/v1/webhooks', {
      body: { url: 'https://portal.example.org/hook', events: [] },
    });
    expect(noEvents.status).toBe(422);
  });

  it('when development mode is off, then plain http is refused even to localhost', async () => {
    const production = new WebhookTargets({ allowHttpLocalhost: false, allowedRanges: [] });

    expect(await production.check('http://127.0.0.1:8080/hook')).toEqual({
      ok: false,
      reason: 'plain http is not allowed: use https',
    });
    expect(await production.check('https://10.1.2.3/hook')).toMatchObject({ ok: false });
    expect(await production.check('https://[::ffff:10.1.2.3]/hook')).toMatchObject({ ok: false });
    const allowed = new WebhookTargets({
      allowHttpLocalhost: false,
      allowedRanges: ['10.1.0.0/16'],
    });
    expect(await allowed.check('https://10.1.2.3/hook')).toEqual({
      ok: true,
      address: '10.1.2.3',
      family: 4,
    });
  });

  it('when the secret is rotated, then deliveries carry both signatures during the overlap', async () => {
    const hook = await receiver(() => 200);
    const subscription = await subscribe(hook.url, ['process.started']);

    const rotated = await api.request('POST', `/api/v1/webhooks/${subscription.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(subscription.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(
      Date.now() + 23 * 3_600_000,
    );
    await startInvitation();

    await expect.poll(() => hook.received.length, { timeout: 15_000 }).toBe(1);
    const delivery = hook.received[0]!;
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(rotated.body.secret, delivery)).toBe(true);
    expect(verifies(subscription.secret, delivery)).toBe(true);
    expect(verifies(`whsec_${randomBytes(32).toString('base64')}`, delivery)).toBe(false);
    await api.request('DELETE', `/api/v1/webhooks/${subscription.id}`);
    await hook.close();
  });
});
