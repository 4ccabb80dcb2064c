import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';
import { startInvitationV1 } from '../support/old-versions.js';

let api: ApiStack;
let operator: string;

beforeAll(async () => {
  api = await startApiStack();
  operator = await api.createKey('operator');
});

afterAll(async () => {
  await api?.stop();
});

const newPractice = () => `BSNR-${100_000_000 + (randomBytes(3).readUIntBE(0, 3) % 800_000_000)}`;

/** `n` version-1 invitations of a practice, as started before version 2 existed, at rest. */
async function invitationsV1(n: number, practiceId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) ids.push(await startInvitationV1(api, practiceId));
  await untilAtRest(api.client, ids);
  await untilRows(ids, (rows) => rows.length === ids.length);
  return ids;
}

/** Waits until the read model's rows of `ids` satisfy `done`. */
async function untilRows(
  ids: readonly string[],
  done: (rows: { id: string; version: number; status: string }[]) => boolean,
): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const { rows } = await api.database.pool.query<{ id: string; version: number; status: string }>(
      'select id, version, status from processes where id = any($1::text[])',
      [ids],
    );
    if (done(rows)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the read model did not catch up within 10 s');
}

const REASON = 'Version 2: die Erinnerung gilt im ganzen Registrierungsfenster';

const migrateAction = { kind: 'migrate', toVersion: 2, reason: REASON };

const preview = (filter: Record<string, string>, action: unknown = migrateAction) =>
  api.request('POST', '/api/v1/bulk-actions/preview', {
    body: { filter, action },
    key: operator,
  });

interface Job {
  id: string;
  status: string;
  counts: { pending: number; done: number; refused: number; failed: number };
}

async function untilEnded(id: string): Promise<Job> {
  for (let i = 0; i < 600; i += 1) {
    const job = await api.request('GET', `/api/v1/bulk-actions/${id}`, { key: operator });
    const body = job.body as unknown as Job;
    if (body.status !== 'running' && body.counts.pending === 0) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`bulk action ${id} did not end within 60 s`);
}

describe('bulk migrations', () => {
  it('when an operator previews a migration of the version-1 invitations, then it counts those that would move, groups the refused by why, and nothing moves', async () => {
    const practice = newPractice();
    const [first, second, revoked] = await invitationsV1(3, practice);
    const ended = await api.request('POST', `/api/v1/processes/${revoked}/events`, {
      body: { type: 'INVITATION_REVOKED' },
      key: operator,
    });
    expect(ended.status).toBe(200);
    const current = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: 'Herr',
          firstName: 'Viktor',
          lastName: 'Version',
          email: `viktor.${randomBytes(4).toString('hex')}@praxis.example`,
          practiceId: practice,
        },
      },
    });
    expect(current.status).toBe(201);
    await untilRows([revoked!, current.body.id], (rows) =>
      rows.some((row) => row.id === revoked && row.status !== 'active'),
    );

    const onVersion1 = await preview({ type: 'invitation', version: '1', practiceId: practice });
    const all = await preview({ type: 'invitation', practiceId: practice });

    expect(onVersion1.status).toBe(200);
    expect(onVersion1.body).toMatchObject({ matched: 3, willAct: 2, willRefuse: 1, notes: [] });
    expect(onVersion1.body.refusals).toEqual([
      expect.objectContaining({ code: 'ended', count: 1, sample: [revoked] }),
    ]);
    expect([...onVersion1.body.sample].sort()).toEqual([first, second].sort());
    expect(all.body).toMatchObject({ matched: 4, willAct: 2, willRefuse: 2 });
    expect(all.body.refusals).toContainEqual({
      code: 'notMigratable',
      reason: 'The process already runs version 2',
      count: 1,
      sample: [current.body.id],
    });
    const { rows } = await api.database.pool.query(
      'select version from processes where id = any($1::text[])',
      [[first, second]],
    );
    expect(rows).toEqual([{ version: 1 }, { version: 1 }]);
    const jobs = await api.database.pool.query(
      "select 1 from bulk_actions where filter->>'practiceId' = $1",
      [practice],
    );
    expect(jobs.rowCount).toBe(0);
  });

  it('when a migration names no type or a version the type lacks, then 422 names the field', async () => {
    const noType = await preview({ version: '1' });
    const noVersion = await preview(
      { type: 'invitation' },
      { kind: 'migrate', toVersion: 9, reason: REASON },
    );

    expect(noType.status).toBe(422);
    expect(noType.body.errors).toContainEqual(expect.objectContaining({ path: 'filter.type' }));
    expect(noVersion.status).toBe(422);
    expect(noVersion.body.errors).toContainEqual(
      expect.objectContaining({ path: 'action.toVersion' }),
    );
  });

  it('when the job migrates the version-1 invitations, then each runs version 2 with an audit entry naming the bulk action, and one moved or ended meanwhile is refused with the process’s answer', async () => {
    const practice = newPractice();
    const [a, b, movedMeanwhile, endedMeanwhile] = await invitationsV1(4, practice);

    // One a second: the job comes to the last two after they moved or ended on their own.
    const started = await api.request('POST', '/api/v1/bulk-actions', {
      body: {
        filter: { type: 'invitation', version: '1', practiceId: practice },
        action: migrateAction,
        ratePerSecond: 1,
      },
      key: operator,
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ total: 4, action: migrateAction });
    const single = await api.request('POST', `/api/v1/processes/${movedMeanwhile}/migrations`, {
      body: { toVersion: 2, reason: 'Schon einzeln umgestellt' },
      key: operator,
    });
    expect(single.status).toBe(200);
    const revoked = await api.request('POST', `/api/v1/processes/${endedMeanwhile}/events`, {
      body: { type: 'INVITATION_REVOKED' },
      key: operator,
    });
    expect(revoked.status).toBe(200);

    const job = await untilEnded(started.body.id);

    expect(job).toMatchObject({ status: 'done', counts: { done: 2, refused: 2, failed: 0 } });
    const items = await api.request('GET', `/api/v1/bulk-actions/${job.id}/items`, {
      key: operator,
    });
    const byProcess = new Map(
      items.body.items.map((item: { processId: string }) => [item.processId, item]),
    );
    expect(byProcess.get(a!)).toMatchObject({
      status: 'done',
      outcome: { stateLabel: 'Eingeladen' },
    });
    expect(byProcess.get(movedMeanwhile!)).toMatchObject({
      status: 'refused',
      outcome: { reason: 'The process already runs version 2', httpStatus: 409 },
    });
    expect(byProcess.get(endedMeanwhile!)).toMatchObject({
      status: 'refused',
      outcome: { reason: expect.stringMatching(/has ended|ended/) },
    });
    await untilRows([a!, b!], (rows) => rows.every((row) => row.version === 2));
    for (const id of [a!, b!]) {
      const entries = (await api.request('GET', `/api/v1/processes/${id}/history`)).body.entries;
      expect(entries.at(-1)).toMatchObject({
        event: 'MIGRATED',
        detail: { fromVersion: 1, toVersion: 2, reason: REASON, bulkAction: job.id },
      });
    }
    const single2 = (await api.request('GET', `/api/v1/processes/${movedMeanwhile}/history`)).body
      .entries;
    expect(single2.filter((entry: { event: string }) => entry.event === 'MIGRATED')).toHaveLength(
      1,
    );
  });
});
