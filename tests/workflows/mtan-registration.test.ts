import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMtanNumberStore, type MtanNumberStore } from '../../storage/mtan-numbers.js';
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
 * The Registrierung zum mTAN-Verfahren on the time-skipping server with the real number store
 * on Postgres: the SMS code's 15 minutes, the confirmed number written for the downloads, a
 * changed number in force only once confirmed; and documentDelivery v3 sending its mTAN to
 * that number, or refusing without one.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const sealer = secretSealer(TEST_ACTIVITY_CONFIG.codeSecret);

const { mailer, sent } = recordingMailer();
let database: TestDatabase;
let numbers: MtanNumberStore;

const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    mailer,
    config: TEST_ACTIVITY_CONFIG,
    // The store needs the database of this file, which exists once beforeAll ran.
    mtanNumbers: {
      confirm: (...args) => numbers.confirm(...args),
      confirmedNumber: (...args) => numbers.confirmedNumber(...args),
    },
  }),
);
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = testEnv();
  database = await freshDatabase('mtan_registration');
  numbers = createMtanNumberStore(database.pool);
});

const scenarios: { name: string; handle: WorkflowHandle }[] = [];
afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
  await database?.drop();
});

const PRACTICE = 'BSNR-123456789';

function physician() {
  const digits = () => String(10_000_000 + (randomBytes(4).readUInt32BE(0) % 89_999_999));
  const first = digits();
  const second = digits();
  return {
    haevgId: `H-${randomBytes(3).toString('hex')}`,
    lanr: String(100_000_000 + (randomBytes(4).readUInt32BE(0) % 899_999_999)),
    mobile: `0151${first}`,
    e164: `+49151${first}`,
    smsTo: `sms+49151${first}@sms.praxisflow.localhost`,
    otherMobile: `0160${second}`,
    otherE164: `+49160${second}`,
    otherSmsTo: `sms+49160${second}@sms.praxisflow.localhost`,
  };
}
type Physician = ReturnType<typeof physician>;

