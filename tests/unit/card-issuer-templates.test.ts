import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import {
  applicationApprovedEmail,
  applicationEndedEmail,
  applicationRejectedEmail,
  applicationSubmittedEmail,
  cardActivatedEmail,
  cardBlockedEmail,
  cardExpiredEmail,
  cardShippedEmail,
  documentsReminderEmail,
  exchangeRequestedEmail,
  renewalReminderEmail,
  resubmissionEmail,
  transportPinLetterBlocks,
} from '../../activities/templates/card-issuer.js';
import { memoryLetterStore } from '../support/letter-store.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';

/** The card issuer's emails as the applicant reads them: German that is right, facts that fit. */

const applicant = {
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email: 'erika.mustermann@praxis.example',
  chamber: 'Ärztekammer Nordrhein',
  address: {
    name: 'Dr. med. Erika Mustermann',
    street: 'Heidestraße 17',
    postcode: '51147',
    city: 'Köln',
    country: 'DE',
  },
};
const application = { applicationNumber: 'A-2026-7K3M9QXT', cardType: 'eHBA', applicant } as const;
const card = { cardNumber: 'K-2026-7K3M9QXT-1', cardType: 'eHBA', holder: applicant } as const;

describe('card issuer emails', () => {
  it('name the card in the nominative after „Ihr“', () => {
    const shipped = cardShippedEmail({ ...card, trackingId: '00340434161094015902' });
    expect(shipped.text).toContain(
      'Ihr elektronischer Heilberufsausweis (eHBA), Kartennummer K-2026-7K3M9QXT-1, ist versandt.',
    );
    expect(shipped.text).not.toContain('Ihr elektronischen');
    const smcb = cardActivatedEmail({
      ...card,
      cardType: 'SMC-B',
      validUntil: '2031-03-02T09:30:00.000Z',
    });
    expect(smcb.text).toContain('Ihr Praxis- bzw. Institutionsausweis (SMC-B), Kartennummer');
  });

  it('state the deployment’s draft period when a draft is discarded', () => {
    const abandoned = applicationEndedEmail({
      ...application,
      why: 'applicationAbandoned',
      draftDays: 60,
    });
    expect(abandoned.text).toContain('innerhalb von 60 Tagen nicht abgeschlossen');
    expect(abandoned.text).toContain('einen elektronischen Heilberufsausweis (eHBA)');
  });

  it('say documents did not arrive when an application expires, whichever were asked for', () => {
    const expired = applicationEndedEmail({
      ...application,
      why: 'applicationExpired',
      draftDays: 90,
    });
    expect(expired.subject).toBe('Antrag A-2026-7K3M9QXT abgelaufen');
    expect(expired.text).toContain(
      'ist abgelaufen: Die angeforderten Unterlagen sind nicht rechtzeitig eingegangen.',
    );
  });

  it('take the application as the object when it was withdrawn: „Ihren Antrag … haben Sie …“', () => {
    const withdrawn = applicationEndedEmail({
      ...application,
      why: 'applicationWithdrawn',
      draftDays: 90,
    });
    expect(withdrawn.text).toContain(
      'Ihren Antrag auf einen elektronischen Heilberufsausweis (eHBA), Antragsnummer ' +
        'A-2026-7K3M9QXT, haben Sie zurückgezogen.',
    );
  });
});

