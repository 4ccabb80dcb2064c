import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulkActionActivities } from '../../activities/bulk-actions.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';
import { messagesTo } from '../support/mailcatcher.js';

let api: ApiStack;
let keys: { operator: string; client: string };
const PRACTICE = 'BSNR-753159852';
const OTHER_PRACTICE = 'BSNR-159753456';

beforeAll(async () => {
  api = await startApiStack();
  keys = {
    operator: await api.createKey('operator'),
    client: await api.createKey('client', [PRACTICE]),
  };
});

afterAll(async () => {
  await api?.stop();
});

/** `n` fresh invitations of a practice, started in this order, at rest in `registration.invited`. */
async function invitations(
  n: number,
  practiceId: string,
): Promise<{ id: string; email: string }[]> {
  const started: { id: string; email: string }[] = [];
  for (let i = 0; i < n; i += 1) {
    const email = `bulk.${randomBytes(4).toString('hex')}@praxis.example`;
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: { salutation: 'Frau', firstName: 'Berta', lastName: 'Bulk', email, practiceId },
      },
    });
    expect(created.status).toBe(201);
    started.push({ id: created.body.id as string, email });
  }
  await untilAtRest(
    api.client,
    started.map((process) => process.id),
  );
  return started;
}

interface Job {
  id: string;
  status: string;
  total: number;
  counts: { pending: number; done: number; refused: number; failed: number; skipped: number };
}

/** Starts a bulk action over the invitations of `practice`, as an operator. */
const startBulk = (practice: string, action: unknown, ratePerSecond: number) =>
  api.request('POST', '/api/v1/bulk-actions', {
    body: { filter: { type: 'invitation', practiceId: practice }, action, ratePerSecond },
    key: keys.operator,
  });

/** Polls the bulk action until it has ended. */
/** Waits until the job has ended and every process it took has its result. */
async function untilEnded(id: string): Promise<Job> {
  for (let i = 0; i < 600; i += 1) {
    const job = await api.request('GET', `/api/v1/bulk-actions/${id}`, { key: keys.operator });
    expect(job.status).toBe(200);
    const body = job.body as unknown as Job;
    if (body.status !== 'running' && body.counts.pending === 0) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`bulk action ${id} did not end within 60 s`);
}

