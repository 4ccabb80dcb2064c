import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../codec/payload-codec.js';
import { payloadKeys } from '../../config/env.js';
import { tcpRelay, type TcpRelay } from '../../scripts/lib/faults/tcp-relay.js';
import { freePort } from '../../scripts/lib/net.js';
import { sendUpdate, viewQuery, type ProcessArgs } from '../../workflows/protocol.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { runEntry, type EntryProcess } from '../support/entry-process.js';

/**
 * Temporal unreachable for the worker (its connection cut, as in a Temporal restart): the
 * worker stops polling, starts again with an empty workflow cache once Temporal answers, and
 * the processes it ran go on from the history Temporal kept.
 */
let database: TestDatabase;
let relay: TcpRelay;
let connection: Connection;
let worker: EntryProcess | undefined;
const secret = randomBytes(32).toString('base64url');
const taskQueue = `outage-${randomBytes(4).toString('hex')}`;

const lines = (output: string): { msg?: string }[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string });

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within 60 s:\n${worker?.output().slice(-3000)}`);
}

beforeAll(async () => {
  database = await freshDatabase('outage');
  const [host, port] = process.env.TEMPORAL_ADDRESS!.split(':');
  relay = tcpRelay(await freePort(), { host: host!, port: Number(port) });
  await relay.up();
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
});

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await relay?.down();
  await connection?.close();
  await database?.drop();
});

describe('a worker that loses Temporal', () => {
  it('when Temporal is unreachable for a few seconds, then the worker starts afresh with an empty cache and the invitation takes its next event', async () => {
    worker = runEntry('worker/main.ts', {
      TEMPORAL_ADDRESS: `127.0.0.1:${relay.port}`,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: database.url,
      SMTP_URL: process.env.MAILCATCHER_SMTP_URL,
      PUBLIC_BASE_URL: 'http://portal.test',
      PRAXISFLOW_SECRET: secret,
      PRAXISFLOW_WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    });
    const said = (text: string) => () =>
      lines(worker!.output()).some((line) => line.msg?.includes(text));
    await until('the worker polling', said('worker: polling task queue'));

    const client = new Client({
      connection,
      dataConverter: {
        payloadCodecs: [new EncryptionCodec(payloadKeys({ PRAXISFLOW_SECRET: secret }))],
      },
    });
    const businessKey = randomBytes(8).toString('hex');
    const args: ProcessArgs = {
      input: {
        salutation: 'Herr',
        firstName: 'Jonas',
        lastName: 'Keller',
        email: `outage.${businessKey}@praxis.example`,
        practiceId: 'BSNR-9',
      },
      version: 1,
      businessKey,
      practiceId: 'BSNR-9',
      actor: 'key-test',
    };
    const handle = await client.workflow.start('invitation', {
      taskQueue,
      workflowId: `invitation-${businessKey}`,
      args: [args],
    });
    await until('the invitation link issued', async () => {
      return (await handle.query(viewQuery)).step >= 1;
    });

    await relay.down();
    await until('the worker noticing', said('the worker stops and starts with an empty cache'));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await relay.up();
    await until('the worker polling afresh', said('polling with an empty cache'));

    const view = await handle.executeUpdate(sendUpdate, {
      args: [{ type: 'INVITATION_REVOKED', reason: 'Test' }, { actor: 'key-test' }],
    });
    expect(view).toMatchObject({ state: 'revoked', status: 'done' });
    expect(worker.child.exitCode).toBeNull();
  }, 180_000);
});
