import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { nextBerlinTime, stableSpread } from '../../machines/berlin-time.js';
import { DIGEST_JITTER_MINUTES } from '../../machines/nightly-digest.js';
import { deliverSignal, type ProcessArgs } from '../../workflows/protocol.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';
import {
  projected,
  recordHistory,
  refusalOf,
  send,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const { mailer, sent } = recordingMailer();

let env: TestWorkflowEnvironment;
const testEnv = useTimeSkippingWorker(
  createActivities({ outbox: memoryOutbox(), mailer, config: TEST_ACTIVITY_CONFIG }),
);
beforeAll(() => {
  env = testEnv();
});

const scenarios: { name: string; handle: WorkflowHandle }[] = [];
afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
});

const newPractice = () => `BSNR-${randomBytes(4).toString('hex')}`;
const mailsTo = (address: string) => sent.filter((mail) => mail.to.includes(address));
const faxesTo = (digits: string) => sent.filter((mail) => mail.to.includes(`fax+${digits}@`));
const pdfText = async (pdf: Buffer | undefined) =>
  (await extractText(new Uint8Array(pdf ?? Buffer.alloc(0)), { mergePages: true })).text;
/** The code as a fax prints it: framed, letter-spaced under its label. */
const faxCodeIn = (text: string): string => {
  const printed = /Bestätigungscode\n([3467ACDEFGHJKMNPQRTUVWXY9 ]+)\n/.exec(text)?.[1];
  if (!printed) throw new Error(`no confirmation code in the fax: ${JSON.stringify(text)}`);
  return printed.replace(/ /g, '');
};
const codeIn = (text: string): string => {
  const code = /\b([3467ACDEFGHJKMNPQRTUVWXY9]{4} [3467ACDEFGHJKMNPQRTUVWXY9]{4})\b/.exec(
    text,
  )?.[1];
  if (!code) throw new Error(`no confirmation code in: ${JSON.stringify(text)}`);
  return code;
};

async function verifyChannel(
  practiceId: string,
  email: string,
  version?: { number: 2 | 3; scenario: string },
) {
  const handle = await startProcess(env, 'contactVerification', {
    input: { practiceId, practiceName: 'Praxis Dr. Beispiel', channel: 'email', address: email },
    businessKey: practiceId,
    practiceId,
    ...(version ? { version: version.number } : {}),
  });
  scenarios.push({
    name: version
      ? `contactVerification--v${version.number}-${version.scenario}`
      : `contactVerification--${scenarios.length}`,
    handle,
  });
  // The code is sent by an activity right after the start: wait until it is out.
  for (let i = 0; i < 100 && mailsTo(email).length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle;
}

async function confirm(handle: WorkflowHandle, email: string) {
  const code = codeIn(mailsTo(email).at(-1)?.text ?? '');
  return send(handle, { type: 'CODE_SUBMITTED', code });
}

/** As the API does it: signal-with-start of the practice's nightly overview. */
async function report(
  practiceId: string,
  appointment: { kind: 'booked' | 'cancelled'; appointmentId: string; at: string },
  /** When the API accepted the report, if a busy worker takes it later. */
  sentAt?: string,
  /** The version the first report starts (the API starts the newest). */
  version = 1,
) {
  const args: ProcessArgs = {
    input: { practiceId },
    version,
    businessKey: practiceId,
    practiceId,
    actor: 'key-test',
  };
  return env.client.workflow.signalWithStart('nightlyDigest', {
    taskQueue: 'praxisflow-test',
    workflowId: `nightlyDigest-${practiceId}`,
    args: [args],
    signal: deliverSignal,
    signalArgs: [
      { type: 'APPOINTMENT_RECORDED', ...appointment },
      { actor: 'key-test', sentAt },
    ],
  });
}

const germanClock = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  hour: '2-digit',
  minute: '2-digit',
});
const germanDate = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** 01:30 plus the practice's jitter, as German clocks show it. */
const expectedClock = (practiceId: string): string => {
  const jitter = stableSpread(practiceId, DIGEST_JITTER_MINUTES) * MINUTE;
  return germanClock.format(Date.UTC(2027, 0, 10, 0, 30) + jitter); // a winter night: UTC+1
};

/** When each overview of a practice was sent: the steps that entered `sending`. */
const sendings = (practiceId: string): string[] =>
  projected
    .filter(
      (record) =>
        record.view.id === `nightlyDigest-${practiceId}` &&
        record.audit.to === 'sending' &&
        record.audit.from !== 'sending',
    )
    .map((record) => record.audit.at);

