import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createCredentialStore, type CredentialStore } from '../../storage/credentials.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';
import {
  recordHistory,
  send,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/**
 * Credentials by post as a workflow with the real credential store: the letter's password is
 * the only valid one, a new letter voids it, closing revokes it.
 */

const { mailer, sent } = recordingMailer();
let database: TestDatabase;
let store: CredentialStore;

const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    mailer,
    config: TEST_ACTIVITY_CONFIG,
    credentials: {
      issue: (...args) => store.issue(...args),
      revoke: (...args) => store.revoke(...args),
    },
  }),
);
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = testEnv();
  database = await freshDatabase('account_credentials');
  store = createCredentialStore(database.pool, TEST_ACTIVITY_CONFIG.codeSecret);
});
const scenarios: { name: string; handle: WorkflowHandle }[] = [];
afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
  await database?.drop();
});

async function letters(postcode: string, count: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const found = sent.filter((mail) => mail.to === `brief+${postcode}@post.praxisflow.localhost`);
    if (found.length >= count) {
      return Promise.all(
        found.map(async (mail) => {
          const pdf = new Uint8Array(mail.attachments[0]!.content);
          return (await extractText(pdf, { mergePages: true })).text;
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} letters to ${postcode}`);
}

const passwordIn = (text: string): string =>
  /Initialpasswort\n([^\n]+)\n/.exec(text)![1]!.replace(/ /g, '');

describe('accountCredentials workflow', () => {
  it('issues, replaces and finally revokes the credentials of the newest letter only', async () => {
    const postcode = String(10_000 + (randomBytes(2).readUInt16BE(0) % 89_999));
    const userName = 'AP-K7PM3QXA';
    const handle = await startProcess(env, 'accountCredentials', {
      businessKey: userName,
      practiceId: 'BSNR-123456789',
      input: {
        userName,
        practiceId: 'BSNR-123456789',
        holderName: 'Dr. med. Jonas Berger',
        address: { name: 'Dr. med. Jonas Berger', street: 'Marktplatz 3', postcode, city: 'Bonn' },
      },
    });
    scenarios.push({ name: 'accountCredentials--letters', handle });
    const [first] = await letters(postcode, 1);
    const firstPassword = passwordIn(first!);
    expect(await store.check(userName, firstPassword)).toMatchObject({
      outcome: 'valid',
      letter: 1,
    });

    await send(handle, { type: 'CREDENTIALS_FORGOTTEN' });
    const [, second] = await letters(postcode, 2);
    const secondPassword = passwordIn(second!);
    expect(await store.check(userName, firstPassword)).toEqual({ outcome: 'invalid' });
    expect(await store.check(userName, secondPassword)).toMatchObject({
      outcome: 'valid',
      letter: 2,
    });

    const closed = await send(handle, { type: 'ACCOUNT_CLOSED', reason: 'Praxis aufgegeben' });
    expect(closed).toMatchObject({ state: 'closed', status: 'done' });
    for (
      let i = 0;
      i < 100 && (await store.check(userName, secondPassword)).outcome === 'valid';
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await store.check(userName, secondPassword)).toEqual({ outcome: 'invalid' });
    expect((await view(handle)).context).not.toHaveProperty('password');
  });
});
