import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * The worker and the API as `npm start` runs them: real Node processes from their entry files
 * (no test runner's module transform in between), configured only through the environment.
 */
const children: ChildProcess[] = [];
const output: string[] = [];
let baseUrl = '';
const adminKey = `pf_${randomBytes(18).toString('base64url')}`;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

function run(entry: string, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  children.push(child);
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

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
    SMTP_URL: process.env.MAILCATCHER_SMTP_URL,
    PUBLIC_BASE_URL: baseUrl,
    PORT: String(port),
    PRAXISFLOW_SECRET: randomBytes(32).toString('base64url'),
    PRAXISFLOW_ADMIN_KEY: adminKey,
  };
  run('worker/main.ts', env);
  run('api/main.ts', env);
  await waitUntilHealthy(60_000);
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
    const mail = await waitForMessage({ to: email, timeoutMs: 20_000 });
    expect(mail.text).toContain(`${baseUrl}/registrierung?prozess=`);
  });

  it('when the API is stopped with SIGTERM, then it exits cleanly', async () => {
    const api = children[1]!;
    const exited = new Promise<number | null>((resolve) =>
      api.once('exit', (code) => resolve(code)),
    );
    api.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
