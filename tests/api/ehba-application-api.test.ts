import { randomBytes } from 'node:crypto';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOKUP_FLOOR_MS } from '../../api/routes/application-status.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * An eHBA application and its card through the real API, worker, Postgres and mail catcher:
 * the back office moves it, the practice's key cannot decide for itself, every message
 * arrives with its German text, and the applicant looks the status up without a key.
 */
let api: ApiStack;
let operator: string;
let client: string;
const practiceId = `BSNR-${randomBytes(3).toString('hex')}`;
const postcode = String(10000 + Math.floor(Math.random() * 89999));
const email = `antrag.${randomBytes(4).toString('hex')}@praxis.example`;
const birthDate = '1975-03-14';

const KENNWORT = 'Heide17Weg';
const input = {
  cardType: 'eHBA',
  salutation: 'Frau',
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate,
  email,
  chamber: 'Ärztekammer Nordrhein',
  address: { name: 'Dr. med. Erika Mustermann', street: 'Heidestraße 17', postcode, city: 'Köln' },
  practiceId,
  activationPassword: KENNWORT,
};
const TRANSPORT_PIN = '84920';
const transportPinLetter = {
  pins: [
    { name: 'PIN.CH', transportPin: TRANSPORT_PIN },
    { name: 'PIN.QES', transportPin: '31757' },
  ],
  puk: '74910263',
};
/** Codes are printed letter-spaced in a PDF: compare without the spaces. */
const compact = (text: string) => text.replace(/\s+/g, '');

const pdfText = async (content: Buffer) =>
  (await extractText(new Uint8Array(content), { mergePages: true })).text;

beforeAll(async () => {
  api = await startApiStack({ publicRateLimit: { perMinute: 1, burst: 6 } });
  operator = await api.createKey('operator');
  client = await api.createKey('client', [practiceId]);
});

afterAll(async () => {
  await api?.stop();
});

const event = (id: string, key: string, body: Record<string, unknown>) =>
  api.request('POST', `/api/v1/processes/${id}/events`, { key, body });

const lookUp = async (body: unknown) => {
  const started = performance.now();
  const response = await api.request('POST', '/api/v1/public/application-status', {
    key: null,
    body,
  });
  return { ...response, ms: performance.now() - started };
};

/**
 * The read model is written by the projection right after each step: wait until it shows the
 * label (in the database, so as not to spend the lookup budget), then look it up once.
 */
