import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadModel } from '../../activities/projection.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';
import { waitForMessage } from '../support/mailcatcher.js';

let api: ApiStack;
/** How many projection writes were committed and then reported as failed (the activity retried). */
let failedAfterWrite = 0;

/**
 * The projection's database, as if the worker died right after each step's first write: the
 * row and the audit entry are committed, the activity fails, Temporal retries it.
 */
function failingAfterFirstWrite(real: ReadModel): ReadModel {
  const seen = new Set<string>();
  return {
    async query(sql, values) {
      const result = await real.query(sql, values);
      const key = `${String(values?.[0])}:${String(values?.[2])}`;
      if (sql.includes('insert into audit') && !seen.has(key)) {
        seen.add(key);
        failedAfterWrite += 1;
        throw new Error('connection lost after commit (simulated)');
      }
      return result;
    },
  };
}

beforeAll(async () => {
  api = await startApiStack({ projectionReadModel: failingAfterFirstWrite });
});

afterAll(async () => {
  await api?.stop();
});

interface Row {
  step: number;
  state: string;
  state_label: string;
  status: string;
  allowed_events: string[];
  timers: unknown;
  context: unknown;
  practice_id: string | null;
  business_key: string;
  updated_at: Date;
}

async function rowOf(id: string): Promise<Row | undefined> {
  const { rows } = await api.database.pool.query<Row>('select * from processes where id = $1', [
    id,
  ]);
  return rows[0];
}

/** The read model row equals the live view (the answer of GET /processes/{id}). */
async function expectReadModelEqualsView(id: string): Promise<number> {
  const live = await api.request('GET', `/api/v1/processes/${id}`);
  expect(live.status).toBe(200);
  const row = await rowOf(id);
  expect(row).toBeDefined();
  expect({
    step: row!.step,
    state: row!.state,
    stateLabel: row!.state_label,
    status: row!.status,
    allowedEvents: row!.allowed_events,
    timers: row!.timers,
    context: row!.context,
    practiceId: row!.practice_id,
    businessKey: row!.business_key,
    updatedAt: row!.updated_at.toISOString(),
  }).toEqual({
    step: live.body.step,
    state: live.body.state,
    stateLabel: live.body.stateLabel,
    status: live.body.status,
    allowedEvents: live.body.allowedEvents,
    timers: live.body.timers,
    context: live.body.context,
    practiceId: live.body.practiceId,
    businessKey: live.body.businessKey,
    updatedAt: live.body.updatedAt,
  });
  return live.body.step as number;
}

/** Activities feed events back on their own time (the link of a new invitation, a code). */
const settled = (id: string): Promise<void> => untilAtRest(api.client, [id]);

describe('the read model of a live invitation', () => {
  it('when an invitation is walked to the end through a worker restart and failing projections, then after every step the row equals the view and the audit has each step once', async () => {
    const email = `lea.${randomBytes(4).toString('hex')}@praxis.example`;
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: 'Frau',
          firstName: 'Lea',
          lastName: 'Sommer',
          email,
          practiceId: 'BSNR-111111111',
        },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const events = `/api/v1/processes/${id}/events`;

    // The start and the link activity's answer: steps 0 and 1.
    await settled(id);
    expect(await expectReadModelEqualsView(id)).toBe(1);

    const invitationMail = await waitForMessage({ to: email, subject: /Einladung/ });
    const token = /token=([A-Za-z0-9_-]{43})/.exec(invitationMail.text)?.[1];
    const started = await api.request('POST', events, {
      body: { type: 'REGISTRATION_STARTED', token },
    });
    expect(started.status).toBe(200);
    await expectReadModelEqualsView(id);

    await api.restartWorker();

    const personal = await api.request('POST', events, {
      body: { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-04-12' },
    });
    expect(personal.status).toBe(200);
    // The registration page shows the activation code: it comes with the answer, once.
    const code = /^(\d{4}) (\d{4})$/.exec(String(personal.body.revealed?.activationCode));
    await settled(id);
    await expectReadModelEqualsView(id);

    const activated = await api.request('POST', events, {
      body: {
        type: 'DEVICE_ACTIVATED',
        activationCode: `${code?.[1]}${code?.[2]}`,
        pin: '275913',
        pinConfirmation: '275913',
      },
    });
    expect(activated.status).toBe(200);
    expect(activated.body.state).toBe('requested');
    await expectReadModelEqualsView(id);

    const approved = await api.request('POST', events, { body: { type: 'REGISTRATION_APPROVED' } });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('completed');
    const lastStep = await expectReadModelEqualsView(id);

    // Every step once, in order, none twice, although each was written twice.
    const history = await api.request('GET', `/api/v1/processes/${id}/history`);
    expect(history.status).toBe(200);
    const steps = (history.body.entries as { step: number }[]).map((entry) => entry.step);
    expect(steps).toEqual(Array.from({ length: lastStep + 1 }, (_, n) => n));
    expect(failedAfterWrite).toBeGreaterThanOrEqual(lastStep + 1);
    expect(history.body.entries[0]).toMatchObject({
      step: 0,
      event: 'STARTED',
      from: null,
      to: 'registration.invited',
      toLabel: 'Eingeladen',
    });
    expect(history.body.entries.at(-1)).toMatchObject({
      event: 'REGISTRATION_APPROVED',
      from: 'requested',
      to: 'completed',
      toLabel: 'Erfolgreich abgeschlossen',
    });
    // Secrets never reach the audit trail or the read model.
    const stored = JSON.stringify([history.body, await rowOf(id)]);
    for (const secret of [token!, '275913', `${code?.[1]}${code?.[2]}`]) {
      expect(stored).not.toContain(secret);
    }
  });

  it('when an operator cancels a process with a reason, then it ends as cancelled, the audit names who and why, and a second cancel is 409', async () => {
    const operator = await api.createKey('operator');
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: null,
          firstName: 'Kim',
          lastName: 'Berg',
          email: `kim.${randomBytes(4).toString('hex')}@praxis.example`,
          practiceId: 'BSNR-111111111',
        },
      },
    });
    const id = created.body.id as string;
    await settled(id);
    const cancelled = await api.request('DELETE', `/api/v1/processes/${id}`, {
      key: operator,
      body: { reason: 'Person hat die Praxis verlassen' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', allowedEvents: [], timers: [] });
    await expectReadModelEqualsView(id);
    const history = await api.request('GET', `/api/v1/processes/${id}/history`);
    expect(history.body.entries.at(-1)).toMatchObject({
      event: 'CANCELLED',
      detail: { reason: 'Person hat die Praxis verlassen' },
    });
    expect(history.body.entries.at(-1).actor).toMatch(/^key_/);
    const again = await api.request('DELETE', `/api/v1/processes/${id}`, {
      key: operator,
      body: { reason: 'noch einmal' },
    });
    expect(again.status).toBe(409);
    const noReason = await api.request('DELETE', `/api/v1/processes/${id}`, { body: {} });
    expect(noReason.status).toBe(422);
  });
});
