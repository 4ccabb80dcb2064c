import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { runEntry } from '../support/entry-process.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * The worker and the API as `npm start` runs them: real Node processes from their entry files
 * (no test runner's module transform in between), configured only through the environment.
 */
const children: ChildProcess[] = [];
const output: string[] = [];
let baseUrl = '';
let workerMetricsUrl = '';
let database: TestDatabase;
const adminKey = `pf_${randomBytes(18).toString('base64url')}`;

function run(entry: string, env: NodeJS.ProcessEnv): void {
  const started = runEntry(entry, env);
  started.child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  started.child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  children.push(started.child);
}

async function waitUntilHealthy(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline || children.some((child) => child.exitCode !== null)) {
      throw new Error(`the API did not come up:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The worker says so once it polls (it bundles the workflows first: seconds, more under load). */
async function waitUntilWorkerPolls(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!output.join('').includes('polling task queue')) {
    if (Date.now() > deadline || children.some((child) => child.exitCode !== null)) {
      throw new Error(`the worker did not come up:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  database = await freshDatabase('entry');
  const env = {
    DATABASE_URL: database.url,
    PRAXISFLOW_WORKER_METRICS_PORT: String(metricsPort),
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
    // A queue of its own: other test files run workers of their own on the same server meanwhile.
    TEMPORAL_TASK_QUEUE: `entry-${randomBytes(4).toString('hex')}`,
    SMTP_URL: process.env.MAILCATCHER_SMTP_URL,
    PUBLIC_BASE_URL: baseUrl,
    PORT: String(port),
    PRAXISFLOW_SECRET: randomBytes(32).toString('base64url'),
    PRAXISFLOW_ADMIN_KEY: adminKey,
  };
  run('worker/main.ts', env);
  run('api/main.ts', env);
  await waitUntilHealthy(60_000);
  await waitUntilWorkerPolls(60_000);
});

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await database?.drop();
});

describe('the entry points', () => {
  it('when the worker and the API run as their own processes, then an invitation goes out end to end', async () => {
    const email = `entry.${randomBytes(4).toString('hex')}@praxis.example`;
    const response = await fetch(`${baseUrl}/api/v1/processes/invitation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        input: {
          salutation: 'Divers',
          firstName: 'Sam',
          lastName: 'Beispiel',
          email,
          practiceId: 'BSNR-1',
        },
      }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const mail = await waitForMessage({ to: email, timeoutMs: 20_000 });
    expect(mail.text).toContain(`${baseUrl}/registrierung?prozess=`);

    // The worker's projection wrote the read model; the list finds it.
    const list = await fetch(`${baseUrl}/api/v1/processes?type=invitation`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const { items } = (await list.json()) as { items: { id: string; stateLabel: string }[] };
    expect(items).toEqual([expect.objectContaining({ id, stateLabel: 'Eingeladen' })]);

    // Both processes count what they did, in Prometheus' format.
    const apiMetrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(apiMetrics).toMatch(/praxisflow_process_starts_total\{[^}]*type="invitation"[^}]*\} 1/);
    const workerMetrics = await (await fetch(workerMetricsUrl)).text();
    expect(workerMetrics).toMatch(
      /praxisflow_transitions_total\{[^}]*type="invitation"[^}]*\} [1-9]/,
    );
    expect(workerMetrics).toMatch(
      /praxisflow_notifications_total\{[^}]*channel="email"[^}]*outcome="sent"[^}]*\} 1/,
    );
  });

  it('when the API is stopped with SIGTERM, then it exits cleanly', async () => {
    const api = children[1]!;
    const exited = new Promise<number | null>((resolve) =>
      api.once('exit', (code) => resolve(code)),
    );
    api.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('when the worker is stopped with SIGTERM, then it drains and exits cleanly', async () => {
    const worker = children[0]!;
    const exited = new Promise<number | null>((resolve) =>
      worker.once('exit', (code) => resolve(code)),
    );
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
