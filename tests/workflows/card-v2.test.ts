import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { TransportPinLetterContent } from '../../machines/card-v2.schema.js';
import { type ProcessView } from '../../workflows/protocol.js';
import { memoryLetterStore } from '../support/letter-store.js';
import { memoryOutbox } from '../support/outbox.js';
import {
  recordingMailer,
  TEST_ACTIVITY_CONFIG,
  type RecordedMail,
} from '../support/recording-mailer.js';
import {
  recordHistory,
  refusalOf,
  send,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/**
 * Card version 2 in the time-skipping environment, as the holder observes it: the letters in
 * the post (with production's PINs), the emails, the 409 with the issuer's reason, and the
 * sealed letter gone the moment no resend is possible. Years pass in seconds.
 */

const DAY = 24 * 3_600_000;
const MINUTE = 60_000;

const { mailer, sent } = recordingMailer();
const letters = memoryLetterStore();

const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    mailer,
    transportPinLetters: letters,
    config: TEST_ACTIVITY_CONFIG,
  }),
);
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

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

const KENNWORT = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo';
const NEW_KENNWORT =
  '$argon2id$v=19$m=19456,t=2,p=1$bmV1bmV1bmV1bmV1$bmV1ZXNLZW5ud29ydG5ldWVzS2Vubndv';

let counter = 0;
const serial = (): string => {
  counter += 1;
  const alphabet = '3467ACDEFGHJKMNPQRTUVWXY9';
  let n = counter + Math.floor(Math.random() * 1e9);
  let out = '';
  for (let i = 0; i < 8; i++) {
    out += alphabet[n % alphabet.length];
    n = Math.floor(n / alphabet.length);
  }
  return out;
};

const holder = (email: string, postcode: string) => ({
  salutation: 'Frau',
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email,
  chamber: 'Ärztekammer Nordrhein',
  address: { name: 'Dr. med. Erika Mustermann', street: 'Heidestraße 17', postcode, city: 'Köln' },
});

const letterContent = (pin: string): TransportPinLetterContent => ({
  pins: [
    { name: 'PIN.CH', transportPin: pin },
    { name: 'PIN.QES', transportPin: '31757' },
  ],
  puk: '74910263',
});

const mailsTo = (email: string): RecordedMail[] => sent.filter((mail) => mail.to === email);
const lettersTo = (postcode: string): RecordedMail[] =>
  sent.filter((mail) => mail.to === `brief+${postcode}@post.praxisflow.localhost`);
const pdfText = async (mail: RecordedMail) =>
  (await extractText(new Uint8Array(mail.attachments[0]!.content), { mergePages: true })).text;
/** Codes are printed letter-spaced (`8 4 9 2 0`): compare without the spaces. */
const compact = (text: string) => text.replace(/\s+/g, '');

