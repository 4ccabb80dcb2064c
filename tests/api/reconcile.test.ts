import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../scripts/lib/reconcile.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';

let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack();
});

afterAll(async () => {
  await api?.stop();
});

const start = async () => {
  const created = await api.request('POST', '/api/v1/processes/invitation', {
    body: {
      input: {
        salutation: null,
        firstName: 'Uta',
        lastName: 'Kern',
        email: `uta.${randomBytes(4).toString('hex')}@praxis.example`,
        practiceId: 'BSNR-300000003',
      },
    },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
};

const check = (fix: boolean) =>
  reconcile({ client: api.client, readModel: api.database.pool, fix, taskQueue: api.taskQueue });

/** Visibility (the list Temporal answers) follows a start within a moment. */
async function listedInTemporal(count: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const { count: listed } = await api.client.workflow.count(`TaskQueue = '${api.taskQueue}'`);
    if (listed >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Temporal did not list the processes');
}

describe('reconcile', () => {
  it('when rows drifted or went missing, then reconcile names them, --fix repairs them, and the next run finds none', async () => {
    const [tampered, lost, intact] = [await start(), await start(), await start()];
    await listedInTemporal(3);
    const { pool } = api.database;
    await untilAtRest(api.client, [tampered, lost, intact]); // the link activities and their projections
    await pool.query("update processes set state = 'completed', status = 'done' where id = $1", [
      tampered,
    ]);
    await pool.query('delete from processes where id = $1', [lost]);

    const report = await check(false);
    expect(report.checked).toBe(3);
    expect(report.drifts).toEqual(
      expect.arrayContaining([
        { id: tampered, kind: 'stale', detail: expect.stringMatching(/state.*status/) },
        { id: lost, kind: 'missing', detail: 'no row' },
      ]),
    );
    expect(report.drifts.map((drift) => drift.id)).not.toContain(intact);
    expect(report.fixed).toBe(0);

    const repaired = await check(true);
    expect(repaired.fixed).toBe(2);
    for (const id of [tampered, lost]) {
      const live = await api.request('GET', `/api/v1/processes/${id}`);
      const { rows } = await pool.query('select state, status, step from processes where id = $1', [
        id,
      ]);
      expect(rows[0]).toEqual({
        state: live.body.state,
        status: live.body.status,
        step: live.body.step,
      });
    }
    expect((await check(false)).drifts).toEqual([]);
  });
});
