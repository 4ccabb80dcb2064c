import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { postgresOutbox } from '../../activities/outbox.js';
import { createProjectionActivities } from '../../activities/projection.js';
import { withStepRecords } from '../../activities/step-record.js';
import { EncryptionCodec, type EncryptionKey } from '../../codec/payload-codec.js';
import { bundleWorkflows } from '../../worker/worker.js';
import { sendUpdate, viewQuery, type ProcessArgs } from '../../workflows/protocol.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

/**
 * Key rotation as an operator does it: a process starts under key `old`; the deployment then
 * runs with `new, old` (newest first). The running process stays readable and goes on, and what
 * it writes from then on is sealed with the new key.
 */
const oldKey: EncryptionKey = { id: 'old', key: randomBytes(32) };
const newKey: EncryptionKey = { id: 'new', key: randomBytes(32) };
const taskQueue = `rotation-${randomBytes(4).toString('hex')}`;
let connection: Connection;
let nativeConnection: NativeConnection;
let database: TestDatabase;
let bundle: WorkflowBundle;
const sentMail: string[] = [];

function clientWith(keys: EncryptionKey[]): Client {
  return new Client({
    connection,
    namespace: 'default',
    dataConverter: { payloadCodecs: [new EncryptionCodec(keys)] },
  });
}

async function runWorker<T>(keys: EncryptionKey[], work: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    dataConverter: { payloadCodecs: [new EncryptionCodec(keys)] },
    activities: withStepRecords({
      ...createActivities({
        outbox: postgresOutbox(database.pool),
        mailer: {
          sendMail: async (message) => {
            sentMail.push(message.text);
            return {};
          },
        },
        config: {
          publicBaseUrl: 'http://portal.test',
          mailFrom: 'praxisflow <no-reply@praxisflow.test>',
          codeSecret: 'rotation-test-secret-rotation-test',
        },
      }),
      ...createProjectionActivities({ readModel: database.pool }),
    }),
  });
  return worker.runUntil(work);
}

/** The key ids of every encrypted payload in the history, as Temporal stores it. */
async function keyIdsInHistory(workflowId: string): Promise<Set<string>> {
  const raw = new Client({ connection, namespace: 'default' });
  const history = await raw.workflow.getHandle(workflowId).fetchHistory();
  const ids = new Set<string>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    const keyId = (value as { metadata?: Record<string, Uint8Array> }).metadata?.[
      'encryption-key-id'
    ];
    if (keyId) ids.add(Buffer.from(keyId).toString('utf8'));
    for (const child of Object.values(value)) walk(child);
  };
  walk(history);
  return ids;
}

beforeAll(async () => {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  connection = await Connection.connect({ address });
  nativeConnection = await NativeConnection.connect({ address });
  database = await freshDatabase('rotation');
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await nativeConnection?.close();
  await connection?.close();
  await database?.drop();
});

describe('payload key rotation', () => {
  it('when the key rotates while a process runs, then it stays readable, goes on, and seals new payloads with the new key', async () => {
    const email = `rotation.${randomBytes(4).toString('hex')}@praxis.example`;
    const workflowId = `invitation-rotation-${randomBytes(6).toString('hex')}`;
    const args: ProcessArgs = {
      input: {
        salutation: 'Herr',
        firstName: 'Rolf',
        lastName: 'Dreher',
        email,
        practiceId: 'BSNR-5',
      },
      version: 1,
      businessKey: workflowId.slice('invitation-'.length),
      practiceId: 'BSNR-5',
      actor: 'key-test',
    };
    await runWorker([oldKey], async () => {
      const handle = await clientWith([oldKey]).workflow.start('invitation', {
        taskQueue,
        workflowId,
        args: [args],
      });
      for (let i = 0; i < 100 && (await handle.query(viewQuery)).step < 1; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    expect(await keyIdsInHistory(workflowId)).toEqual(new Set(['old']));

    const rotated = clientWith([newKey, oldKey]);
    const handle = rotated.workflow.getHandle(workflowId);
    const view = await runWorker([newKey, oldKey], async () => {
      const token = /token=([A-Za-z0-9_-]{43})/.exec(sentMail.join('\n'))?.[1];
      return handle.executeUpdate(sendUpdate, {
        args: [{ type: 'REGISTRATION_STARTED', token: token! }, { actor: 'key-test' }],
      });
    });
    expect(view).toMatchObject({
      state: 'registration.personalData',
      context: expect.objectContaining({ invitee: expect.objectContaining({ email }) }),
    });
    expect(await keyIdsInHistory(workflowId)).toEqual(new Set(['old', 'new']));
    // Without the old key, the process's earlier payloads cannot be read: rotation needs it.
    await expect(
      runWorker([newKey], () =>
        clientWith([newKey]).workflow.getHandle(workflowId).query(viewQuery),
      ),
    ).rejects.toThrow();
  });
});