/** The letters to a postcode once there are `count` of them. */
async function untilLetters(postcode: string, count: number): Promise<RecordedMail[]> {
  for (let i = 0; i < 100 && lettersTo(postcode).length < count; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(lettersTo(postcode)).toHaveLength(count);
  return lettersTo(postcode);
}

/** Waits until the effects of the last step (emails, letters) have run. */
async function settle(handle: WorkflowHandle): Promise<ProcessView> {
  await new Promise((r) => setTimeout(r, 200));
  return view(handle);
}

async function closed(handle: WorkflowHandle): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return status.name;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${handle.workflowId} is still running`);
}

/** A version-2 card, shipped with production's sealed letter. */
async function shippedCard(pin = '84920') {
  const application = `A-2026-${serial()}`;
  const cardNumber = `K-${application.slice(2)}-1`;
  const email = `karte.${cardNumber.toLowerCase()}@praxis.example`;
  const postcode = String(20000 + counter);
  const handle = await startProcess(env, 'card', {
    input: {
      cardNumber,
      cardType: 'eHBA',
      applicationNumber: application,
      holder: holder(email, postcode),
      activationPasswordHash: KENNWORT,
    },
    businessKey: cardNumber,
    version: 2,
  });
  scenarios.push({ name: scenarioName('card'), handle });
  const letterId = await letters.seal(`card-${cardNumber}`, letterContent(pin), new Date());
  const shipped = await send(handle, {
    type: 'CARD_SHIPPED',
    trackingId: '00340434161094015902',
    transportPinLetterId: letterId,
  });
  expect(shipped).toMatchObject({ version: 2, state: 'shipped', stateLabel: 'Versendet' });
  await settle(handle);
  return { handle, cardNumber, email, postcode, letterId };
}

describe('card version 2', () => {
  it('when the Transport-PIN letter is asked for again before the Freischaltung, then the same letter goes as Einschreiben Einwurf; the Freischaltung destroys it and a resend is refused with the issuer’s reason', async () => {
    const card = await shippedCard('84920');
    expect(mailsTo(card.email).at(-1)!.text).toContain('00340434161094015902');
    const [first] = lettersTo(card.postcode);
    expect(first!.subject).not.toMatch(/Einschreiben|84920/);
    const firstText = await pdfText(first!);
    expect(compact(firstText)).toContain('84920');
    expect(compact(firstText)).toContain('74910263');
    expect(firstText).toMatch(/Primärsystem/);
    expect(firstText).toMatch(/DGN PINtool/);

    await env.sleep(40 * DAY);
    await send(card.handle, { type: 'TRANSPORT_PIN_RESEND_REQUESTED' });
    await settle(card.handle);
    const [, again] = await untilLetters(card.postcode, 2);
    expect(again!.subject).toMatch(/Einschreiben Einwurf/);
    expect(compact(await pdfText(again!))).toContain('84920');
    expect(letters.destroyed.has(card.letterId)).toBe(false);

    const active = await send(card.handle, { type: 'CARD_ACTIVATED' });
    expect(active).toMatchObject({ state: 'active', stateLabel: 'Freigeschaltet' });
    expect(active.context.certificatesPublishedAt).toBe(active.updatedAt);
    await settle(card.handle);
    expect(letters.destroyed.has(card.letterId)).toBe(true);
    expect(await letters.open(card.letterId)).toBeUndefined();
    expect(mailsTo(card.email).at(-1)!.text).toMatch(/Statusdienst/);

    const refused = await refusalOf(send(card.handle, { type: 'TRANSPORT_PIN_RESEND_REQUESTED' }));
    expect(refused.type).toBe('NotAllowed');
    expect(refused.details).toMatchObject({ status: 409 });
    expect(String(refused.details.detail)).toMatch(
      /nach der Freischaltung nicht mehr möglich: Austausch- oder Ersatzkarte beantragen/,
    );
    expect(refused.details.allowedEvents).toContain('TRANSPORT_PIN_LETTER_LOST');
    expect(lettersTo(card.postcode)).toHaveLength(2);
    expect(JSON.stringify(await view(card.handle))).not.toMatch(/84920|argon2|TP-/);
  });

  it('when the Kennwort is forgotten before the Freischaltung, then an exchange card replaces this one with a new Kennwort and its own letter, however late; once freigeschaltet there is nothing to forget', async () => {
    const card = await shippedCard('55120');
    await env.sleep(200 * DAY); // no deadline of its own: the issuer decides
    const requested = await send(card.handle, {
      type: 'ACTIVATION_PASSWORD_FORGOTTEN',
      activationPasswordHash: NEW_KENNWORT,
    });
    expect(requested).toMatchObject({
      state: 'exchangeRequested',
      stateLabel: 'Austausch-/Ersatzkarte beantragt',
    });
    await settle(card.handle);
    expect(letters.destroyed.has(card.letterId)).toBe(true);
    const told = mailsTo(card.email).at(-1)!;
    expect(told.subject).toMatch(/Austausch-\/Ersatzkarte/);
    expect(told.text).not.toMatch(/kostenlos|6 Monat|sechs Monat/);

    const nextLetter = await letters.seal(
      card.handle.workflowId,
      letterContent('66231'),
      new Date(),
    );
    const replaced = await send(card.handle, {
      type: 'CARD_SHIPPED',
      trackingId: 'EX-4711',
      transportPinLetterId: nextLetter,
    });
    expect(replaced).toMatchObject({ state: 'replaced', stateLabel: 'Ersetzt', status: 'done' });
    expect(await closed(card.handle)).toBe('COMPLETED');
    const next = env.client.workflow.getHandle(`card-${card.cardNumber.replace(/-1$/, '-2')}`);
    scenarios.push({ name: `${scenarioName('card')}-2`, handle: next });
    const exchange = await settle(next);
    expect(exchange).toMatchObject({ version: 2, state: 'shipped' });
    expect(exchange.context).toMatchObject({ replaces: card.cardNumber, trackingId: 'EX-4711' });
    expect(compact(await pdfText((await untilLetters(card.postcode, 2))[1]!))).toContain('66231');

    await send(next, { type: 'CARD_ACTIVATED' });
    const refused = await refusalOf(
      send(next, { type: 'ACTIVATION_PASSWORD_FORGOTTEN', activationPasswordHash: NEW_KENNWORT }),
    );
    expect(refused.details).toMatchObject({ status: 409 });
    expect(String(refused.details.detail)).toMatch(/bereits freigeschaltet/);
    expect(refused.details.allowedEvents).toEqual(
      expect.arrayContaining(['TRANSPORT_PIN_LETTER_LOST', 'CARD_BLOCKED']),
    );
    const lost = await send(next, { type: 'TRANSPORT_PIN_LETTER_LOST' });
    expect(lost).toMatchObject({ state: 'exchangeRequested' });
  });

  it('when a version-2 application without its Kennwort is submitted, then 409 says what is missing; with it set, the approval starts a version-2 card', async () => {
    const number = `A-2026-${serial()}`;
    const email = `antrag.${number.toLowerCase()}@praxis.example`;
    const handle = await startProcess(env, 'ehbaApplication', {
      input: {
        cardType: 'SMC-B',
        ...holder(email, '50667'),
        applicationNumber: number,
      },
      businessKey: number,
      version: 2,
    });
    scenarios.push({ name: scenarioName('ehbaApplication'), handle });
    const refused = await refusalOf(send(handle, { type: 'APPLICATION_SUBMITTED' }));
    expect(refused.details).toMatchObject({ status: 409 });
    expect(String(refused.details.detail)).toMatch(/Kennwort für die Freischaltung/);
    expect(refused.details.allowedEvents).toContain('APPLICATION_UPDATED');

    const updated = await send(handle, {
      type: 'APPLICATION_UPDATED',
      activationPasswordHash: KENNWORT,
    });
    expect(JSON.stringify(updated)).not.toContain('argon2');
    for (const type of ['APPLICATION_SUBMITTED', 'DOCUMENTS_RECEIVED', 'CHECK_PASSED']) {
      await send(handle, { type });
    }
    const approved = await send(handle, { type: 'CHAMBER_APPROVED' });
    expect(approved).toMatchObject({ version: 2, state: 'approved', status: 'done' });
    const card = await view(env.client.workflow.getHandle(`card-K-${number.slice(2)}-1`));
    expect(card).toMatchObject({ version: 2, state: 'inProduction', stateLabel: 'In Produktion' });
    expect(card.context.holder).toMatchObject({ salutation: 'Frau', email });
    const submittedMail = mailsTo(email).find((mail) => /unterschreiben/.test(mail.subject))!;
    expect(submittedMail.text).toMatch(/Sehr geehrte Frau/);
    expect(submittedMail.text).toContain('Praxis- bzw. Institutionsausweis (SMC-B)');
  });

  it('when a card is never freigeschaltet, then it expires at the 5-year end, not before, and its letter is destroyed', async () => {
    const card = await shippedCard('70411');
    const shipped = await view(card.handle);
    const validUntil = Date.parse(String(shipped.context.validUntil));
    expect(shipped.timers.map((timer) => timer.name)).toEqual(['certificateExpiry']);
    await env.sleep(validUntil - Date.parse(shipped.updatedAt) - MINUTE);
    expect((await view(card.handle)).state).toBe('shipped');
    expect(letters.destroyed.has(card.letterId)).toBe(false);
    await env.sleep(2 * MINUTE);
    expect(await settle(card.handle)).toMatchObject({ state: 'expired', status: 'done' });
    expect(letters.destroyed.has(card.letterId)).toBe(true);
    expect(mailsTo(card.email).at(-1)!.text).toMatch(/nicht freigeschaltet/);
  });
});
