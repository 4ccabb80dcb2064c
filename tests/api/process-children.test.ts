import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokedActor } from '../../activities/invoked-actor.js';
import type { ProcessArgs } from '../../workflows/protocol.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

/**
 * The children of a process through the real API, worker, Temporal, read model and dashboard:
 * the test-only `filer` process (tests/fixtures/filing-machine.ts) runs the child machine
 * `submission` and the promise actor `register` from its start. The child's action
 * `submitFiling` fails for good while the filing office is down: the incident is the child's.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let api: ApiStack;
let operator: string;
/** The filing office behind `submitFiling`: down until a test brings it back. */
let filingDown = true;

const extraActivities = {
  submitFiling: async () => {
    if (filingDown) {
      throw ApplicationFailure.nonRetryable('Meldestelle nicht erreichbar', 'Unavailable');
    }
    return { type: 'FILED' };
  },
  // Answers never: it runs until the process leaves the state that invoked it (then cancelled).
  lookUpPractice: invokedActor(() => new Promise<never>(() => undefined)),
};

beforeAll(async () => {
  api = await startApiStack({ fixtureWorkflows: true, extraActivities });
  operator = await api.createKey('operator');
});

afterAll(async () => {
  await api?.stop();
});

/** Starts a `filer` process in the stack's worker, as the API would (the type is a probe's). */
async function startFiler(): Promise<string> {
  const businessKey = randomBytes(8).toString('hex');
  const args: ProcessArgs = {
    input: { bsnr: '123456789' },
    version: 1,
    businessKey,
    actor: 'key-test',
    startedAt: new Date().toISOString(),
  };
  const handle = await api.client.workflow.start('filer', {
    taskQueue: api.taskQueue,
    workflowId: `filer-${businessKey}`,
    args: [args],
  });
  return handle.workflowId;
}

