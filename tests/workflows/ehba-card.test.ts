import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { memoryOutbox } from '../support/outbox.js';
import {
  recordingMailer,
  TEST_ACTIVITY_CONFIG,
  type RecordedMail,
} from '../support/recording-mailer.js';
import { type ProcessView } from '../../workflows/protocol.js';
import {
  recordHistory,
  refusalOf,
  send,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

const DAY = 24 * 3_600_000;
const MINUTE = 60_000;

const { mailer, sent } = recordingMailer();

const testEnv = useTimeSkippingWorker(
  createActivities({ outbox: memoryOutbox(), mailer, config: TEST_ACTIVITY_CONFIG }),
);
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

/** Every started process, named after its test, for the replay fixtures. */
const scenarios: { name: string; handle: WorkflowHandle }[] = [];
afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
});
const scenarioName = (prefix: string): string =>
  `${prefix}--${(expect.getState().currentTestName ?? 'unnamed')
    .replace(/^.*?> /, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/-+$/, '')}`;

let counter = 0;
const serial = (): string => {
  counter += 1;
  // Eight characters of the Antragsnummer alphabet, unique per test.
  const alphabet = '3467ACDEFGHJKMNPQRTUVWXY9';
  let n = counter + Math.floor(Math.random() * 1e9);
  let out = '';
  for (let i = 0; i < 8; i++) {
    out += alphabet[n % alphabet.length];
    n = Math.floor(n / alphabet.length);
  }
  return out;
};

const applicant = (email: string) => ({
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email,
  chamber: 'Ärztekammer Nordrhein',
  address: {
    name: 'Dr. med. Erika Mustermann',
    street: 'Heidestraße 17',
    postcode: '51147',
    city: 'Köln',
    country: 'DE',
  },
});

const mailsTo = (email: string): RecordedMail[] => sent.filter((mail) => mail.to.includes(email));
const lettersTo = (postcode: string): RecordedMail[] =>
  sent.filter((mail) => mail.to.includes(`brief+${postcode}`));