/** Every card issuer template, rendered once, with what must and must never be in it. */
describe('every card issuer message', () => {
  const frau = { ...applicant, salutation: 'Frau' } as const;
  const app = { ...application, applicant: frau };
  const holder = { ...card, holder: frau };
  const smcb = { ...holder, cardType: 'SMC-B' } as const;
  const validUntil = '2031-03-02T09:30:00.000Z';
  const rendered: Record<string, { subject: string; text: string; html: string }> = {
    applicationSubmitted: applicationSubmittedEmail({
      ...app,
      couponValidUntil: '16.03.2026',
      deadline: '31.05.2026, 11:30 Uhr',
    }),
    documentsReminder: documentsReminderEmail({
      ...app,
      reminder: 1,
      deadline: '31.05.2026, 11:30 Uhr',
    }),
    resubmissionRequested: resubmissionEmail({
      ...app,
      reminder: false,
      missing: ['Meldebescheinigung', 'Lichtbild: Qualität reicht nicht aus'],
      note: 'Das Lichtbild ist unscharf.',
    }),
    resubmissionReminder: resubmissionEmail({
      ...app,
      reminder: true,
      missing: ['Unterschrift'],
      note: null,
    }),
    applicationApproved: applicationApprovedEmail({ ...app, cardNumber: card.cardNumber }),
    applicationRejected: applicationRejectedEmail({
      ...app,
      rejection: { by: 'issuer', reason: 'signatureMismatch', note: null },
    }),
    applicationWithdrawn: applicationEndedEmail({
      ...app,
      why: 'applicationWithdrawn',
      draftDays: 90,
    }),
    cardShipped: cardShippedEmail({ ...holder, trackingId: '00340434161094015902' }),
    cardActivated: cardActivatedEmail({ ...smcb, validUntil }),
    renewalReminder: renewalReminderEmail({
      ...holder,
      validUntil,
      followUpLink: 'https://portal.example/folgeantrag?prozess=card-K-2026-7K3M9QXT-1',
    }),
    exchangeForgotten: exchangeRequestedEmail({ ...holder, reason: 'activationPasswordForgotten' }),
    exchangeLetterLost: exchangeRequestedEmail({ ...holder, reason: 'transportPinLetterLost' }),
    exchangeVersion1: exchangeRequestedEmail(holder),
    cardBlocked: cardBlockedEmail({ ...holder, reason: 'Karte verloren.' }),
    cardExpired: cardExpiredEmail({ ...holder, validUntil, activated: true }),
    cardNeverActivated: cardExpiredEmail({ ...holder, validUntil, activated: false }),
  };

  it.each(Object.entries(rendered))(
    '%s addresses Frau Mustermann, dates as TT.MM.JJJJ, and promises no fee or deadline of its own',
    (_name, email) => {
      expect(email.text).toMatch(/^Sehr geehrte Frau /m);
      expect(email.subject).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(email.text).not.toMatch(/\d{4}-\d{2}-\d{2}T|bis \d{4}-/);
      expect(email.text).not.toMatch(/kostenlos|6 Monat|sechs Monat|Aktivierungspasswort/);
      // The Kennwort freischaltet; the Transport-PIN never does.
      expect(email.text).not.toMatch(/Transport-PIN[^.]*schalten Sie/);
      expect(email.html).toContain('Mustermann');
    },
  );

  it('asks to print, sign and send the application ggf. erneut, never to post a POSTIDENT proof', () => {
    const { text } = rendered.documentsReminder!;
    expect(text).toContain('drucken Sie den Antrag ggf. erneut aus');
    expect(text).toContain('er liegt dieser E-Mail noch einmal bei');
    expect(text).toContain('POSTIDENT-Verfahren elektronisch an uns');
    for (const email of Object.values(rendered)) {
      expect(email.text).not.toMatch(
        /Nachweis Ihrer Identifikation|POSTIDENT[^.]*(senden|schicken) Sie/,
      );
    }
    expect(rendered.applicationSubmitted!.text).toContain('„Jetzt verbindlich beantragen“');
  });

  it('asks for missing papers auf dem Postweg, with the photo’s quality as a reason of its own', () => {
    const { text } = rendered.resubmissionRequested!;
    expect(text).toContain('– Lichtbild: Qualität reicht nicht aus');
    expect(text).toContain('Qualität des Lichtbilds reicht für die Karte nicht aus');
    expect(text).toContain('auf dem Postweg nach');
  });

  it('keeps the two secrets apart: the Kennwort freischaltet, the Transport-PIN sets the PINs in the Primärsystem or the DGN PINtool', () => {
    for (const name of ['cardShipped', 'cardActivated'] as const) {
      expect(rendered[name]!.text).toMatch(/Primärsystem/);
      expect(rendered[name]!.text).toMatch(/DGN PINtool/);
    }
    expect(rendered.cardShipped!.text).toMatch(
      /Freigeschaltet wird die Karte mit dem Kennwort für die Freischaltung/,
    );
    expect(rendered.cardActivated!.text).toContain('Ihr Praxis- bzw. Institutionsausweis (SMC-B)');
    expect(rendered.cardActivated!.text).toContain('im Statusdienst veröffentlicht');
    expect(rendered.exchangeForgotten!.text).toMatch(/weder ändern noch wiederherstellen/);
    expect(rendered.exchangeForgotten!.text).toMatch(/mit dem neuen Kennwort produziert/);
    expect(rendered.exchangeLetterLost!.text).toMatch(/nicht mehr erneut zugesandt/);
    expect(rendered.cardNeverActivated!.text).toMatch(
      /wurde nicht freigeschaltet; die Zertifikate sind am 02\.03\.2031 abgelaufen/,
    );
  });

  it('prints production’s Transport-PINs and PUK in the letter, and says a resend is the same letter by Einschreiben Einwurf', () => {
    const content = {
      pins: [
        { name: 'PIN.CH', transportPin: '84920' },
        { name: 'PIN.QES', transportPin: '31757' },
      ],
      puk: '74910263',
    };
    const first = transportPinLetterBlocks({ ...holder, content, resend: false });
    expect(first).toEqual(
      expect.arrayContaining([
        { code: '84920', label: 'Transport-PIN PIN.CH' },
        { code: '31757', label: 'Transport-PIN PIN.QES' },
        { code: '74910263', label: 'PUK' },
      ]),
    );
    const text = (blocks: readonly unknown[]) =>
      blocks.filter((block): block is string => typeof block === 'string').join(' ');
    expect(text(first)).toMatch(/Primärsystem.*DGN PINtool/);
    expect(text(first)).toMatch(/Kennwort für die Freischaltung/);
    expect(text(first)).not.toMatch(/Einschreiben/);
    const again = transportPinLetterBlocks({ ...holder, content, resend: true });
    expect(text(again)).toMatch(
      /erneute Versand .*\(Einschreiben Einwurf\); die Transport-PIN ist dieselbe/,
    );
  });
});

