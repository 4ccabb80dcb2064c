import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectionActivities } from '../../activities/projection.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { send, startProcess, useTimeSkippingWorker, view } from '../support/workflow-env.js';

/**
 * The read model is a mirror: while its Postgres is away, processes go on, and once it is back
 * their rows catch up by themselves — no `npm run reconcile`. The projection here is the real
 * one on a real Postgres; only the connection is cut, as a restart of Postgres cuts it.
 */
let db: TestDatabase;
let postgresDown = false;
let refusedWrites = 0;
const effects: string[] = [];

const readModel = {
  query(sql: string, values?: unknown[]): Promise<unknown> {
    if (postgresDown) {
      refusedWrites += 1;
      return Promise.reject(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      );
    }
    return db.pool.query(sql, values);
  },
};

const testEnv = useTimeSkippingWorker({
  ...createProjectionActivities({ readModel }),
  recordEffect: async (params: { note: string }) => {
    effects.push(params.note);
  },
  askOracle: async () => ({ type: 'ANSWERED', answer: 42 }),
});
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = testEnv();
  db = await freshDatabase('read_model_outage');
});
afterAll(async () => {
  await db?.drop();
});

interface Row {
  state: string;
  status: string;
  step: number;
}

const rowOf = async (id: string): Promise<Row | undefined> =>
  (await db.pool.query<Row>('select state, status, step from processes where id = $1', [id]))
    .rows[0];

const auditSteps = async (id: string): Promise<number[]> =>
  (
    await db.pool.query<{ step: number }>(
      'select step from audit where process_id = $1 order by step',
      [id],
    )
  ).rows.map((row) => row.step);

/** Polls in real time: the catch-up queue retries on the worker's clock. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the read model during a Postgres outage', () => {
  it('when Postgres is down, then the process moves on, and once it is back its row and audit catch up without a reconcile', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    const id = handle.workflowId;
    await eventually(
      () => rowOf(id),
      (row) => row?.step === 0,
    );

    postgresDown = true;
    const started = Date.now();
    const answer = await send(handle, { type: 'START' });
    const pinged = await send(handle, { type: 'PING', note: 'während des Ausfalls' });
    const waited = Date.now() - started;
    const during = await rowOf(id); // read past the cut connection: what the mirror holds

    // The process went on: the effect ran and both events were answered, each after the
    // projection's short bound, not after Postgres came back.
    expect(answer.state).toBe('working.busy');
    expect(pinged.context).toMatchObject({ pings: 1 });
    expect(effects).toContain('entered busy');
    expect(refusedWrites).toBeGreaterThan(0);
    expect(waited).toBeLessThan(15_000);
    expect(during).toEqual({ state: 'idle', status: 'active', step: 0 });

    postgresDown = false;
    const caughtUp = await eventually(
      () => rowOf(id),
      (row) => row?.step === pinged.step,
    );

    expect(caughtUp).toEqual({ state: 'working.busy', status: 'active', step: pinged.step });
    // Each missed step is written by its own retrying activity: the last may land first.
    const audit = await eventually(
      () => auditSteps(id),
      (steps) => steps.length === 3,
    );
    expect(audit).toEqual([0, 1, 2]);
    expect((await view(handle)).step).toBe(pinged.step);
  });

  it('when Postgres is up, then the row is written before the event is answered', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await eventually(
      () => rowOf(handle.workflowId),
      (row) => row?.step === 0,
    );

    const answer = await send(handle, { type: 'START' });

    expect(await rowOf(handle.workflowId)).toEqual({
      state: 'working.busy',
      status: 'active',
      step: answer.step,
    });
  });
});