/** Sleeps until the given instant of workflow time. */
async function sleepUntil(epochMs: number) {
  const now = await env.currentTimeMs();
  if (epochMs > now) await env.sleep(epochMs - now);
}

describe('contactVerification workflow', () => {
  it('when the right code is entered, then the email channel is confirmed; a wrong one counts down', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email);
    expect(await view(handle)).toMatchObject({
      state: 'pending',
      stateLabel: 'Bestätigung ausstehend',
    });
    const mail = mailsTo(email).at(-1)!;
    expect(mail.text).toContain('eTerminservice der Kassenärztlichen Vereinigungen');
    const wrong = await refusalOf(send(handle, { type: 'CODE_SUBMITTED', code: 'AAAA AAAA' }));
    expect(wrong.details).toMatchObject({
      status: 422,
      detail: expect.stringMatching(/Noch 4 Versuche/),
    });
    const verified = await confirm(handle, email);
    expect(verified).toMatchObject({ state: 'verified', stateLabel: 'Bestätigt' });
    expect(verified.context.inUse).toMatchObject({ channel: 'email', address: email });
    expect(JSON.stringify(verified)).not.toContain(codeIn(mail.text));
  });

  it('when a wrong code is entered five times, then the confirmation is locked until a new code is asked for', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email);
    for (let i = 1; i <= 5; i++) {
      const refused = await refusalOf(send(handle, { type: 'CODE_SUBMITTED', code: 'AAAA AAAA' }));
      expect(refused.details.status).toBe(422);
    }
    expect(await view(handle)).toMatchObject({ state: 'locked', stateLabel: 'Gesperrt' });
    const refused = await refusalOf(send(handle, { type: 'CODE_SUBMITTED', code: 'AAAA AAAA' }));
    expect(refused.details.status).toBe(409);
    expect((await send(handle, { type: 'CODE_RESENT' })).state).toBe('pending');
    expect((await confirm(handle, email)).state).toBe('verified');
  });

  it('when 24 hours pass without the code, then the confirmation expires, and not a minute earlier', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email);
    await env.sleep(24 * HOUR - MINUTE);
    expect((await view(handle)).state).toBe('pending');
    await env.sleep(2 * MINUTE);
    expect(await view(handle)).toMatchObject({ state: 'expired', stateLabel: 'Abgelaufen' });
    const late = await refusalOf(send(handle, { type: 'CODE_SUBMITTED', code: 'AAAA AAAA' }));
    expect(late.details.status).toBe(409);
  });

  it('when the code is resent, then the old one is dead; a fourth resend is refused', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email);
    const first = codeIn(mailsTo(email).at(-1)!.text);
    for (let i = 1; i <= 3; i++) {
      expect((await send(handle, { type: 'CODE_RESENT' })).context.resends).toBe(i);
    }
    expect(mailsTo(email)).toHaveLength(4);
    const fourth = await refusalOf(send(handle, { type: 'CODE_RESENT' }));
    expect(fourth.details).toMatchObject({ status: 409, detail: expect.stringMatching(/3-mal/) });
    const old = await refusalOf(send(handle, { type: 'CODE_SUBMITTED', code: first }));
    expect(old.details.status).toBe(422);
    expect((await confirm(handle, email)).state).toBe('verified');
  });

  it('version 2: when five wrong codes lock it, then neither a resend nor the same address again unlocks it before the next day', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email, {
      number: 2,
      scenario: 'locked-until-tomorrow',
    });
    for (let i = 1; i <= 5; i++) {
      await refusalOf(send(handle, { type: 'CODE_SUBMITTED', code: 'AAAA AAAA' }));
    }
    expect(await view(handle)).toMatchObject({ state: 'locked', stateLabel: 'Gesperrt' });
    const resent = await refusalOf(send(handle, { type: 'CODE_RESENT' }));
    expect(resent.details).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/bis morgen/),
    });
    const same = await refusalOf(
      send(handle, { type: 'CHANNEL_CHANGED', channel: 'email', address: email }),
    );
    expect(same.details).toMatchObject({ status: 409 });
    expect(mailsTo(email)).toHaveLength(1);

    await env.sleep(DAY);
    expect((await send(handle, { type: 'CODE_RESENT' })).state).toBe('pending');
    expect(mailsTo(email)).toHaveLength(2);
    expect((await confirm(handle, email)).state).toBe('verified');
  });

  it('version 2: when resends and changes to the same address add up to five codes a day, then the next is refused and nothing is sent', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email, {
      number: 2,
      scenario: 'five-codes-a-day',
    });
    for (let i = 1; i <= 3; i++) await send(handle, { type: 'CODE_RESENT' });
    // The same address again used to start the counters over: now it is the day's fifth code.
    const changed = await send(handle, {
      type: 'CHANNEL_CHANGED',
      channel: 'email',
      address: email,
    });
    expect(changed.context).toMatchObject({ resends: 3 });
    expect(mailsTo(email)).toHaveLength(5);
    const sixth = await refusalOf(
      send(handle, { type: 'CHANNEL_CHANGED', channel: 'email', address: email }),
    );
    expect(sixth.details).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/Heute wurden bereits 5 Bestätigungscodes/),
    });
    const resend = await refusalOf(send(handle, { type: 'CODE_RESENT' }));
    expect(resend.details).toMatchObject({ status: 409 });
    // Wrong tries do not start over with a new code either.
    for (let i = 1; i <= 4; i++) {
      await refusalOf(send(handle, { type: 'CODE_SUBMITTED', code: 'AAAA AAAA' }));
    }
    await env.sleep(25 * HOUR);
    const nextDay = await send(handle, { type: 'CODE_RESENT' });
    expect(nextDay.context).toMatchObject({ resends: 1, failedAttempts: 0 });
    expect(mailsTo(email)).toHaveLength(6);
    await new Promise((r) => setTimeout(r, 100));
    expect((await confirm(handle, email)).state).toBe('verified');
  });

  it('version 3: when the day’s five codes are used up with two resends, then a resend is refused for the five codes, not for three resends', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email, {
      number: 3,
      scenario: 'five-codes-two-resends',
    });
    expect(await view(handle)).toMatchObject({ version: 3, state: 'pending' });
    for (let i = 1; i <= 2; i++) {
      await send(handle, { type: 'CODE_RESENT' });
      await send(handle, { type: 'CHANNEL_CHANGED', channel: 'email', address: email });
    }
    expect(mailsTo(email)).toHaveLength(5);
    const resend = await refusalOf(send(handle, { type: 'CODE_RESENT' }));
    expect(resend.details).toMatchObject({
      status: 409,
      detail:
        'Heute wurden bereits 5 Bestätigungscodes gesendet. Bitte fordern Sie morgen einen neuen an.',
    });
    expect(mailsTo(email)).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 100));
    expect((await confirm(handle, email)).state).toBe('verified');
  });

  it('when a confirmed practice changes to fax, then the code comes by fax and the email stays in use until it is entered', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const handle = await verifyChannel(practiceId, email);
    await confirm(handle, email);
    const changing = await send(handle, {
      type: 'CHANNEL_CHANGED',
      channel: 'fax',
      address: '030 1234567-89',
    });
    expect(changing).toMatchObject({ state: 'pending' });
    expect(changing.context.inUse).toMatchObject({ channel: 'email', address: email });
    expect(changing.context.candidate).toEqual({ channel: 'fax', address: '+4930123456789' });
    const fax = faxesTo('4930123456789').at(-1)!;
    const code = faxCodeIn(await pdfText(fax.attachments[0]?.content));
    const verified = await send(handle, { type: 'CODE_SUBMITTED', code });
    expect(verified.context.inUse).toMatchObject({ channel: 'fax', address: '+4930123456789' });
  });
});

