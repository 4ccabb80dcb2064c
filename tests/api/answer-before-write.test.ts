import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadModel } from '../../activities/projection.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';

/**
 * An event whose step has nothing to do but its read model write (an appointment reported to
 * the nightly overview) is answered before the workflow writes the step: the API writes it
 * itself, so that what a client reads next shows it, and the workflow's write follows.
 */

let api: ApiStack;
/** The worker's writes of reported appointments wait here until the test lets them go. */
const held: (() => void)[] = [];
let holding = false;
let workerWrites = 0;

/** The worker's read model: a step's write of a report waits while `holding`. */
function holdingReports(real: ReadModel): ReadModel {
  return {
    async query(sql, values) {
      if (sql.includes('insert into audit') && values?.[21] === 'APPOINTMENT_RECORDED') {
        workerWrites += 1;
        if (holding) await new Promise<void>((resolve) => held.push(resolve));
      }
      return real.query(sql, values);
    },
  };
}

beforeAll(async () => {
  api = await startApiStack({ projectionReadModel: holdingReports });
});

afterAll(async () => {
  holding = false;
  for (const release of held) release();
  await api?.stop();
});

const report = (appointmentId: string) => ({
  type: 'APPOINTMENT_RECORDED',
  kind: 'booked',
  appointmentId,
  at: '2026-12-01T09:30:00+01:00',
  patientInitials: 'E. M.',
});

/** The API's count of the steps it wrote first, for this event (0 before any). */
async function apiTransitions(): Promise<number> {
  const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith('praxisflow_transitions_total{') &&
        candidate.includes('event="APPOINTMENT_RECORDED"'),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('an event answered before the workflow writes its step', () => {
  it('when the worker’s write of a report is held, then the answer still comes, and the list and the history show the step', async () => {
    const practiceId = `BSNR-${randomBytes(4).toString('hex')}`;
    const created = await api.request('POST', '/api/v1/processes/nightlyDigest', {
      body: { input: { practiceId, digestTime: '01:30' } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await untilAtRest(api.client, [id]);
    const countedBefore = await apiTransitions();
    holding = true;

    const answer = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: report('TSS-4711'),
    });

    // The worker's write has begun and waits: the answer did not wait for it.
    expect(answer.status).toBe(200);
    expect(workerWrites).toBe(1);
    expect(held).toHaveLength(1);
    expect(answer.body.step).toBe(1);
    expect(answer.body).not.toHaveProperty('unwritten');
    const list = await api.request('GET', `/api/v1/processes?practiceId=${practiceId}`);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id, updatedAt: answer.body.updatedAt }),
    ]);
    const history = await api.request('GET', `/api/v1/processes/${id}/history`);
    expect(history.body.entries.at(-1)).toMatchObject({
      step: 1,
      event: 'APPOINTMENT_RECORDED',
      actor: expect.any(String),
    });
    expect(await apiTransitions()).toBe(countedBefore + 1);

    // The worker's write lands the same step once more: nothing doubles, nothing goes back.
    holding = false;
    for (const release of held.splice(0)) release();
    const next = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: report('TSS-4712'),
    });
    expect(next.body.step).toBe(2);
    await untilAtRest(api.client, [id]);
    const after = await api.request('GET', `/api/v1/processes/${id}/history`);
    expect((after.body.entries as { step: number }[]).map((entry) => entry.step)).toEqual([
      0, 1, 2,
    ]);
    const row = await api.request('GET', `/api/v1/processes?practiceId=${practiceId}`);
    expect(row.body.items).toEqual([
      expect.objectContaining({ id, updatedAt: next.body.updatedAt }),
    ]);
    expect(workerWrites).toBe(2);
  });
});
