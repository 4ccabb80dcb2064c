import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectionActivities } from '../../activities/projection.js';
import { ReadModel } from '../../api/read-model.js';
import { DEFAULT_SLA_POLICY, slaPolicy } from '../../db/sla.js';
import { postgresSlaReportSource } from '../../db/sla-report.js';
import type { ProcessView } from '../../workflows/interpreter/types.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * Service levels against the real stack: an invitation driven to „Beantragt“ gets its due time
 * from the instant it entered the state (2 working days, the production default); moving that
 * instant into the past in the database (as if it had waited since) makes it overdue in the
 * list, its view, the overview and /metrics.
 */

let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack();
});

afterAll(async () => {
  await api?.stop();
});

interface SlaRow {
  state: string;
  step: number;
  state_entered_at: Date | null;
  sla_due_at: Date | null;
}

async function rowOf(id: string): Promise<SlaRow | undefined> {
  const { rows } = await api.database.pool.query<SlaRow>(
    'select state, step, state_entered_at, sla_due_at from processes where id = $1',
    [id],
  );
  return rows[0];
}

/** The read model row once it shows at least this step. */
async function rowAt(id: string, step: number): Promise<SlaRow> {
  for (let i = 0; i < 200; i += 1) {
    const row = await rowOf(id);
    if (row && row.step >= step) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${id} never reached step ${step} in the read model`);
}

/** Starts an invitation and takes it through the registration to „Beantragt“. */
async function requestedInvitation(): Promise<{ id: string; token: string; step: number }> {
  const email = `sla.${randomBytes(4).toString('hex')}@praxis.example`;
  const created = await api.request('POST', '/api/v1/processes/invitation', {
    body: {
      input: {
        salutation: 'Frau',
        firstName: 'Erika',
        lastName: 'Mustermann',
        email,
        practiceId: 'BSNR-555555555',
      },
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const events = `/api/v1/processes/${id}/events`;
  const mail = await waitForMessage({ to: email, subject: /Einladung/, timeoutMs: 20_000 });
  const token = /token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? '';
  expect(
    (await api.request('POST', events, { body: { type: 'REGISTRATION_STARTED', token } })).status,
  ).toBe(200);
  const personal = await api.request('POST', events, {
    body: { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-04-12' },
  });
  expect(personal.status).toBe(200);
  const code = String(personal.body.revealed?.activationCode).replace(' ', '');
  const activated = await api.request('POST', events, {
    body: {
      type: 'DEVICE_ACTIVATED',
      activationCode: code,
      pin: '275913',
      pinConfirmation: '275913',
    },
  });
  expect(activated.status).toBe(200);
  expect(activated.body.state).toBe('requested');
  return { id, token, step: activated.body.step as number };
}

const list = async (query: string) => {
  const answer = await api.request('GET', `/api/v1/processes?type=invitation&${query}`);
  expect(answer.status).toBe(200);
  return answer.body.items as { id: string; sla: unknown }[];
};

describe('service levels („überfällig“)', () => {
  it('when an invitation is only invited, then it has no service level and is not overdue', async () => {
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: null,
          firstName: 'Max',
          lastName: 'Muster',
          email: `sla.${randomBytes(4).toString('hex')}@praxis.example`,
          practiceId: 'BSNR-555555555',
        },
      },
    });
    expect(created.status).toBe(201);
    const row = await rowAt(created.body.id, 0);
    // The API's starting row and the workflow's first projection agree on when the state began.
    expect(row.state_entered_at?.toISOString()).toBe(created.body.createdAt);
    expect(row.sla_due_at).toBeNull();
    const item = (await list('overdue=false')).find((entry) => entry.id === created.body.id);
    expect(item?.sla).toBeNull();
    expect((await list('overdue=true')).map((entry) => entry.id)).not.toContain(created.body.id);
  });

  it('when an invitation waits in „Beantragt“ past 2 working days, then the list, its view, the overview and /metrics say it is overdue', async () => {
    const { id, token, step } = await requestedInvitation();
    const events = `/api/v1/processes/${id}/events`;
    const row = await rowAt(id, step);
    expect(row.state).toBe('requested');
    const history = await api.request('GET', `/api/v1/processes/${id}/history`);
    const entered = (history.body.entries as { to: string; at: string }[]).find(
      (entry) => entry.to === 'requested',
    )!.at;
    const dueAt = DEFAULT_SLA_POLICY.dueAt('invitation', 'requested', entered)!;
    // 2 working days in German time from when it entered the state, not yet passed.
    expect(row.state_entered_at?.toISOString()).toBe(entered);
    expect(row.sla_due_at?.toISOString()).toBe(dueAt);
    const inTime = { dueAt, overdue: false, overdueSince: null };
    expect((await list('overdue=false')).find((entry) => entry.id === id)?.sla).toEqual(inTime);
    expect((await list('overdue=true')).map((entry) => entry.id)).not.toContain(id);
    expect((await api.request('GET', `/api/v1/processes/${id}`)).body.sla).toEqual(inTime);

    // As if it had waited since ten days ago: the same target, counted from then.
    const longAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const pastDue = DEFAULT_SLA_POLICY.dueAt('invitation', 'requested', longAgo)!;
    await api.database.pool.query(
      'update processes set state_entered_at = $2, sla_due_at = $3 where id = $1',
      [id, longAgo, pastDue],
    );
    const overdue = { dueAt: pastDue, overdue: true, overdueSince: pastDue };
    const listed = await list('overdue=true');
    expect(listed.map((entry) => entry.id)).toEqual([id]);
    expect(listed[0]?.sla).toEqual(overdue);
    expect((await list('overdue=false')).map((entry) => entry.id)).not.toContain(id);
    expect((await api.request('GET', `/api/v1/processes/${id}`)).body.sla).toEqual(overdue);

    const overview = await api.request('GET', '/api/v1/overview');
    expect(overview.status).toBe(200);
    expect(overview.body.overdue).toBe(1);
    expect(overview.body.counts).toContainEqual(
      expect.objectContaining({ type: 'invitation', state: 'requested', count: 1, overdue: 1 }),
    );
    const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
    expect(metrics).toContain(
      'praxisflow_processes_overdue{type="invitation",state="requested"} 1',
    );
    // The back office's daily report finds it, with whom it is about, from the read model.
    const report = postgresSlaReportSource(api.database.pool);
    const since = new Date(Date.parse(pastDue) - 1000).toISOString();
    expect(await report.overdueBetween(since, new Date().toISOString())).toEqual([
      expect.objectContaining({
        id,
        type: 'invitation',
        stateLabel: 'Beantragt',
        overdueSince: pastDue,
        about: expect.stringContaining('@'),
      }),
    ]);
    expect(await report.overdueBetween(pastDue, new Date().toISOString())).toEqual([]);
    expect(metrics).toContain(
      'praxisflow_processes_overdue{type="ehbaApplication",state="documentsReceived"} 0',
    );

    // A step that stays in the state (the person opens the link again) keeps the due time.
    const reopened = await api.request('POST', events, {
      body: { type: 'REGISTRATION_STARTED', token },
    });
    expect(reopened.status).toBe(200);
    const after = await rowAt(id, step + 1);
    expect(after.state).toBe('requested');
    expect(after.sla_due_at?.toISOString()).toBe(pastDue);

    // Approved: no longer waiting, no longer overdue.
    const approved = await api.request('POST', events, { body: { type: 'REGISTRATION_APPROVED' } });
    expect(approved.status).toBe(200);
    const done = await rowAt(id, approved.body.step as number);
    expect(done.state).toBe('completed');
    expect(done.sla_due_at).toBeNull();
    expect(await list('overdue=true')).toEqual([]);
    expect((await api.request('GET', '/api/v1/overview')).body.overdue).toBe(0);
    expect(await (await fetch(`${api.baseUrl}/metrics`)).text()).toContain(
      'praxisflow_processes_overdue{type="invitation",state="requested"} 0',
    );
  });

  it('when a row from before service levels has no due time, then its next step gives it one from when it entered the state', async () => {
    const { id, token, step } = await requestedInvitation();
    await rowAt(id, step);
    const longAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await api.database.pool.query(
      'update processes set state_entered_at = $2, sla_due_at = null where id = $1',
      [id, longAgo],
    );
    expect((await list('overdue=false')).find((entry) => entry.id === id)?.sla).toBeNull();
    const reopened = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: { type: 'REGISTRATION_STARTED', token },
    });
    expect(reopened.status).toBe(200);
    const row = await rowAt(id, step + 1);
    const pastDue = DEFAULT_SLA_POLICY.dueAt('invitation', 'requested', longAgo)!;
    expect(row.sla_due_at?.toISOString()).toBe(pastDue);
    expect((await list('overdue=true')).find((entry) => entry.id === id)?.sla).toEqual({
      dueAt: pastDue,
      overdue: true,
      overdueSince: pastDue,
    });
  });

  it("when the API writes a started process's row and the workflow's projection writes the same step, then both give its first state the same due time, and later steps keep or renew it", async () => {
    // A deployment whose first invitation state has a target (3 working days in NW).
    const sla = slaPolicy({ invitation: { 'registration.invited': { workingDays: 3 } } }, 'NW');
    const id = `invitation-sla-${randomBytes(6).toString('hex')}`;
    const view: ProcessView = {
      id,
      type: 'invitation',
      version: 2,
      businessKey: id.slice('invitation-'.length),
      practiceId: 'BSNR-555555555',
      state: 'registration.invited',
      stateLabel: 'Eingeladen',
      status: 'active',
      allowedEvents: [],
      timers: [],
      context: {},
      incident: null,
      children: [],
      step: 0,
      // The Wednesday before Fronleichnam (a holiday in NW): Thursday does not count.
      createdAt: '2026-06-03T08:00:00.000Z',
      updatedAt: '2026-06-03T08:00:00.000Z',
    };
    const expected = '2026-06-09T08:00:00.000Z';
    await new ReadModel(api.database.pool, sla).recordStart(view, 'run-1', 'key-test');
    expect((await rowOf(id))?.sla_due_at?.toISOString()).toBe(expected);
    const { recordTransition } = createProjectionActivities({ readModel: api.database.pool, sla });
    const audit = (step: number, to: string, at: string) => ({
      step,
      event: 'E',
      actor: 'system',
      from: null,
      to,
      toLabel: to,
      at,
    });
    await recordTransition({
      view,
      runId: 'run-1',
      audit: audit(0, view.state, view.createdAt),
    });
    expect((await rowOf(id))?.sla_due_at?.toISOString()).toBe(expected);
    // A later step in the same state keeps it; leaving the state drops it; cancelled, none.
    const later = { ...view, step: 1, updatedAt: '2026-06-05T08:00:00.000Z' };
    await recordTransition({
      view: later,
      runId: 'run-1',
      audit: audit(1, later.state, later.updatedAt),
    });
    expect((await rowOf(id))?.sla_due_at?.toISOString()).toBe(expected);
    const moved = { ...later, step: 2, state: 'registration.personalData' };
    await recordTransition({
      view: moved,
      runId: 'run-1',
      audit: audit(2, moved.state, moved.updatedAt),
    });
    expect(await rowOf(id)).toMatchObject({ sla_due_at: null, state: 'registration.personalData' });
    const back = {
      ...moved,
      step: 3,
      state: 'registration.invited',
      updatedAt: '2026-06-08T08:00:00.000Z',
    };
    await recordTransition({
      view: back,
      runId: 'run-1',
      audit: audit(3, back.state, back.updatedAt),
    });
    expect((await rowOf(id))?.sla_due_at?.toISOString()).toBe('2026-06-11T08:00:00.000Z');
    const cancelled = { ...back, step: 4, status: 'cancelled' as const };
    await recordTransition({
      view: cancelled,
      runId: 'run-1',
      audit: audit(4, back.state, back.updatedAt),
    });
    expect((await rowOf(id))?.sla_due_at).toBeNull();
  });

  it('when overdue is neither true nor false, then the list answers 422 naming it', async () => {
    const answer = await api.request('GET', '/api/v1/processes?overdue=yes');
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body.errors)).toContain('overdue');
  });
});