/** Waits until `count` invitation emails (the first and each resent one) reached `email`. */
async function untilInvitationEmails(email: string, count: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const invitations = (await messagesTo(email)).filter((m) => /^Einladung/.test(m.subject));
    if (invitations.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${email} did not get ${count} invitation emails within 10 s`);
}

const historyOf = async (id: string) =>
  (await api.request('GET', `/api/v1/processes/${id}/history`)).body.entries as {
    event: string;
    actor: string;
    detail?: Record<string, unknown>;
  }[];

describe('bulk actions', () => {
  it('previews an event over a practice’s invitations: how many, which would refuse and why, nothing sent', async () => {
    const [first, second, ended] = await invitations(3, PRACTICE);
    const revoked = await api.request('POST', `/api/v1/processes/${ended!.id}/events`, {
      body: { type: 'INVITATION_REVOKED' },
      key: keys.operator,
    });
    expect(revoked.status).toBe(200);
    await untilAtRest(api.client, [ended!.id]);

    const preview = await api.request('POST', '/api/v1/bulk-actions/preview', {
      body: {
        filter: { type: 'invitation', practiceId: PRACTICE },
        action: { kind: 'event', event: { type: 'INVITATION_RESENT' } },
      },
      key: keys.operator,
    });

    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ matched: 3, willAct: 2, willRefuse: 1 });
    expect(preview.body.refusals).toEqual([
      expect.objectContaining({ code: 'ended', count: 1, sample: [ended!.id] }),
    ]);
    expect(preview.body.sample.sort()).toEqual([first!.id, second!.id].sort());
    // Nothing happened: no step beyond the invitation's own.
    expect((await historyOf(first!.id)).map((entry) => entry.event)).not.toContain(
      'INVITATION_RESENT',
    );
  });

  it('sends one event to every selected process as a durable job: a result per process, each audit naming the bulk action', async () => {
    const practice = `BSNR-${randomBytes(3).readUIntBE(0, 3) % 900_000_000}`;
    const targets = await invitations(4, practice);

    const started = await startBulk(
      practice,
      { kind: 'event', event: { type: 'INVITATION_RESENT' } },
      50,
    );

    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/api/v1/bulk-actions/${started.body.id}`);
    expect(started.body).toMatchObject({ status: 'running', total: 4 });
    const job = await untilEnded(started.body.id);
    expect(job).toMatchObject({ status: 'done', counts: { done: 4, pending: 0, refused: 0 } });
    const items = await api.request('GET', `/api/v1/bulk-actions/${job.id}/items`, {
      key: keys.operator,
    });
    expect(items.body.items).toHaveLength(4);
    for (const item of items.body.items) {
      expect(item).toMatchObject({ status: 'done', outcome: { stateLabel: expect.any(String) } });
    }
    for (const target of targets) {
      const resent = (await historyOf(target.id)).find(
        (entry) => entry.event === 'INVITATION_RESENT',
      );
      expect(resent?.detail).toEqual({ bulkAction: job.id });
      await untilInvitationEmails(target.email, 2);
    }
  });

  it('when the job’s first activity runs before the API has committed the job, then it waits for the rows instead of ending the job empty', async () => {
    const practice = `BSNR-${randomBytes(3).readUIntBE(0, 3) % 900_000_000}`;
    const [target] = await invitations(1, practice);
    const activities = createBulkActionActivities({ pool: api.database.pool, client: api.client });
    const bulkId = `ba_${randomBytes(12).toString('base64url')}`;
    const request = {
      bulkId,
      action: { kind: 'event', event: { type: 'INVITATION_RESENT' } },
      actor: 'test',
      ratePerSecond: 50,
      limit: 1_000,
    } as const;
    // The API's transaction, as it stands while Temporal takes the start.
    const db = await api.database.pool.connect();
    try {
      await db.query('begin');
      await db.query(
        `insert into bulk_actions (id, action, filter, actor, practices, rate, status, total)
          values ($1, $2, '{}', 'test', null, 50, 'running', 1)`,
        [bulkId, JSON.stringify(request.action)],
      );
      await db.query(
        `insert into bulk_action_items (bulk_id, position, process_id, status)
          values ($1, 0, $2, 'pending')`,
        [bulkId, target!.id],
      );

      await expect(
        new MockActivityEnvironment({ attempt: 1 }).run(activities.applyBulkItems, request),
      ).rejects.toMatchObject({ type: 'BulkActionNotRecorded', nonRetryable: false });
      await db.query('commit');
    } finally {
      db.release();
    }

    await expect(
      new MockActivityEnvironment({ attempt: 2 }).run(activities.applyBulkItems, request),
    ).resolves.toBe(1);
    const items = await api.request('GET', `/api/v1/bulk-actions/${bulkId}/items`, {
      key: keys.operator,
    });
    expect(items.body.items).toEqual([expect.objectContaining({ status: 'done' })]);
    // A job never committed (its transaction rolled back) ends its workflow after the attempts.
    await expect(
      new MockActivityEnvironment({ attempt: 10 }).run(activities.applyBulkItems, {
        ...request,
        bulkId: `ba_${randomBytes(12).toString('base64url')}`,
      }),
    ).resolves.toBe(0);
  });

  it('cancels with a reason; a process that ended meanwhile is refused with the process’s own answer', async () => {
    const practice = `BSNR-${randomBytes(3).readUIntBE(0, 3) % 900_000_000}`;
    const [open, cancelledMeanwhile] = await invitations(2, practice);
    // The read model still shows the second active when the job is created; one a second,
    // the job comes to it a second after the first, when it has ended: the process refuses.
    const started = await startBulk(practice, { kind: 'cancel', reason: 'Praxis geschlossen.' }, 1);
    expect(started.status).toBe(202);
    const direct = await api.request('DELETE', `/api/v1/processes/${cancelledMeanwhile!.id}`, {
      body: { reason: 'Schon vorher storniert.' },
      key: keys.operator,
    });
    expect(direct.status).toBe(200);

    const job = await untilEnded(started.body.id);
    expect(job.counts).toMatchObject({ done: 1, refused: 1 });
    const refused = await api.request(
      'GET',
      `/api/v1/bulk-actions/${job.id}/items?status=refused`,
      { key: keys.operator },
    );
    expect(refused.body.items).toEqual([
      expect.objectContaining({
        processId: cancelledMeanwhile!.id,
        outcome: expect.objectContaining({ reason: expect.stringMatching(/has ended/) }),
      }),
    ]);
    const cancel = (await historyOf(open!.id)).at(-1)!;
    expect(cancel).toMatchObject({
      event: 'CANCELLED',
      detail: { reason: 'Praxis geschlossen.', bulkAction: job.id },
    });
  });

  it('survives a worker restart half-way: every process acted on exactly once', async () => {
    const practice = `BSNR-${randomBytes(3).readUIntBE(0, 3) % 900_000_000}`;
    const targets = await invitations(4, practice);
    const started = await startBulk(
      practice,
      { kind: 'event', event: { type: 'INVITATION_RESENT' } },
      2,
    );
    expect(started.status).toBe(202);

    await api.restartWorker();

    const job = await untilEnded(started.body.id);
    expect(job).toMatchObject({ status: 'done', counts: { done: 4, pending: 0 } });
    for (const target of targets) {
      const resent = (await historyOf(target.id)).filter(
        (entry) => entry.event === 'INVITATION_RESENT',
      );
      expect(resent).toHaveLength(1);
    }
  });

  it('a cancelled bulk action acts on no further process; its pending ones are skipped', async () => {
    const practice = `BSNR-${randomBytes(3).readUIntBE(0, 3) % 900_000_000}`;
    await invitations(5, practice);
    const started = await startBulk(
      practice,
      {
        kind: 'fireTimer',
        timer: 'invitationReminder',
        reason: 'Erinnerung vor dem Quartalsende.',
      },
      1,
    );
    expect(started.status).toBe(202);

    const cancelled = await api.request('POST', `/api/v1/bulk-actions/${started.body.id}/cancel`, {
      key: keys.operator,
    });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const job = await untilEnded(started.body.id);
    expect(job.counts.skipped).toBeGreaterThanOrEqual(3);
    expect(job.counts.done + job.counts.skipped).toBe(5);
    const again = await api.request('POST', `/api/v1/bulk-actions/${job.id}/cancel`, {
      key: keys.operator,
    });
    expect(again.status).toBe(409);
    // Nothing more happens after the cancel, however long one waits for the job.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await untilEnded(job.id)).counts).toEqual(job.counts);
  });

  it('refuses what it cannot do safely: no type for an event, an event with a secret, a client key, unknown fields', async () => {
    const post = (body: unknown, key = keys.operator) =>
      api.request('POST', '/api/v1/bulk-actions/preview', { body, key });

    const noType = await post({
      filter: { practiceId: PRACTICE },
      action: { kind: 'event', event: { type: 'INVITATION_RESENT' } },
    });
    expect(noType.status).toBe(422);
    expect(noType.body.errors).toEqual([expect.objectContaining({ path: 'filter.type' })]);

    const secretEvent = await post({
      filter: { type: 'contactVerification' },
      action: { kind: 'event', event: { type: 'CODE_SUBMITTED', code: '123456' } },
    });
    expect(secretEvent.status).toBe(422);
    expect(secretEvent.body.detail).toMatch(/secret/);

    const unknownEvent = await post({
      filter: { type: 'invitation' },
      action: { kind: 'event', event: { type: 'NO_SUCH_EVENT' } },
    });
    expect(unknownEvent.status).toBe(422);

    const client = await post(
      { filter: { type: 'invitation' }, action: { kind: 'cancel', reason: 'x' } },
      keys.client,
    );
    expect(client.status).toBe(403);

    const unknownField = await post({
      filter: { type: 'invitation', colour: 'red' },
      action: { kind: 'retry' },
    });
    expect(unknownField.status).toBe(422);

    const nothing = await api.request('POST', '/api/v1/bulk-actions', {
      body: { filter: { practiceId: OTHER_PRACTICE }, action: { kind: 'retry' } },
      key: keys.operator,
    });
    expect(nothing.status).toBe(422);
    expect(nothing.body.detail).toMatch(/selects no process/);

    // A page after a position no bulk action has: refused, not looked up.
    const existing = (await api.request('GET', '/api/v1/bulk-actions', { key: keys.operator })).body
      .items[0].id as string;
    const farAfter = await api.request(
      'GET',
      `/api/v1/bulk-actions/${existing}/items?after=85022189628445`,
      { key: keys.operator },
    );
    expect(farAfter.status).toBe(422);
    expect(farAfter.body.errors).toEqual([expect.objectContaining({ path: 'after' })]);

    const missing = await api.request('GET', '/api/v1/bulk-actions/ba_doesnotexist000', {
      key: keys.operator,
    });
    expect(missing.status).toBe(404);
  });
});