/** Polls the API until `pick` finds what it waits for in the answer's body. */
async function until<T>(
  path: string,
  pick: (body: Record<string, any>) => T | undefined, // eslint-disable-line @typescript-eslint/no-explicit-any
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 150; i++) {
    const answer = await api.request('GET', path, { key: operator });
    last = answer.body;
    const found = answer.status === 200 ? pick(answer.body) : undefined;
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} never showed it; last: ${JSON.stringify(last)}`);
}

const rowChildren = async (id: string): Promise<unknown> =>
  (
    await api.database.pool.query<{ children: unknown }>(
      'select children from processes where id = $1',
      [id],
    )
  ).rows[0]?.children;

describe('the children of a process', () => {
  let id = '';

  it('when a process runs a child machine and an activity, then its detail lists both, the child with its own state and incident', async () => {
    id = await startFiler();
    const children = await until(`/api/v1/processes/${id}`, (body) =>
      body.children?.[0]?.incident ? body.children : undefined,
    );
    const since = children[0].since as string;
    expect(children).toEqual([
      {
        id: 'submission',
        src: 'submission',
        kind: 'machine',
        since,
        step: 0,
        workflowId: `${id}/submission/0`,
        state: 'submitting',
        stateLabel: 'Wird eingereicht',
        status: 'active',
        incident: expect.objectContaining({
          label: 'Aktion fehlgeschlagen',
          action: 'submitFiling',
          message: expect.stringContaining('Meldestelle nicht erreichbar'),
        }),
      },
      { id: 'register', src: 'lookUpPractice', kind: 'activity', since, step: 0 },
    ]);
    // Both started with the process, at its start.
    const detail = await api.request('GET', `/api/v1/processes/${id}`, { key: operator });
    expect(since).toBe(detail.body.createdAt);
  });

  it('when the read model lists the process, then its row and the list have the children as the process last showed them', async () => {
    const listed = await until(`/api/v1/processes?type=filer`, (body) =>
      (body.items as { id: string; children: unknown[] }[] | undefined)?.find(
        (item) => item.id === id,
      ),
    );
    const running = [
      expect.objectContaining({
        id: 'submission',
        kind: 'machine',
        step: 0,
        workflowId: `${id}/submission/0`,
      }),
      expect.objectContaining({ id: 'register', kind: 'activity', step: 0 }),
    ];
    expect(listed.children).toEqual(running);
    // The read model knows what the process runs, not where a child stands.
    expect(listed.children[0]).not.toHaveProperty('stateLabel');
    expect(await rowChildren(id)).toEqual(running);
  });

  it('when the child id names no running child machine, then the retry is not found and nothing is sent', async () => {
    for (const childId of ['register', 'nothing']) {
      const answer = await api.request(
        'POST',
        `/api/v1/processes/${id}/children/${childId}/retry`,
        {
          key: operator,
        },
      );
      expect(answer.status).toBe(404);
      expect(answer.body.detail).toBe(`Process ${id} runs no child machine ${childId}`);
    }
  });

  it("when an operator retries the child's incident, then the child files, the process moves on and lists no children", async () => {
    filingDown = false;
    const retried = await api.request('POST', `/api/v1/processes/${id}/children/submission/retry`, {
      key: operator,
    });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.id).toBe(id);

    const done = await until(`/api/v1/processes/${id}`, (body) =>
      body.state === 'filed' ? body : undefined,
    );
    expect(done).toMatchObject({ stateLabel: 'Gemeldet', status: 'done', children: [] });
    await until(`/api/v1/processes?type=filer`, (body) =>
      (body.items as { id: string; state: string }[]).find(
        (item) => item.id === id && item.state === 'filed',
      ),
    );
    expect(await rowChildren(id)).toEqual([]);
    // Nothing is left to retry: the child has ended.
    const again = await api.request('POST', `/api/v1/processes/${id}/children/submission/retry`, {
      key: operator,
    });
    expect(again.status).toBe(404);
  });
});

describe('the dashboard', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('when a process runs children, then its page lists them under „Laufende Teilschritte“, a child’s incident in red', async () => {
    filingDown = true;
    const id = await startFiler();
    await until(`/api/v1/processes/${id}`, (body) =>
      body.children?.[0]?.incident ? true : undefined,
    );
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${api.baseUrl}/`);
    await page.getByLabel('API-Schlüssel').fill(operator);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Übersicht' }).waitFor();
    await page.goto(`${api.baseUrl}/dashboard/prozesse/${encodeURIComponent(id)}`);

    const section = page.locator('section', {
      has: page.getByRole('heading', { name: 'Laufende Teilschritte' }),
    });
    const rows = section.getByTestId('child');
    await expect.poll(() => rows.count()).toBe(2);
    const machine = rows.nth(0);
    expect(await machine.locator('td').nth(0).textContent()).toBe('submission (submission)');
    expect(await machine.locator('td').nth(1).textContent()).toBe('Teilprozess');
    expect(await machine.locator('td').nth(2).textContent()).toMatch(
      /^\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr$/,
    );
    expect(await machine.locator('td').nth(3).textContent()).toBe(
      'Wird eingereicht Störung: Aktion fehlgeschlagen',
    );
    const incident = machine.locator('.child-incident');
    // In red: the page's colour for an incident.
    const colour = await incident.evaluate(
      (element) =>
        (
          globalThis as unknown as { getComputedStyle(of: typeof element): { color: string } }
        ).getComputedStyle(element).color,
    );
    expect(colour).toBe('rgb(179, 38, 30)');
    const activity = rows.nth(1);
    expect(await activity.locator('td').nth(0).textContent()).toBe('register (lookUpPractice)');
    expect(await activity.locator('td').nth(1).textContent()).toBe('Aktivität');

    // A process that runs nothing shows no such section.
    await api.client.workflow.getHandle(id).cancel();
    await until(`/api/v1/processes/${id}`, (body) =>
      body.status === 'cancelled' ? true : undefined,
    );
    await page.reload();
    await page.getByTestId('state-label').waitFor();
    expect(await page.getByRole('heading', { name: 'Laufende Teilschritte' }).count()).toBe(0);
    await page.close();
  });
});
