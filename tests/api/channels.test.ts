import { randomBytes } from 'node:crypto';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFaxPdf, renderLetterPdf } from '../../activities/documents/pdf.js';
import { createMailTransport } from '../../activities/mailer.js';
import { messageIdFor } from '../../activities/mailer.js';
import { createNotifier, type Notifier } from '../../activities/notify.js';
import { postgresOutbox } from '../../activities/outbox.js';
import type { ActionMeta } from '../../activities/types.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { messagesTo, waitForMessage } from '../support/mailcatcher.js';

/**
 * Every channel through the real outbox (Postgres) into the real mail catcher, as development
 * runs them: SMS as a short mail, fax and letter with their PDF attached.
 */
let database: TestDatabase;
let notifier: Notifier;
let mailer: ReturnType<typeof createMailTransport>;

const config = {
  publicBaseUrl: 'http://portal.test',
  mailFrom: 'praxisflow <no-reply@praxisflow.test>',
  codeSecret: 'channels-test-secret-channels-test-secret',
};

const meta = (): ActionMeta => {
  const id = `channels-${randomBytes(4).toString('hex')}`;
  return {
    workflowId: id,
    // Every message belongs to a process type, whose organisation sends it.
    processType: 'documentDelivery',
    step: 3,
    idempotencyKey: `${id}:run:3:0`,
    at: new Date().toISOString(),
  };
};

const pdfText = async (content: Buffer) =>
  (await extractText(new Uint8Array(content), { mergePages: true })).text;

beforeAll(async () => {
  const smtp = process.env.MAILCATCHER_SMTP_URL;
  if (!smtp) throw new Error('MAILCATCHER_SMTP_URL is not set: run the tests with `npm test`');
  database = await freshDatabase('channels');
  mailer = createMailTransport(smtp);
  notifier = createNotifier({ mailer, outbox: postgresOutbox(database.pool), config });
});

afterAll(async () => {
  mailer?.close();
  await database?.drop();
});

const outboxRow = async (key: string) =>
  (
    await database.pool.query(
      'select channel, recipient, subject, status, attempts, message_id from outbox where idempotency_key = $1',
      [key],
    )
  ).rows[0];

