import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { documentKeys } from '../../config/env.js';
import { addMonths } from '../../machines/calendar.js';
import { createDocumentStore, type DocumentStore } from '../../storage/document-store.js';
import { downloadTokenFor, downloadTokenHash } from '../../storage/download-token.js';
import { secretSealer } from '../../storage/sealed-secrets.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';
import {
  recordHistory,
  refusalOf,
  send,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/**
 * A document in the physicians' portal on the time-skipping server, with the real encrypted
 * document store on Postgres: the mTAN's 5 minutes and 3 tries, the token's single use and
 * 10 minutes, and the deletion of the content 24 calendar months after the upload.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const SECRET = TEST_ACTIVITY_CONFIG.codeSecret;

const { mailer, sent } = recordingMailer();
let database: TestDatabase;
let store: DocumentStore;

const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    mailer,
    config: TEST_ACTIVITY_CONFIG,
    // The store needs the database of this file, which exists once beforeAll ran.
    documents: { purge: (...args) => store.purge(...args) },
  }),
);
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = testEnv();
  database = await freshDatabase('document_delivery');
  store = createDocumentStore({
    pool: database.pool,
    masterKeys: documentKeys({ PRAXISFLOW_SECRET: 'x'.repeat(40) }),
  });
});

const scenarios: { name: string; handle: WorkflowHandle }[] = [];
afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
  await database?.drop();
});

const ALPHABET = '3467ACDEFGHJKMNPQRTUVWXY9';
const newDocumentId = (): string =>
  `D-2026-${[...randomBytes(8)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('')}`;

const mailsTo = (address: string) => sent.filter((mail) => mail.to === address);

/** Uploads real bytes and starts the document's process, as the documents API does. */
async function upload(name: string, version = 1) {
  const id = newDocumentId();
  const mobileDigits = `49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const physician = {
    name: 'Dr. med. Jonas Berger',
    email: `${id.toLowerCase()}@praxis.example`,
    mobile: `+${mobileDigits}`,
  };
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(600 * 1024)]);
  const uploadedAt = new Date(await env.currentTimeMs());
  const stored = await store.put(
    {
      id,
      practiceId: 'BSNR-123456789',
      kind: 'abrechnungsnachweis',
      title: 'Abrechnungsnachweis Quartal 4/2025',
      fileName: 'abrechnung.pdf',
      contentType: 'application/pdf',
      processId: `documentDelivery-${id}`,
      uploadedBy: 'key-test',
      uploadedAt,
    },
    content,
  );
  const handle = await startProcess(env, 'documentDelivery', {
    version,
    businessKey: id,
    practiceId: 'BSNR-123456789',
    input: {
      documentId: id,
      practiceId: 'BSNR-123456789',
      kind: 'abrechnungsnachweis',
      title: 'Abrechnungsnachweis Quartal 4/2025',
      fileName: 'abrechnung.pdf',
      contentType: 'application/pdf',
      size: stored.size,
      sha256: stored.sha256,
      uploadedAt: uploadedAt.toISOString(),
      physician,
    },
  });
  scenarios.push({ name: `documentDelivery--${name}`, handle });
  const smsTo = () => mailsTo(`sms+${mobileDigits}@sms.praxisflow.localhost`);
  return { id, handle, physician, content, uploadedAt, smsTo };
}

async function eventually<T>(read: () => Promise<T> | T, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the process did not get there: ${JSON.stringify(await read()).slice(0, 600)}`);
}

/** Asks for an mTAN and reads it from the SMS (the n-th one sent to this phone). */
async function requestTan(doc: Awaited<ReturnType<typeof upload>>): Promise<string> {
  const before = doc.smsTo().length;
  // The update answers once the SMS is out and the mTAN's hash is back in the process.
  await send(doc.handle, { type: 'DOWNLOAD_REQUESTED' });
  const sms = await eventually(doc.smsTo, (list) => list.length > before);
  const tan = /^(\d{6}) ist Ihre mTAN/.exec(sms.at(-1)!.text)?.[1];
  if (!tan) throw new Error(`no mTAN in ${sms.at(-1)!.text}`);
  return tan;
}

const tokenHashOf = (id: string, sequence: number, tan: string) =>
  downloadTokenHash(SECRET, downloadTokenFor(SECRET, id, sequence, tan));