/** Waits until the effects of the last step (emails) have run. */
async function settle(handle: WorkflowHandle, step?: number): Promise<ProcessView> {
  for (let i = 0; i < 100; i++) {
    const v = await view(handle);
    if (step === undefined || v.step >= step) {
      await new Promise((r) => setTimeout(r, 100));
      return view(handle);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the process did not get there');
}

/**
 * The status once the workflow has closed. Polls `describe` instead of awaiting `result()`: a
 * client waiting for a result lets the time-skipping server jump to the next timer of any
 * process, which would age every other process in the test by years.
 */
async function closed(handle: WorkflowHandle): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return status.name;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${handle.workflowId} is still running`);
}

async function startApplication(options: { practiceId?: string } = {}) {
  const number = `A-2026-${serial()}`;
  const email = `antrag.${number.toLowerCase()}@praxis.example`;
  const handle = await startProcess(env, 'ehbaApplication', {
    input: {
      cardType: 'eHBA',
      ...applicant(email),
      applicationNumber: number,
      ...(options.practiceId ? { practiceId: options.practiceId } : {}),
    },
    businessKey: number,
    ...(options.practiceId ? { practiceId: options.practiceId } : {}),
  });
  scenarios.push({ name: scenarioName('ehbaApplication'), handle });
  return { handle, number, email };
}

async function submitted() {
  const started = await startApplication();
  const v = await send(started.handle, { type: 'APPLICATION_SUBMITTED' });
  expect(v).toMatchObject({
    state: 'submitted.awaitingDocuments',
    stateLabel: 'Bearbeitung beendet',
  });
  await settle(started.handle);
  return started;
}

async function startCard(options: { number?: string } = {}) {
  const application = options.number ?? `A-2026-${serial()}`;
  const cardNumber = `K-${application.slice(2)}-1`;
  const email = `karte.${cardNumber.toLowerCase()}@praxis.example`;
  const handle = await startProcess(env, 'card', {
    input: {
      cardNumber,
      cardType: 'eHBA',
      applicationNumber: application,
      holder: {
        ...applicant(email),
        address: { ...applicant(email).address, postcode: String(10000 + counter) },
      },
    },
    businessKey: cardNumber,
  });
  scenarios.push({ name: scenarioName('card'), handle });
  return { handle, cardNumber, email, postcode: String(10000 + counter) };
}

async function shippedCard() {
  const card = await startCard();
  const v = await send(card.handle, { type: 'CARD_SHIPPED', trackingId: '00340434161094015902' });
  expect(v).toMatchObject({ state: 'shipped', stateLabel: 'Versendet' });
  await settle(card.handle);
  return card;
}

async function activeCard() {
  const card = await shippedCard();
  const v = await send(card.handle, { type: 'CARD_ACTIVATED' });
  expect(v).toMatchObject({ state: 'active', stateLabel: 'Freigeschaltet' });
  await settle(card.handle);
  return card;
}

describe('ehbaApplication workflow', () => {
  it('when the documents do not arrive, then reminders go on day 21 and 42 (not day 20, no third) and the application expires on day 90', async () => {
    const { handle, email, number } = await submitted();
    const first = mailsTo(email);
    expect(first).toHaveLength(1);
    expect(first[0]!.attachments.map((a) => a.filename)).toEqual([`Antrag-${number}.pdf`]);

    await env.sleep(20 * DAY);
    expect(mailsTo(email)).toHaveLength(1);
    await env.sleep(DAY + MINUTE);
    expect(mailsTo(email)).toHaveLength(2);
    expect((await view(handle)).state).toBe('submitted.remindedOnce');

    await env.sleep(20 * DAY);
    expect(mailsTo(email)).toHaveLength(2);
    await env.sleep(DAY);
    expect(mailsTo(email)).toHaveLength(3);
    expect((await view(handle)).context.documentRemindersSent).toBe(2);

    await env.sleep(48 * DAY - 2 * MINUTE); // day 90 minus a minute: nothing more
    expect(mailsTo(email)).toHaveLength(3);
    expect((await view(handle)).state).toBe('submitted.remindedTwice');

    await env.sleep(2 * MINUTE);
    const expired = await settle(handle);
    expect(expired).toMatchObject({ state: 'expired', stateLabel: 'Abgelaufen', status: 'done' });
    expect(mailsTo(email)).toHaveLength(4);
  });

  it('when a draft is never submitted, then it is discarded after 90 days and not before', async () => {
    const { handle, email } = await startApplication();
    await env.sleep(90 * DAY - MINUTE);
    expect((await view(handle)).state).toBe('inProgress');
    await env.sleep(2 * MINUTE);
    expect(await settle(handle)).toMatchObject({ state: 'abandoned', stateLabel: 'Verworfen' });
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('when the issuer asks for documents twice, then each query mails the list, reminds after 21 days, and resubmission goes back to the check', async () => {
    const { handle, email } = await submitted();
    await send(handle, { type: 'DOCUMENTS_RECEIVED' });
    const asked = await send(handle, {
      type: 'QUERY_RAISED',
      missing: ['Meldebescheinigung', 'Lichtbild'],
      note: 'Das Lichtbild ist unscharf.',
    });
    expect(asked).toMatchObject({
      state: 'awaitingResubmission',
      stateLabel: 'Nachreichung angefordert',
    });
    await settle(handle);
    const query = mailsTo(email).at(-1)!;
    expect(query.text).toContain('Meldebescheinigung');
    expect(query.text).toContain('Lichtbild');

    const before = mailsTo(email).length;
    await env.sleep(21 * DAY + MINUTE);
    expect(mailsTo(email)).toHaveLength(before + 1);
    expect(mailsTo(email).at(-1)!.text).toContain('Meldebescheinigung');

    expect(await send(handle, { type: 'DOCUMENTS_RESUBMITTED' })).toMatchObject({
      state: 'documentsReceived',
      stateLabel: 'Eingang Antragsunterlagen',
      context: expect.objectContaining({ query: null, queries: 1 }),
    });
    await send(handle, { type: 'QUERY_RAISED', missing: ['Unterschrift'] });
    await send(handle, { type: 'DOCUMENTS_RESUBMITTED' });
    const checked = await send(handle, { type: 'CHECK_PASSED' });
    expect(checked).toMatchObject({ state: 'awaitingApproval', stateLabel: 'Zur Freigabe' });
    expect(checked.context.queries).toBe(2);
  });

  it('when the chamber approves, then the application ends as Freigegeben and the card process runs under the card number', async () => {
    const { handle, number, email } = await startApplication({ practiceId: 'BSNR-123456789' });
    for (const type of ['APPLICATION_SUBMITTED', 'DOCUMENTS_RECEIVED', 'CHECK_PASSED']) {
      await send(handle, { type });
    }
    const approved = await send(handle, { type: 'CHAMBER_APPROVED' });
    expect(approved).toMatchObject({
      state: 'approved',
      stateLabel: 'Freigegeben',
      status: 'done',
    });
    const cardNumber = `K-${number.slice(2)}-1`;
    expect(approved.context.cardNumber).toBe(cardNumber);
    expect(await closed(handle)).toBe('COMPLETED');

    const card = env.client.workflow.getHandle(`card-${cardNumber}`);
    const cardView = await view(card);
    expect(cardView).toMatchObject({
      type: 'card',
      businessKey: cardNumber,
      practiceId: 'BSNR-123456789',
      state: 'inProduction',
      stateLabel: 'In Produktion',
      status: 'active',
    });
    expect(cardView.context).toMatchObject({ applicationNumber: number, holder: { email } });
    expect(mailsTo(email).some((mail) => /Antrag freigegeben/.test(mail.subject))).toBe(true);
    // Started once, even though the parent has ended.
    expect((await card.describe()).status.name).toBe('RUNNING');
  });

  it('when the card number of an approved application is held by a card it did not start, then the application shows an incident, not a success, and once the stranger is blocked a retry starts its own card', async () => {
    const { handle, number, email } = await startApplication({ practiceId: 'BSNR-123456789' });
    const cardNumber = `K-${number.slice(2)}-1`;
    const stranger = await startProcess(env, 'card', {
      input: {
        cardNumber,
        cardType: 'eHBA',
        applicationNumber: number,
        holder: applicant('fremd@angreifer.example'),
      },
      businessKey: cardNumber,
    });
    for (const type of ['APPLICATION_SUBMITTED', 'DOCUMENTS_RECEIVED', 'CHECK_PASSED']) {
      await send(handle, { type });
    }
    const approving = send(handle, { type: 'CHAMBER_APPROVED' });
    let stuck = await view(handle);
    for (let i = 0; i < 100 && !stuck.incident; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stuck = await view(handle);
    }
    expect(stuck).toMatchObject({
      state: 'approved',
      incident: { action: 'startProcess', label: 'Folgeprozess nicht gestartet' },
    });
    expect(stuck.incident!.message).toContain(`card-${cardNumber}`);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const card = env.client.workflow.getHandle(`card-${cardNumber}`);
    expect((await view(card)).context).toMatchObject({
      holder: { email: 'fremd@angreifer.example' },
    });

    await send(stranger, { type: 'CARD_BLOCKED', reason: 'Ohne Antrag gestartet.' });
    expect(await closed(stranger)).toBe('COMPLETED');
    await handle.executeUpdate('retry', { args: [{ actor: 'key-operator' }] });
    expect(await approving).toMatchObject({ state: 'approved', incident: null });
    expect(await closed(handle)).toBe('COMPLETED');
    const own = await view(env.client.workflow.getHandle(`card-${cardNumber}`));
    expect(own).toMatchObject({ state: 'inProduction', practiceId: 'BSNR-123456789' });
    expect(own.context).toMatchObject({ applicationNumber: number, holder: { email } });
  });

  it('when the issuer finds the signature does not match, then the application is rejected and the applicant is asked for a new one', async () => {
    const { handle, email } = await submitted();
    await send(handle, { type: 'DOCUMENTS_RECEIVED' });
    const rejected = await send(handle, {
      type: 'APPLICATION_REJECTED',
      reason: 'signatureMismatch',
    });
    expect(rejected).toMatchObject({ state: 'rejected', stateLabel: 'Abgelehnt', status: 'done' });
    await settle(handle);
    expect(mailsTo(email).at(-1)!.text).toMatch(/neuen Antrag/);
  });
});

describe('card workflow', () => {
  it('when the card ships, then tracking goes by email and the Transport-PIN by letter; a resend works until activation and is refused (409) after', async () => {
    const card = await shippedCard();
    expect(mailsTo(card.email).at(-1)!.text).toContain('00340434161094015902');
    expect(lettersTo(card.postcode)).toHaveLength(1);
    expect(lettersTo(card.postcode)[0]!.attachments).toHaveLength(1);

    await send(card.handle, { type: 'TRANSPORT_PIN_RESEND_REQUESTED' });
    await settle(card.handle);
    expect(lettersTo(card.postcode)).toHaveLength(2);

    await send(card.handle, { type: 'CARD_ACTIVATED' });
    const refused = await refusalOf(send(card.handle, { type: 'TRANSPORT_PIN_RESEND_REQUESTED' }));
    expect(refused.type).toBe('NotAllowed');
    expect(refused.details.status).toBe(409);
    expect(lettersTo(card.postcode)).toHaveLength(2);
  });

  it('when the card is active, then the renewal reminder lands exactly 90 days before the 5-year end, and at the end the card expires', async () => {
    const card = await activeCard();
    const active = await view(card.handle);
    const shippedAt = Date.parse(String(active.context.shippedAt));
    const validUntil = Date.parse(String(active.context.validUntil));
    const fiveYears = new Date(shippedAt);
    fiveYears.setUTCFullYear(fiveYears.getUTCFullYear() + 5);
    expect(validUntil).toBe(fiveYears.getTime());
    const reminder = active.timers.find((t) => t.name === 'renewalReminder')!;
    expect(Date.parse(reminder.dueAt)).toBe(validUntil - 90 * DAY);
    expect(Date.parse(active.timers.find((t) => t.name === 'certificateExpiry')!.dueAt)).toBe(
      validUntil,
    );

    const mails = mailsTo(card.email).length;
    const now = async () => Date.parse((await view(card.handle)).updatedAt);
    await env.sleep(validUntil - 90 * DAY - (await now()) - MINUTE);
    expect(mailsTo(card.email)).toHaveLength(mails);
    await env.sleep(2 * MINUTE);
    const renewal = mailsTo(card.email).at(-1)!;
    expect(mailsTo(card.email)).toHaveLength(mails + 1);
    expect(renewal.subject).toMatch(/Folgekarte beantragen/);
    expect(renewal.text).toContain(`folgeantrag?prozess=card-${card.cardNumber}`);

    await env.sleep(90 * DAY);
    expect(await settle(card.handle)).toMatchObject({
      state: 'expired',
      stateLabel: 'Abgelaufen',
      status: 'done',
    });
  });

  it('when a card is blocked in any live state, then it is Gesperrt for good', async () => {
    const inProduction = await startCard();
    const shipped = await shippedCard();
    const active = await activeCard();
    const exchange = await activeCard();
    await send(exchange.handle, { type: 'ACTIVATION_PASSWORD_FORGOTTEN' });
    for (const card of [inProduction, shipped, active, exchange]) {
      const blocked = await send(card.handle, { type: 'CARD_BLOCKED', reason: 'Karte verloren.' });
      expect(blocked).toMatchObject({ state: 'blocked', stateLabel: 'Gesperrt', status: 'done' });
      expect(blocked.allowedEvents).toEqual([]);
      expect(await closed(card.handle)).toBe('COMPLETED');
      expect(mailsTo(card.email).at(-1)!.text).toContain('Karte verloren.');
    }
  });

  it('when the activation password is forgotten within 6 months, then an exchange card replaces the card; after 6 months a new application is needed', async () => {
    const card = await activeCard();
    await env.sleep(180 * DAY);
    const requested = await send(card.handle, { type: 'ACTIVATION_PASSWORD_FORGOTTEN' });
    expect(requested).toMatchObject({
      state: 'exchangeRequested',
      stateLabel: 'Austausch beantragt',
    });
    const replaced = await send(card.handle, { type: 'CARD_SHIPPED', trackingId: 'EX-4711' });
    const next = card.cardNumber.replace(/-1$/, '-2');
    expect(replaced).toMatchObject({ state: 'replaced', status: 'done' });
    expect(replaced.context.replacedBy).toBe(next);
    expect(await closed(card.handle)).toBe('COMPLETED');
    const exchange = await view(env.client.workflow.getHandle(`card-${next}`));
    expect(exchange).toMatchObject({ state: 'shipped', businessKey: next });
    expect(exchange.context).toMatchObject({ replaces: card.cardNumber, trackingId: 'EX-4711' });
    const late = await activeCard();
    await env.sleep(185 * DAY);
    const refused = await refusalOf(send(late.handle, { type: 'ACTIVATION_PASSWORD_FORGOTTEN' }));
    expect(refused.details.status).toBe(409);
    expect(String(refused.details.detail)).toMatch(/Ersatzkarte/);
    expect((await view(late.handle)).state).toBe('active');
  });

  it('when the holder asks for the follow-up card, then a new application starts prefilled, once', async () => {
    const card = await activeCard();
    const asked = await send(card.handle, { type: 'FOLLOW_UP_REQUESTED' });
    const followUp = asked.context.followUpApplication as {
      processId: string;
      businessKey: string;
    };
    expect(followUp.businessKey).toMatch(/^A-\d{4}-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/);
    const application = await view(env.client.workflow.getHandle(followUp.processId));
    expect(application).toMatchObject({ state: 'inProgress', businessKey: followUp.businessKey });
    expect(application.context).toMatchObject({
      applicationNumber: followUp.businessKey,
      followUpOf: card.cardNumber,
      applicant: { email: card.email, lastName: 'Mustermann' },
    });
    const again = await refusalOf(send(card.handle, { type: 'FOLLOW_UP_REQUESTED' }));
    expect(again.details.status).toBe(409);
  });
});