async function untilLabel(applicationNumber: string, label: string) {
  for (let i = 0; i < 100; i++) {
    const { rows } = await api.database.pool.query<{ state_label: string }>(
      'select state_label from processes where id = $1',
      [`ehbaApplication-${applicationNumber}`],
    );
    if (rows[0]?.state_label === label) return lookUp({ applicationNumber, birthDate });
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${applicationNumber} never showed ${label}`);
}

let applicationId = '';
let applicationNumber = '';
let cardId = '';

describe('eHBA application through the API', () => {
  it('when a practice starts an application, then praxisflow issues the Antragsnummer and refuses a chosen one', async () => {
    const refused = await api.request('POST', '/api/v1/processes/ehbaApplication', {
      key: client,
      body: { input: { ...input, applicationNumber: 'A-2026-7K3M9QXT' } },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ path: 'input.applicationNumber' }),
    ]);

    for (const weak of ['kurz1', 'nurbuchstaben', '12345678', ' Heide17Weg']) {
      const badKennwort = await api.request('POST', '/api/v1/processes/ehbaApplication', {
        key: client,
        body: { input: { ...input, activationPassword: weak } },
      });
      expect(badKennwort.status, weak).toBe(422);
      expect(badKennwort.body.errors).toEqual([
        {
          path: 'input.activationPassword',
          message: expect.stringMatching(/Kennwort für die Freischaltung muss 8 bis 64 Zeichen/),
        },
      ]);
    }
    const planted = await api.request('POST', '/api/v1/processes/ehbaApplication', {
      key: client,
      body: { input: { ...input, activationPasswordHash: '$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA' } },
    });
    expect(planted.status).toBe(422);
    expect(planted.body.errors).toEqual([
      expect.objectContaining({ path: 'input.activationPasswordHash' }),
    ]);

    const started = await api.request('POST', '/api/v1/processes/ehbaApplication', {
      key: client,
      body: { input },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(JSON.stringify(started.body)).not.toMatch(/Heide17Weg|argon2|activationPassword/);
    applicationNumber = started.body.businessKey as string;
    applicationId = started.body.id as string;
    expect(applicationNumber).toMatch(/^A-\d{4}-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/);
    expect(applicationId).toBe(`ehbaApplication-${applicationNumber}`);
    expect(started.body).toMatchObject({
      state: 'inProgress',
      stateLabel: 'Antrag in Bearbeitung',
      practiceId,
      context: { applicationNumber },
    });
  });

  it('when the applicant submits, then the application PDF and the POSTIDENT instructions arrive by email', async () => {
    const submitted = await event(applicationId, client, { type: 'APPLICATION_SUBMITTED' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.stateLabel).toBe('Bearbeitung beendet');
    const mail = await waitForMessage({ to: email, timeoutMs: 20_000 });
    expect(mail.text).toContain(applicationNumber);
    expect(mail.text).toMatch(/Sehr geehrte Frau/);
    expect(mail.text).toMatch(/POSTIDENT-Verfahren elektronisch an uns/);
    expect(mail.text).toContain('„Jetzt verbindlich beantragen“');
    const history = await api.decodedHistory(applicationId);
    expect(history).toContain('activationPasswordHash');
    expect(history).not.toContain(KENNWORT);
    const pdf = mail.attachments.find((a) => a.filename === `Antrag-${applicationNumber}.pdf`);
    expect(pdf?.contentType).toBe('application/pdf');
    const text = await pdfText(pdf!.content);
    expect(text).toContain(applicationNumber);
    expect(text).toContain('Mustermann');
    expect(text).toContain('14.03.1975');
  });

  it('when the practice key sends a back-office decision, then it is refused with 403 and nothing changes', async () => {
    for (const type of ['DOCUMENTS_RECEIVED', 'CHECK_PASSED', 'CHAMBER_APPROVED']) {
      const refused = await event(applicationId, client, { type });
      expect(refused.status, type).toBe(403);
    }
    const now = await api.request('GET', `/api/v1/processes/${applicationId}`, { key: operator });
    expect(now.body.state).toBe('submitted.awaitingDocuments');
  });

  it('when the back office raises a query, then the applicant gets the list of missing documents', async () => {
    expect((await event(applicationId, operator, { type: 'DOCUMENTS_RECEIVED' })).status).toBe(200);
    const asked = await event(applicationId, operator, {
      type: 'QUERY_RAISED',
      missing: ['Meldebescheinigung', 'Lichtbild: Qualität reicht nicht aus'],
      note: 'Das Lichtbild ist unscharf.',
    });
    expect(asked.body.stateLabel).toBe('Nachreichung angefordert');
    const mail = await waitForMessage({ to: email, subject: /Nachreichung|fehlen|Unterlagen/ });
    expect(mail.text).toContain('Meldebescheinigung');
    expect(mail.text).toContain('Lichtbild: Qualität reicht nicht aus');
    expect(mail.text).toMatch(/auf dem Postweg nach/);
    expect(mail.text).toMatch(/3 Monate|drei Monate/);
    expect(mail.text).toContain('Das Lichtbild ist unscharf.');
  });

  it('when the applicant looks up the status, then the right pair answers the label and since when; a wrong birth date and an unknown number answer the same 404', async () => {
    const found = await untilLabel(applicationNumber, 'Nachreichung angefordert');
    expect(Object.keys(found.body).sort()).toEqual(['explanation', 'since', 'stateLabel']);
    expect(found.body.explanation.join(' ')).toMatch(
      /auf dem Postweg nachzureichen|auf dem Postweg nach/,
    );
    const history = await api.request('GET', `/api/v1/processes/${applicationId}/history`, {
      key: operator,
    });
    const entered = (history.body.entries as { event: string; at: string }[]).find(
      (entry) => entry.event === 'QUERY_RAISED',
    );
    expect(found.body.since).toBe(entered?.at);

    const wrongDate = await lookUp({ applicationNumber, birthDate: '1975-03-15' });
    const unknown = await lookUp({ applicationNumber: 'A-2026-3467ACDE', birthDate });
    expect(wrongDate.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(wrongDate.body).toEqual(unknown.body);
    expect(JSON.stringify(wrongDate.body)).not.toMatch(/Nachreichung|Mustermann/);
    for (const answer of [found, wrongDate, unknown]) {
      expect(answer.ms).toBeGreaterThanOrEqual(LOOKUP_FLOOR_MS - 5);
    }
    // Lower case is what people type.
    const lower = await lookUp({ applicationNumber: applicationNumber.toLowerCase(), birthDate });
    expect(lower.status).toBe(200);
  });

  it('when the chamber approves, then the application is Freigegeben, the email says so and the card process runs for the practice', async () => {
    const resubmitted = await event(applicationId, client, { type: 'DOCUMENTS_RESUBMITTED' });
    expect(resubmitted.body.stateLabel).toBe('Eingang Antragsunterlagen');
    expect((await event(applicationId, operator, { type: 'CHECK_PASSED' })).body.stateLabel).toBe(
      'Zur Freigabe',
    );
    const approved = await event(applicationId, operator, { type: 'CHAMBER_APPROVED' });
    expect(approved.body).toMatchObject({ stateLabel: 'Freigegeben', status: 'done' });
    const mail = await waitForMessage({ to: email, subject: /Antrag freigegeben/ });
    expect(mail.text).toMatch(/Karte wird produziert/);

    cardId = `card-K-${applicationNumber.slice(2)}-1`;
    let card = await api.request('GET', `/api/v1/processes/${cardId}`, { key: client });
    for (let i = 0; i < 50 && card.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      card = await api.request('GET', `/api/v1/processes/${cardId}`, { key: client });
    }
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({ stateLabel: 'In Produktion', practiceId, version: 2 });
    const released = await untilLabel(applicationNumber, 'Freigegeben');
    expect(released.status).toBe(200);
    expect(released.body.explanation[0]).toMatch(/durch Ihre Kammer freigegeben/);
  });

  it('when production ships the card with its letter, then tracking arrives by email and the letter by post, sealed in between; a resend goes as Einschreiben Einwurf until the Freischaltung, which destroys the letter', async () => {
    expect(
      (await event(cardId, client, { type: 'CARD_SHIPPED', trackingId: 'X', transportPinLetter }))
        .status,
    ).toBe(403);
    const withoutLetter = await event(cardId, operator, { type: 'CARD_SHIPPED', trackingId: 'X' });
    expect(withoutLetter.status).toBe(422);
    expect(withoutLetter.body.errors).toEqual([
      expect.objectContaining({ path: 'transportPinLetter' }),
    ]);
    const pointed = await event(cardId, operator, {
      type: 'CARD_SHIPPED',
      trackingId: 'X',
      transportPinLetterId: 'TP-AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(pointed.status).toBe(422);
    expect(pointed.body.errors).toEqual([
      expect.objectContaining({ path: 'transportPinLetterId' }),
    ]);
    const badLetter = await event(cardId, operator, {
      type: 'CARD_SHIPPED',
      trackingId: 'X',
      transportPinLetter: { pins: [{ name: 'PIN.CH', transportPin: '12' }] },
    });
    expect(badLetter.status).toBe(422);
    expect(badLetter.body.errors).toEqual([
      expect.objectContaining({ path: 'transportPinLetter.pins.0.transportPin' }),
    ]);

    const shipped = await event(cardId, operator, {
      type: 'CARD_SHIPPED',
      trackingId: '00340434161094015902',
      transportPinLetter,
    });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(shipped.body.stateLabel).toBe('Versendet');
    expect(JSON.stringify(shipped.body)).not.toMatch(/84920|TP-/);
    const tracking = await waitForMessage({ to: email, subject: /versandt|versendet|unterwegs/i });
    expect(tracking.text).toContain('00340434161094015902');
    expect(tracking.text).toMatch(/DGN PINtool/);
    const letter = await waitForMessage({ to: `brief+${postcode}@post.praxisflow.localhost` });
    expect(letter.subject).not.toMatch(/84920|Einschreiben/);
    const letterText = await pdfText(letter.attachments[0]!.content);
    expect(letterText).toContain('Transport-PIN');
    expect(compact(letterText)).toContain(TRANSPORT_PIN);
    expect(letterText).toContain(cardId.slice('card-'.length));
    const history = await api.decodedHistory(cardId);
    expect(history).toContain('transportPinLetterId');
    expect(history).not.toContain(TRANSPORT_PIN);
    expect(history).not.toContain('74910263');

    expect((await event(cardId, client, { type: 'TRANSPORT_PIN_RESEND_REQUESTED' })).status).toBe(
      200,
    );
    const again = await waitForMessage({
      to: `brief+${postcode}@post.praxisflow.localhost`,
      subject: /Einschreiben Einwurf/,
    });
    expect(compact(await pdfText(again.attachments[0]!.content))).toContain(TRANSPORT_PIN);

    expect((await event(cardId, client, { type: 'CARD_ACTIVATED' })).body.stateLabel).toBe(
      'Freigeschaltet',
    );
    const letterRows = async () =>
      (
        await api.database.pool.query<{ sealed: Buffer | null; destroyed: boolean }>(
          `select sealed, destroyed_at is not null as destroyed
             from transport_pin_letters where process_id = $1`,
          [cardId],
        )
      ).rows;
    let rows = await letterRows();
    for (let i = 0; i < 50 && rows.some((row) => !row.destroyed); i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await letterRows();
    }
    expect(rows).toEqual([{ sealed: null, destroyed: true }]);

    const resend = await event(cardId, client, { type: 'TRANSPORT_PIN_RESEND_REQUESTED' });
    expect(resend.status).toBe(409);
    expect(resend.body.detail).toMatch(
      /nach der Freischaltung nicht mehr möglich: Austausch- oder Ersatzkarte beantragen/,
    );
    expect(resend.body.allowedEvents).toContain('TRANSPORT_PIN_LETTER_LOST');
    expect(resend.body.allowedEvents).not.toContain('TRANSPORT_PIN_RESEND_REQUESTED');
    const forgotten = await event(cardId, client, {
      type: 'ACTIVATION_PASSWORD_FORGOTTEN',
      activationPassword: 'Neu2026Kennwort',
    });
    expect(forgotten.status).toBe(409);
    expect(forgotten.body.detail).toMatch(/bereits freigeschaltet/);
  });

  it('when the holder blocks the card, then it is Gesperrt for good and the holder is told', async () => {
    const blocked = await event(cardId, client, {
      type: 'CARD_BLOCKED',
      reason: 'Karte verloren.',
    });
    expect(blocked.body).toMatchObject({ stateLabel: 'Gesperrt', status: 'done' });
    const mail = await waitForMessage({ to: email, subject: /gesperrt/i });
    expect(mail.text).toContain('Karte verloren.');
    expect((await event(cardId, client, { type: 'CARD_ACTIVATED' })).status).toBe(409);
  });

  it('when one address looks up too often, then it gets 429 with Retry-After, without a key', async () => {
    let answer = await lookUp({ applicationNumber, birthDate });
    for (let i = 0; i < 20 && answer.status !== 429; i++) {
      answer = await lookUp({ applicationNumber, birthDate });
    }
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('a card without an application', () => {
  it('when any key starts a card directly, with or without a chosen card number, then 422 names how a card starts and no card process exists', async () => {
    const cardNumber = 'K-2026-7K3M9QXT-1';
    const body = {
      input: {
        cardNumber,
        cardType: 'eHBA',
        applicationNumber: 'A-2026-7K3M9QXT',
        holder: { ...input, address: input.address },
        practiceId,
        shipment: { trackingId: 'X', shippedAt: '2026-01-01T00:00:00.000Z' },
      },
    };
    for (const key of [api.adminKey, client]) {
      for (const attempt of [body, { ...body, businessKey: cardNumber }, { input: {} }]) {
        const refused = await api.request('POST', '/api/v1/processes/card', { key, body: attempt });
        expect(refused.status).toBe(422);
        expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
        expect(refused.body.detail).toMatch(/CHAMBER_APPROVED/);
        expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'type' })]);
      }
    }
    expect(
      (await api.request('POST', '/api/v1/processes/card', { key: operator, body })).status,
    ).toBe(403);
    const card = await api.request('GET', `/api/v1/processes/card-${cardNumber}`, {
      key: api.adminKey,
    });
    expect(card.status).toBe(404);
  });
});

describe('the follow-up link of the renewal reminder', () => {
  it('lands on a page that names the card and the event the portal sends; a broken link says so', async () => {
    const page = await fetch(`${api.baseUrl}/folgeantrag?prozess=card-K-2026-7K3M9QXT-1`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('Folgekarte beantragen');
    expect(html).toContain('card-K-2026-7K3M9QXT-1');
    expect(html).toContain('"type": "FOLLOW_UP_REQUESTED"');

    const hostile = await fetch(
      `${api.baseUrl}/folgeantrag?prozess=${encodeURIComponent('<script>alert(1)</script>')}`,
    );
    expect(hostile.status).toBe(400);
    expect(await hostile.text()).not.toContain('<script>');
  });
});