describe('the channels in development', () => {
  it('when an email goes out, then it arrives with the Message-ID of its key and the outbox marks it sent', async () => {
    const action = meta();
    const address = `${action.workflowId}@praxis.example`;
    await notifier.deliver(
      {
        channel: 'email',
        to: { name: 'Dr. Anna Weiß', address },
        subject: 'Ihre Registrierung',
        text: 'Guten Tag',
        html: '<p>Guten Tag</p>',
      },
      action,
    );
    const mail = await waitForMessage({ to: address });
    expect(mail.headers['message-id']).toBe(messageIdFor(action.idempotencyKey));
    expect(await outboxRow(action.idempotencyKey)).toMatchObject({
      channel: 'email',
      recipient: address,
      status: 'sent',
      attempts: 1,
    });
  });

  it('when an SMS goes out, then a short plain mail to sms+<number> carries its text, and the outbox shows the number masked', async () => {
    const action = meta();
    const number = `+49151${String(randomBytes(3).readUIntBE(0, 3)).padStart(8, '0')}`;
    await notifier.deliver(
      { channel: 'sms', to: number, subject: 'mTAN', text: 'Ihre mTAN: 482913. Gültig 5 Minuten.' },
      action,
    );
    const mail = await waitForMessage({ to: `sms+${number.slice(1)}@sms.praxisflow.localhost` });
    expect(mail.subject).toBe(`SMS an ${number}`);
    expect(mail.text.trim()).toBe('Ihre mTAN: 482913. Gültig 5 Minuten.');
    const row = await outboxRow(action.idempotencyKey);
    expect(row).toMatchObject({ channel: 'sms', status: 'sent' });
    expect(row.recipient).not.toContain(number.slice(3, -2));
  });

  it('when a fax goes out, then its PDF arrives attached and reads as the fax', async () => {
    const action = meta();
    const number = `+49301234${String(randomBytes(2).readUInt16BE(0)).padStart(5, '0')}`;
    const pdf = await renderFaxPdf({
      to: { name: 'Praxis Dr. Müller', number },
      sender: 'eTerminservice der Kassenärztlichen Vereinigungen',
      subject: 'Bestätigungscode für Ihre Faxnummer',
      date: '23.11.2026',
      createdAt: Date.parse('2026-11-23T10:00:00Z'),
      blocks: ['Bitte geben Sie diesen Code im Portal ein:', { code: 'K7PM3QXA' }],
    });
    await notifier.deliver(
      {
        channel: 'fax',
        to: { name: 'Praxis Dr. Müller', number },
        subject: 'Bestätigungscode',
        pdf,
      },
      action,
    );
    const mail = await waitForMessage({ to: `fax+${number.slice(1)}@fax.praxisflow.localhost` });
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]?.contentType).toBe('application/pdf');
    const text = await pdfText(mail.attachments[0]!.content);
    expect(text).toContain('Praxis Dr. Müller');
    expect(text.replace(/\s/g, '')).toContain('K7PM3QXA');
    expect(text).toContain('eTerminservice der Kassenärztlichen Vereinigungen');
  });

  it('when a letter goes out, then the print-ready PDF arrives with the address for its window', async () => {
    const action = meta();
    const postcode = String(10000 + randomBytes(2).readUInt16BE(0)).slice(0, 5);
    const to = { name: 'Dr. Jörg Schäfer', street: 'Lindenstraße 12', postcode, city: 'Köln' };
    const pdf = await renderLetterPdf({
      to,
      returnAddress: 'Kassenärztliche Vereinigung · Postfach 10 11 12 · 50451 Köln',
      sender: { name: 'Servicecenter', organisation: 'Kassenärztliche Vereinigung' },
      subject: 'Ihre Zugangsdaten',
      date: '23.11.2026',
      createdAt: Date.parse('2026-11-23T10:00:00Z'),
      salutation: 'Sehr geehrter Herr Dr. Schäfer,',
      blocks: ['Ihr Benutzername lautet:', { code: 'jschaefer7', label: 'Benutzername' }],
    });
    await notifier.deliver({ channel: 'letter', to, subject: 'Ihre Zugangsdaten', pdf }, action);
    const mail = await waitForMessage({ to: `brief+${postcode}@post.praxisflow.localhost` });
    const text = await pdfText(mail.attachments[0]!.content);
    for (const line of [
      'Dr. Jörg Schäfer',
      'Lindenstraße 12',
      `${postcode} Köln`,
      'Ihre Zugangsdaten',
    ]) {
      expect(text).toContain(line);
    }
    expect(text.replace(/\s/g, '')).toContain('jschaefer7');
  });
});

describe('the outbox', () => {
  it('when the same action delivers twice, then one message arrives and the outbox counts two attempts', async () => {
    const action = meta();
    const address = `${action.workflowId}@praxis.example`;
    const message = {
      channel: 'email' as const,
      to: { name: 'Eva', address },
      subject: 'Einmal',
      text: 'nur einmal',
      html: '<p>nur einmal</p>',
    };
    await notifier.deliver(message, action);
    await notifier.deliver(message, action);
    await waitForMessage({ to: address });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await messagesTo(address)).toHaveLength(1);
    expect(await outboxRow(action.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when SMTP is down, then the delivery fails visibly in the outbox and goes out once SMTP is back', async () => {
    const action = meta();
    const address = `${action.workflowId}@praxis.example`;
    const message = {
      channel: 'email' as const,
      to: { name: 'Eva', address },
      subject: 'Später',
      text: 'kommt an',
      html: '<p>kommt an</p>',
    };
    const down = createMailTransport('smtp://127.0.0.1:9'); // nothing listens on the discard port
    const outbox = postgresOutbox(database.pool);
    await expect(
      createNotifier({ mailer: down, outbox, config }).deliver(message, action),
    ).rejects.toThrow();
    down.close();
    expect(await outboxRow(action.idempotencyKey)).toMatchObject({ status: 'failed', attempts: 1 });
    const { rows } = await database.pool.query(
      'select last_error from outbox where idempotency_key = $1',
      [action.idempotencyKey],
    );
    expect(rows[0].last_error).toMatch(/ECONNREFUSED|connect/i);

    await notifier.deliver(message, action);
    const mail = await waitForMessage({ to: address });
    expect(mail.headers['message-id']).toBe(messageIdFor(action.idempotencyKey));
    expect(await outboxRow(action.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