describe('the card issuer activities', () => {
  const meta = (step: number) => ({
    workflowId: 'card-K-2026-7K3M9QXT-1',
    processType: 'card',
    step,
    idempotencyKey: `card-K-2026-7K3M9QXT-1:run:${step}:0`,
    at: '2026-03-23T09:30:00.000Z',
  });
  const setup = () => {
    const { mailer, sent } = recordingMailer();
    const letters = memoryLetterStore();
    const activities = createActivities({
      outbox: memoryOutbox(),
      mailer,
      transportPinLetters: letters,
      config: TEST_ACTIVITY_CONFIG,
    });
    return { activities, sent, letters };
  };

  it('when the 21-day reminder goes, then the application PDF goes along again', async () => {
    const { activities, sent } = setup();
    await activities.sendApplicationEmail(
      {
        ...application,
        template: 'documentsReminder',
        reminder: 1,
        submittedAt: '2026-03-02T09:30:00.000Z',
      },
      meta(1),
    );
    expect(sent[0]!.attachments.map((a) => a.filename)).toEqual(['Antrag-A-2026-7K3M9QXT.pdf']);
    const pdf = await extractText(new Uint8Array(sent[0]!.attachments[0]!.content), {
      mergePages: true,
    });
    expect(pdf.text).toContain('A-2026-7K3M9QXT');
    expect(pdf.text.replace(/\s+/g, ' ')).toMatch(/elektronisch an die Kartenausgabe/);
  });

  it('when production’s letter is forwarded and then destroyed, then it went by post and cannot go again', async () => {
    const { activities, sent, letters } = setup();
    const letterId = await letters.seal(
      'card-K-2026-7K3M9QXT-1',
      { pins: [{ name: 'PIN.SMC', transportPin: '84920' }] },
      new Date(),
    );
    const params = { ...card, letterId, letter: 2 };
    await activities.forwardTransportPinLetter(params, meta(2));
    expect(sent[0]!.to).toBe('brief+51147@post.praxisflow.localhost');
    expect(sent[0]!.subject).toMatch(/Einschreiben Einwurf/);
    await activities.destroyTransportPinLetter({ letterId }, meta(3));
    expect(letters.destroyed.has(letterId)).toBe(true);
    await expect(activities.forwardTransportPinLetter(params, meta(4))).rejects.toThrow(
      /nicht \(mehr\) vorhanden/,
    );
  });
});