/** German date of the appointments reported on day `day` of a scenario. */
const appointmentDay = (base: number, day: number) => germanDate.format(base + day * DAY);

/**
 * Reports a booking and a cancellation a day for `days` days from now (each for an appointment
 * on its own day, three weeks on), the booking twice; then sleeps a day. Returns the German
 * dates of each day's appointments.
 */
async function reportDaily(
  practiceId: string,
  days: number,
  /** Runs after the day's reports; returns how long it slept of the day. */
  afterReports?: (day: number) => Promise<number>,
) {
  const base = (await env.currentTimeMs()) + 21 * DAY;
  const dates: string[] = [];
  for (let day = 0; day < days; day++) {
    for (const kind of ['booked', 'cancelled'] as const) {
      await report(practiceId, {
        kind,
        appointmentId: `T-${day}`,
        at: new Date(base + day * DAY).toISOString(),
      });
    }
    await report(practiceId, {
      kind: 'booked',
      appointmentId: `T-${day}`,
      at: new Date(base + day * DAY).toISOString(),
    });
    dates.push(appointmentDay(base, day));
    const slept = (await afterReports?.(day)) ?? 0;
    await env.sleep(DAY - slept);
  }
  return dates;
}

/** Each overview lists exactly the appointments of its own day: one booking, one cancellation. */
function expectOnePerNight(digests: readonly { text: string }[], dates: readonly string[]) {
  expect(digests).toHaveLength(dates.length);
  digests.forEach((digest, night) => {
    expect(digest.text).toContain('eTerminservice der Kassenärztlichen Vereinigungen');
    for (const [other, date] of dates.entries()) {
      expect(digest.text.includes(date), `night ${night}, appointments of day ${other}`).toBe(
        other === night,
      );
    }
    expect(digest.text.match(/ Buchung /g) ?? []).toHaveLength(1);
    expect(digest.text.match(/ Absage /g) ?? []).toHaveLength(1);
  });
}

