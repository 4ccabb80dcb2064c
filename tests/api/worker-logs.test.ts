import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../codec/payload-codec.js';
import { payloadKeys } from '../../config/env.js';
import { viewQuery, type ProcessArgs } from '../../workflows/protocol.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { runEntry, type EntryProcess } from '../support/entry-process.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * The worker as `npm start` runs it, at LOG_LEVEL=debug: everything it prints — its own lines,
 * the Temporal SDK's, the workflows' and the activities' — is one JSON object per line, a line of
 * a process names it, and no line carries a secret.
 */
let database: TestDatabase;
let connection: Connection;
let worker: EntryProcess;
const secret = randomBytes(32).toString('base64url');
const taskQueue = `logs-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  database = await freshDatabase('logs');
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  worker = runEntry('worker/main.ts', {
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: database.url,
    SMTP_URL: process.env.MAILCATCHER_SMTP_URL,
    PUBLIC_BASE_URL: 'http://portal.test',
    PRAXISFLOW_SECRET: secret,
    PRAXISFLOW_WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'debug',
  });
  // It bundles the workflows before it polls: seconds, more on a busy machine.
  const deadline = Date.now() + 90_000;
  while (!worker.output().includes('polling task queue')) {
    if (Date.now() > deadline || worker.child.exitCode !== null) {
      throw new Error(`the worker did not come up:\n${worker.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await connection?.close();
  await database?.drop();
});

describe('the worker’s logs', () => {
  it('when an invitation runs, then every line is JSON, the workflow’s and activities’ lines name the process, and no line holds its token or the secret', async () => {
    const client = new Client({
      connection,
      dataConverter: {
        payloadCodecs: [new EncryptionCodec(payloadKeys({ PRAXISFLOW_SECRET: secret }))],
      },
    });
    const email = `logs.${randomBytes(4).toString('hex')}@praxis.example`;
    const businessKey = randomBytes(8).toString('hex');
    const args: ProcessArgs = {
      input: {
        salutation: 'Frau',
        firstName: 'Lea',
        lastName: 'Vogt',
        email,
        practiceId: 'BSNR-7',
      },
      version: 1,
      businessKey,
      practiceId: 'BSNR-7',
      actor: 'key-test',
    };
    const handle = await client.workflow.start('invitation', {
      taskQueue,
      workflowId: `invitation-${businessKey}`,
      args: [args],
    });
    const invitation = await waitForMessage({ to: email, timeoutMs: 30_000 });
    const token = /token=([A-Za-z0-9_-]{43})/.exec(invitation.text)?.[1];
    expect(token).toBeDefined();
    await expect
      .poll(async () => (await handle.query(viewQuery)).step, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    await handle.terminate('test done');
    expect(await worker.stop('SIGTERM')).toBe(0);

    const text = worker.output();
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    expect(parsed.every((line) => line.name === 'praxisflow-worker')).toBe(true);
    expect(parsed).toContainEqual(expect.objectContaining({ msg: 'Worker state changed' }));
    const ofProcess = parsed.filter((line) => line.workflowId === handle.workflowId);
    expect(ofProcess).toContainEqual(expect.objectContaining({ msg: 'Workflow started' }));
    expect(ofProcess).toContainEqual(
      expect.objectContaining({ msg: 'Activity completed', activityType: 'issueRegistrationLink' }),
    );
    for (const line of ofProcess) {
      expect(line).toMatchObject({ processId: handle.workflowId, processType: 'invitation' });
    }
    expect(text).not.toContain(token);
    expect(text).not.toContain(secret);
    // An activity's task token completes it from anywhere: not for a log.
    expect(parsed.filter((line) => 'taskToken' in line)).toEqual([]);
  }, 120_000);
});