async function eventually<T>(read: () => Promise<T> | T, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never got there: ${JSON.stringify(await read()).slice(0, 600)}`);
}

const smsTo = (address: string) => sent.filter((mail) => mail.to === address);

/** The n-th code sent to that number, from the SMS text. */
async function codeFrom(address: string, count: number): Promise<string> {
  const list = await eventually(
    () => smsTo(address),
    (found) => found.length >= count,
  );
  const code = /^(\d{6}) ist Ihr Bestätigungscode für die Registrierung zum mTAN-Verfahren/.exec(
    list[count - 1]!.text,
  )?.[1];
  if (!code) throw new Error(`no code in ${list[count - 1]!.text}`);
  return code;
}

async function register(name: string, who: Physician) {
  const handle = await startProcess(env, 'mtanRegistration', {
    businessKey: `${who.haevgId}-${who.lanr}`,
    practiceId: PRACTICE,
    input: { practiceId: PRACTICE, haevgId: who.haevgId, lanr: who.lanr, mobile: who.e164 },
  });
  scenarios.push({ name: `mtanRegistration--${name}`, handle });
  return handle;
}

const submit = (handle: WorkflowHandle, code: string) =>
  send(handle, { type: 'CODE_SUBMITTED', code: sealer.seal(code) });

const confirmedNumber = (who: Physician) =>
  numbers.confirmedNumber({ practiceId: PRACTICE, haevgId: who.haevgId, lanr: who.lanr });

describe('mtanRegistration workflow', () => {
  it('lets the SMS code expire after 15 minutes and not a second earlier; a resent code confirms the number', async () => {
    const who = physician();
    const handle = await register('code-expiry', who);
    const first = await codeFrom(who.smsTo, 1);
    expect(smsTo(who.smsTo)[0]!.text).toContain('Gültig 15 Minuten');
    expect((await view(handle)).stateLabel).toBe('Bestätigung ausstehend');

    await env.sleep(15 * MINUTE - 2 * SECOND);
    expect((await view(handle)).state).toBe('pending');
    await env.sleep(4 * SECOND);
    const expired = await eventually(
      () => view(handle),
      (v) => v.state === 'expired',
    );
    expect(expired.stateLabel).toBe('Code abgelaufen');
    const late = await refusalOf(submit(handle, first));
    expect(late.details).toMatchObject({
      status: 409,
      allowedEvents: ['CODE_RESENT', 'MOBILE_CHANGED'],
    });
    expect(await confirmedNumber(who)).toBeNull();

    await send(handle, { type: 'CODE_RESENT' });
    const second = await codeFrom(who.smsTo, 2);
    const done = await submit(handle, second);
    expect(done).toMatchObject({ state: 'registered', stateLabel: 'Mobilfunknummer bestätigt' });
    expect(done.context).toMatchObject({ mtanNumber: { mobile: who.e164 } });
    expect(JSON.stringify(done)).not.toContain(second);
    expect(await confirmedNumber(who)).toBe(who.e164);
  });

  it('keeps the confirmed number in force until a changed one is confirmed; wrong codes are counted', async () => {
    const who = physician();
    const handle = await register('change-number', who);
    await submit(handle, await codeFrom(who.smsTo, 1));
    expect(await confirmedNumber(who)).toBe(who.e164);

    await send(handle, { type: 'MOBILE_CHANGED', mobile: who.otherMobile });
    const code = await codeFrom(who.otherSmsTo, 1);
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await refusalOf(submit(handle, wrong));
    expect(refused.details).toMatchObject({
      status: 422,
      detail: 'Der Bestätigungscode ist falsch. Noch 4 Versuche.',
    });
    expect(await confirmedNumber(who)).toBe(who.e164);

    await submit(handle, code);
    expect(
      await eventually(
        () => confirmedNumber(who),
        (number) => number === who.otherE164,
      ),
    ).toBe(who.otherE164);
  });
});

describe('the store of confirmed numbers', () => {
  it('keeps the newest confirmation: a retried older one never replaces it, and another practice sees none', async () => {
    const who = physician();
    const identity = { practiceId: PRACTICE, haevgId: who.haevgId, lanr: who.lanr };
    const newer = new Date('2026-12-01T10:00:00.000Z');
    const older = new Date('2026-12-01T09:00:00.000Z');
    await numbers.confirm({
      ...identity,
      mobile: who.otherE164,
      processId: 'p',
      confirmedAt: newer,
    });
    await numbers.confirm({ ...identity, mobile: who.e164, processId: 'p', confirmedAt: older });
    expect(await numbers.confirmedNumber(identity)).toBe(who.otherE164);
    expect(await numbers.confirmedNumber({ ...identity, practiceId: 'BSNR-OTHER' })).toBeNull();
  });
});

describe('documentDelivery v3 workflow', () => {
  async function upload(name: string, who: Physician) {
    const id = `D-2026-${[...randomBytes(8)].map((b) => '3467ACDEFGHJKMNPQRTUVWXY9'[b % 25]).join('')}`;
    const handle = await startProcess(env, 'documentDelivery', {
      version: 3,
      businessKey: id,
      practiceId: PRACTICE,
      input: {
        documentId: id,
        practiceId: PRACTICE,
        kind: 'abrechnungsnachweis',
        title: 'Abrechnungsnachweis Quartal 4/2025',
        fileName: 'abrechnung.pdf',
        contentType: 'application/pdf',
        size: 1000,
        sha256: 'a'.repeat(64),
        uploadedAt: new Date(await env.currentTimeMs()).toISOString(),
        physician: {
          name: 'Dr. med. Jonas Berger',
          email: `${id.toLowerCase()}@praxis.example`,
          haevgId: who.haevgId,
          lanr: who.lanr,
        },
      },
    });
    scenarios.push({ name: `documentDelivery--${name}`, handle });
    return handle;
  }

  it('refuses a download request without a confirmed number: 409, nothing sent', async () => {
    const who = physician();
    const handle = await upload('v3-not-registered', who);
    const refused = await refusalOf(send(handle, { type: 'DOWNLOAD_REQUESTED' }));
    expect(refused.details).toEqual({
      status: 409,
      detail: 'Bitte registrieren Sie sich zuerst zum mTAN-Verfahren.',
      allowedEvents: ['DOWNLOAD_REQUESTED'],
    });
    const after = await view(handle);
    expect(after).toMatchObject({ state: 'retained.available', context: { tansSent: 0 } });
    expect(sent.filter((mail) => mail.to.startsWith('sms+'))).not.toContainEqual(
      expect.objectContaining({
        subject: expect.stringContaining(after.context.documentId as string),
      }),
    );
  });

  it('sends the mTAN to the confirmed number and opens the download with it', async () => {
    const who = physician();
    const registration = await register('for-download', who);
    await submit(registration, await codeFrom(who.smsTo, 1));
    const handle = await upload('v3-registered', who);

    const asked = await send(handle, { type: 'DOWNLOAD_REQUESTED' });
    expect(asked).toMatchObject({ state: 'retained.awaitingTan', stateLabel: 'mTAN gesendet' });
    const sms = await eventually(
      () => smsTo(who.smsTo).filter((mail) => /ist Ihre mTAN/.test(mail.text)),
      (list) => list.length === 1,
    );
    const tan = /^(\d{6}) ist Ihre mTAN/.exec(sms[0]!.text)![1]!;
    const ready = await send(handle, { type: 'TAN_SUBMITTED', tan: sealer.seal(tan) });
    expect(ready.state).toBe('retained.downloadReady');
  });
});