describe('documentDelivery workflow', () => {
  it('announces the document by email without its content and without a link', async () => {
    const doc = await upload('announcement');
    const [mail] = await eventually(
      () => mailsTo(doc.physician.email),
      (list) => list.length === 1,
    );
    expect(mail!.subject).toBe('Neues Dokument im Arztportal: Abrechnungsnachweis');
    expect(mail!.text).toContain(doc.id);
    expect(mail!.attachments).toEqual([]);
    expect(mail!.text).not.toMatch(/https?:\/\//);
    expect((await view(doc.handle)).stateLabel).toBe('Bereitgestellt');
  });

  it('lets an mTAN expire after 5 minutes and not a second earlier, then refuses it', async () => {
    const doc = await requestTanFor('tan-expiry');
    await env.sleep(5 * MINUTE - 2 * SECOND);
    expect((await view(doc.handle)).state).toBe('retained.awaitingTan');
    await env.sleep(4 * SECOND);
    const expired = await eventually(
      () => view(doc.handle),
      (v) => v.state === 'retained.available',
    );
    expect(expired.context.notice).toMatch(/abgelaufen/);
    const refused = await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: doc.tan }));
    expect(refused.details).toMatchObject({ status: 409 });
  });

  it('takes 3 wrong mTANs, tells how many are left, and then voids the right one too', async () => {
    const doc = await requestTanFor('three-wrong');
    const wrong = doc.tan === '000000' ? '111111' : '000000';
    const first = await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: wrong }));
    expect(first.details).toMatchObject({
      status: 422,
      detail: 'Die mTAN ist falsch. Noch 2 Versuche.',
    });
    const second = await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: wrong }));
    expect(second.details).toMatchObject({
      status: 422,
      detail: 'Die mTAN ist falsch. Noch 1 Versuch.',
    });
    const third = await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: wrong }));
    expect(third.details).toMatchObject({
      status: 422,
      detail: expect.stringMatching(/3-mal falsch/),
    });
    const after = await view(doc.handle);
    expect(after).toMatchObject({ state: 'retained.available', stateLabel: 'Bereitgestellt' });
    expect(after.context.notice).toMatch(/3-mal falsch/);
    const late = await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: doc.tan }));
    expect(late.details).toMatchObject({ status: 409 });
  });

  it('gives a token for the right mTAN that works once; the next download needs a new mTAN', async () => {
    const doc = await requestTanFor('token-single-use');
    const ready = await send(doc.handle, { type: 'TAN_SUBMITTED', tan: doc.tan });
    expect(ready).toMatchObject({
      state: 'retained.downloadReady',
      stateLabel: 'Download freigegeben',
    });
    expect(JSON.stringify(ready)).not.toContain(doc.tan);

    const tokenHash = tokenHashOf(doc.id, 1, doc.tan);
    const wrong = await refusalOf(
      send(doc.handle, { type: 'DOCUMENT_DOWNLOADED', tokenHash: tokenHashOf(doc.id, 2, doc.tan) }),
    );
    expect(wrong.details).toMatchObject({ status: 422 });
    const done = await send(doc.handle, { type: 'DOCUMENT_DOWNLOADED', tokenHash });
    expect(done).toMatchObject({ state: 'retained.available' });
    expect(done.context).toMatchObject({ downloads: 1 });
    const again = await refusalOf(send(doc.handle, { type: 'DOCUMENT_DOWNLOADED', tokenHash }));
    expect(again.details).toMatchObject({ status: 409 });
  });

  it('lets a token expire after 10 minutes and not a second earlier', async () => {
    const doc = await requestTanFor('token-expiry');
    await send(doc.handle, { type: 'TAN_SUBMITTED', tan: doc.tan });
    await env.sleep(10 * MINUTE - 2 * SECOND);
    expect((await view(doc.handle)).state).toBe('retained.downloadReady');
    await env.sleep(4 * SECOND);
    await eventually(
      () => view(doc.handle),
      (v) => v.state === 'retained.available',
    );
    const late = await refusalOf(
      send(doc.handle, { type: 'DOCUMENT_DOWNLOADED', tokenHash: tokenHashOf(doc.id, 1, doc.tan) }),
    );
    expect(late.details).toMatchObject({ status: 409 });
  });

  it('deletes the content 24 calendar months after the upload, not a day earlier, and keeps the metadata', async () => {
    const doc = await upload('retention');
    await eventually(
      () => mailsTo(doc.physician.email),
      (list) => list.length === 1,
    );
    const retention =
      Date.parse(addMonths(doc.uploadedAt.toISOString(), 24)) - doc.uploadedAt.getTime();
    expect(await store.chunksKept(doc.id)).toBe(3); // 600 KiB in 256 KiB chunks

    await env.sleep(retention - DAY);
    expect((await view(doc.handle)).state).toBe('retained.available');
    let read = Buffer.alloc(0);
    for await (const chunk of store.open(doc.id)) read = Buffer.concat([read, chunk]);
    expect(read.equals(doc.content)).toBe(true);

    await env.sleep(DAY + MINUTE);
    const purged = await eventually(
      () => view(doc.handle),
      (v) => v.status === 'done',
    );
    expect(purged).toMatchObject({ state: 'purged', stateLabel: 'Gelöscht' });
    const described = await eventually(
      () => store.describe(doc.id),
      (d) => d?.purgedAt !== null,
    );
    expect(described).toMatchObject({
      title: 'Abrechnungsnachweis Quartal 4/2025',
      purgedBy: 'retention',
    });
    expect(await store.chunksKept(doc.id)).toBe(0);
    const { rows } = await database.pool.query(
      'select wrapped_key, master_key_id from documents where id = $1',
      [doc.id],
    );
    expect(rows).toEqual([{ wrapped_key: null, master_key_id: null }]);
    await expect(async () => {
      for await (const _ of store.open(doc.id)) void _;
    }).rejects.toThrow(/no content/);
    const report = await store.retentionReport({ limit: 100 });
    expect(report.map((entry) => entry.id)).toContain(doc.id);
  });
});

