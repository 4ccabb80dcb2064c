import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../codec/payload-codec.js';
import { payloadKeys } from '../../config/env.js';
import { viewQuery, type ProcessArgs } from '../../workflows/protocol.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { runEntry, type EntryProcess } from '../support/entry-process.js';
import { messagesTo } from '../support/mailcatcher.js';
import { hangingRelay, type HangingRelay } from '../support/smtp-relay.js';

/**
 * The worker killed with SIGKILL after the gateway took a message but before the outbox marked
 * it: the restarted worker cannot know whether it went out, so it sends it again, with the same
 * Message-ID (and, keys being derived, the same link). Nothing is lost, the process goes on.
 */
let database: TestDatabase;
let relay: HangingRelay;
let connection: Connection;
const workers: EntryProcess[] = [];
const secret = randomBytes(32).toString('base64url');
// A queue of its own: other test files run workers of their own on the same server meanwhile.
const taskQueue = `crash-${randomBytes(4).toString('hex')}`;

function startWorker(): EntryProcess {
  const worker = runEntry('worker/main.ts', {
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: database.url,
    SMTP_URL: relay.url,
    PUBLIC_BASE_URL: 'http://portal.test',
    PRAXISFLOW_SECRET: secret,
    PRAXISFLOW_WORKER_METRICS_PORT: '0',
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  database = await freshDatabase('crash');
  relay = await hangingRelay(process.env.MAILCATCHER_SMTP_URL!);
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
  await connection?.close();
  await relay?.close();
  await database?.drop();
});

describe('a worker killed between send and mark', () => {
  it('when the worker dies after the relay took the invitation, then the restarted worker sends it once more with the same Message-ID and the process goes on', async () => {
    const client = new Client({
      connection,
      dataConverter: {
        payloadCodecs: [new EncryptionCodec(payloadKeys({ PRAXISFLOW_SECRET: secret }))],
      },
    });
    const email = `crash.${randomBytes(4).toString('hex')}@praxis.example`;
    const businessKey = randomBytes(8).toString('hex');
    const args: ProcessArgs = {
      input: {
        salutation: 'Frau',
        firstName: 'Ida',
        lastName: 'Brandt',
        email,
        practiceId: 'BSNR-9',
      },
      version: 1,
      businessKey,
      practiceId: 'BSNR-9',
      actor: 'key-test',
    };
    const first = startWorker();
    const handle = await client.workflow.start('invitation', {
      taskQueue,
      workflowId: `invitation-${businessKey}`,
      args: [args],
    });

    expect(await relay.forwarded).toBe(email);
    await first.stop('SIGKILL');
    relay.passThrough();
    const { rows: cut } = await database.pool.query(
      'select status from outbox where process_id = $1',
      [handle.workflowId],
    );
    expect(cut).toEqual([{ status: 'sending' }]);

    startWorker();
    // The dead worker's attempt times out after a minute; the retry runs on the new worker.
    for (let i = 0; i < 120; i += 1) {
      if ((await messagesTo(email)).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const copies = await messagesTo(email);
    expect(copies).toHaveLength(2);
    expect(copies[1]?.headers['message-id']).toBe(copies[0]?.headers['message-id']);
    // The same message: same link (derived from the same key), same text.
    expect(copies[1]?.text).toBe(copies[0]?.text);
    expect(copies[0]?.text).toMatch(/token=[A-Za-z0-9_-]{43}/);

    const { rows: marked } = await database.pool.query(
      'select status, attempts from outbox where process_id = $1',
      [handle.workflowId],
    );
    expect(marked).toEqual([{ status: 'sent', attempts: 2 }]);
    for (let i = 0; i < 50; i += 1) {
      if ((await handle.query(viewQuery)).step >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await handle.query(viewQuery)).toMatchObject({
      state: 'registration.invited',
      step: 1,
    });
    await handle.terminate('test done');
  }, 180_000);
});