function expectNightly(practiceId: string, expectedDates: readonly string[]) {
  const at = sendings(practiceId);
  const clock = expectedClock(practiceId);
  for (const instant of at) expect(germanClock.format(Date.parse(instant))).toBe(clock);
  expect(at.map((instant) => germanDate.format(Date.parse(instant)))).toEqual(expectedDates);
}

describe('nightlyDigest workflow', () => {
  it.each([
    [
      'March',
      '2027-03-24T11:00:00Z',
      [
        '25.03.2027',
        '26.03.2027',
        '27.03.2027',
        '28.03.2027',
        '29.03.2027',
        '30.03.2027',
        '31.03.2027',
      ],
    ],
    [
      'October',
      '2027-10-27T11:00:00Z',
      [
        '28.10.2027',
        '29.10.2027',
        '30.10.2027',
        '31.10.2027',
        '01.11.2027',
        '02.11.2027',
        '03.11.2027',
      ],
    ],
  ])(
    'when a week of bookings and cancellations spans the %s clock change, then each night sends exactly that night’s items once, at 01:30 plus jitter German time',
    async (month, noon, nights) => {
      const practiceId = newPractice();
      const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
      await confirm(await verifyChannel(practiceId, email), email);
      await sleepUntil(Date.parse(noon));
      const dates = await reportDaily(practiceId, 7);
      const digests = mailsTo(email).filter((mail) => /Terminübersicht/.test(mail.subject));
      expectOnePerNight(digests, dates);
      expect(digests[0]!.html).toContain('<table');
      expectNightly(practiceId, nights);
      const handle = env.client.workflow.getHandle(`nightlyDigest-${practiceId}`);
      scenarios.push({ name: `nightlyDigest--${month.toLowerCase()}-clock-change`, handle });
      const after = await view(handle);
      expect(after).toMatchObject({ state: 'idle', timers: [] });
      expect(after.context.items).toEqual([]);
    },
  );

  it('when nothing is reported for nights, then nothing is sent and the overview sleeps without a timer', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    await confirm(await verifyChannel(practiceId, email), email);
    await reportDaily(practiceId, 1);
    const before = mailsTo(email).length;
    await env.sleep(5 * DAY);
    expect(mailsTo(email)).toHaveLength(before);
    const handle = env.client.workflow.getHandle(`nightlyDigest-${practiceId}`);
    expect(await view(handle)).toMatchObject({ version: 1, state: 'idle', timers: [] });
  });

  it('when a practice switches from email to fax mid-week, then each overview goes to the channel confirmed at that night', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const verification = await verifyChannel(practiceId, email);
    await confirm(verification, email);
    const dates = await reportDaily(practiceId, 5, async (day) => {
      if (day !== 2) return 0;
      // Noon: the practice asks for fax; the code is entered the next morning at 08:00, after
      // that night's overview went by email (the fax was not confirmed yet).
      await send(verification, {
        type: 'CHANNEL_CHANGED',
        channel: 'fax',
        address: '+49 30 4711-0',
      });
      await env.sleep(20 * HOUR);
      const code = faxCodeIn(await pdfText(faxesTo('493047110').at(-1)!.attachments[0]?.content));
      expect((await send(verification, { type: 'CODE_SUBMITTED', code })).state).toBe('verified');
      return 20 * HOUR;
    });
    const byEmail = mailsTo(email).filter((mail) => /Terminübersicht/.test(mail.subject));
    const byFax = faxesTo('493047110').filter((mail) => /Terminübersicht/.test(mail.subject));
    // Nights 0–2 by email (the fax was not yet confirmed on night 2), nights 3–4 by fax.
    expectOnePerNight(byEmail, dates.slice(0, 3));
    const faxTexts = await Promise.all(
      byFax.map(async (fax) => ({ text: await pdfText(fax.attachments[0]?.content) })),
    );
    expectOnePerNight(faxTexts, dates.slice(3));
  });

  it('when no channel is confirmed, then the overview is held with a warning and sent the night after confirmation', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    const dates = await reportDaily(practiceId, 2);
    const handle = env.client.workflow.getHandle(`nightlyDigest-${practiceId}`);
    scenarios.push({ name: 'nightlyDigest--held-without-channel', handle });
    const held = await view(handle);
    expect(held.stateLabel).toBe('Zurückgehalten: kein bestätigter Kanal');
    expect(held.context.warning).toMatch(/Kein bestätigter Benachrichtigungskanal/);
    expect(held.context.items).toHaveLength(4);
    await confirm(await verifyChannel(practiceId, email), email);
    await env.sleep(DAY);
    const digests = mailsTo(email).filter((mail) => /Terminübersicht/.test(mail.subject));
    expect(digests).toHaveLength(1);
    for (const date of dates) expect(digests[0]!.text).toContain(date);
    expect(await view(handle)).toMatchObject({
      state: 'idle',
      context: expect.objectContaining({ warning: null }),
    });
  });

  it('when a report accepted before the night’s time reaches a worker only after it, then the overview still goes out that night', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    await confirm(await verifyChannel(practiceId, email), email);
    const jitter = stableSpread(practiceId, DIGEST_JITTER_MINUTES) * MINUTE;
    const slot = nextBerlinTime((await env.currentTimeMs()) + DAY, '01:30', jitter);
    // The API took the report two minutes before the practice's slot; the worker, behind by
    // thousands of reports, gets to it three minutes after.
    await sleepUntil(slot + 3 * MINUTE);
    await report(
      practiceId,
      { kind: 'booked', appointmentId: 'T-late', at: new Date(slot + DAY).toISOString() },
      new Date(slot - 2 * MINUTE).toISOString(),
    );
    await env.sleep(MINUTE);
    const digests = mailsTo(email).filter((mail) => /Terminübersicht/.test(mail.subject));
    expect(digests).toHaveLength(1);
    const at = sendings(practiceId);
    expect(at).toHaveLength(1);
    expect(Date.parse(at[0]!) - slot).toBeLessThan(4 * MINUTE);
    const handle = env.client.workflow.getHandle(`nightlyDigest-${practiceId}`);
    scenarios.push({ name: 'nightlyDigest--report-taken-after-its-slot', handle });
    expect(await view(handle)).toMatchObject({ state: 'idle', timers: [] });
  });

  it('version 2: when a slot is cancelled and booked again, then the overview lists the cancellation first; the booking reported again after a quiet week goes out again', async () => {
    const practiceId = newPractice();
    const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;
    await confirm(
      await verifyChannel(practiceId, email, { number: 3, scenario: 'for-the-overview' }),
      email,
    );
    const at = new Date((await env.currentTimeMs()) + 21 * DAY).toISOString();
    await report(practiceId, { kind: 'booked', appointmentId: 'T-new', at }, undefined, 2);
    await report(practiceId, { kind: 'cancelled', appointmentId: 'T-old', at }, undefined, 2);
    await env.sleep(DAY);
    const digests = mailsTo(email).filter((mail) => /Terminübersicht/.test(mail.subject));
    expect(digests).toHaveLength(1);
    const rows = digests[0]!.text.match(/ (Absage|Buchung) /g);
    expect(rows).toEqual([' Absage ', ' Buchung ']);
    const handle = env.client.workflow.getHandle(`nightlyDigest-${practiceId}`);
    scenarios.push({ name: 'nightlyDigest--v2-cancellation-first', handle });
    // Continued as new after the night: still version 2.
    expect(await view(handle)).toMatchObject({ version: 2, state: 'idle', timers: [] });

    await env.sleep(9 * DAY);
    await report(practiceId, { kind: 'booked', appointmentId: 'T-new', at }, undefined, 2);
    await env.sleep(DAY);
    const later = mailsTo(email).filter((mail) => /Terminübersicht/.test(mail.subject));
    expect(later).toHaveLength(2);
    expect(later[1]!.text.match(/ (Absage|Buchung) /g)).toEqual([' Buchung ']);
  });
});