async function requestTanFor(name: string) {
  const doc = await upload(name);
  await eventually(
    () => mailsTo(doc.physician.email),
    (list) => list.length === 1,
  );
  const tan = await requestTan(doc);
  return { ...doc, tan };
}

describe('documentDelivery workflow, version 2: mTAN limits', () => {
  const sealer = secretSealer(SECRET);

  it('when wrong mTANs add up over re-issues, then the download locks for the back office and no SMS goes out until an operator unlocks it', async () => {
    const doc = await upload('v2-locked', 2);
    await eventually(
      () => mailsTo(doc.physician.email),
      (list) => list.length === 1,
    );
    let tan = await requestTan(doc);
    const wrong = (right: string) => sealer.seal(right === '000000' ? '111111' : '000000');
    for (let i = 0; i < 3; i++) {
      await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: wrong(tan) }));
    }
    tan = await requestTan(doc);
    await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: wrong(tan) }));
    await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: wrong(tan) }));
    const last = await refusalOf(send(doc.handle, { type: 'TAN_SUBMITTED', tan: wrong(tan) }));
    expect(last.details).toMatchObject({ status: 422, detail: expect.stringMatching(/gesperrt/) });
    const locked = await view(doc.handle);
    expect(locked).toMatchObject({ state: 'retained.locked', stateLabel: 'Download gesperrt' });
    expect(locked.allowedEvents).toEqual(['DOWNLOAD_UNLOCKED']);

    const smsBefore = doc.smsTo().length;
    const asked = await refusalOf(send(doc.handle, { type: 'DOWNLOAD_REQUESTED' }));
    expect(asked.details).toMatchObject({ status: 409 });
    expect(doc.smsTo()).toHaveLength(smsBefore);
    // The right mTAN of the last SMS opens nothing either.
    const late = await refusalOf(
      send(doc.handle, { type: 'TAN_SUBMITTED', tan: sealer.seal(tan) }),
    );
    expect(late.details).toMatchObject({ status: 409 });

    expect(await send(doc.handle, { type: 'DOWNLOAD_UNLOCKED' })).toMatchObject({
      stateLabel: 'Bereitgestellt',
    });
    tan = await requestTan(doc);
    expect(await send(doc.handle, { type: 'TAN_SUBMITTED', tan: sealer.seal(tan) })).toMatchObject({
      state: 'retained.downloadReady',
    });
  });

  it('when a sixth mTAN is asked for on one day, then 409 and no SMS; a day later one goes out', async () => {
    const doc = await upload('v2-per-day', 2);
    await eventually(
      () => mailsTo(doc.physician.email),
      (list) => list.length === 1,
    );
    for (let i = 0; i < 5; i++) await requestTan(doc);
    const refused = await refusalOf(send(doc.handle, { type: 'DOWNLOAD_REQUESTED' }));
    expect(refused.details).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/heute bereits 5 mTANs/),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(doc.smsTo()).toHaveLength(5);
    await env.sleep(DAY);
    await requestTan(doc);
    expect(doc.smsTo()).toHaveLength(6);
  });
});
