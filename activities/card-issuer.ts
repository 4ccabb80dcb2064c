import type { OrganisationProfile } from '../config/organisations.js';
import type { SendCardEmailParams, SendTransportPinLetterParams } from '../machines/card.schema.js';
import { ehbaApplicationDelays } from '../machines/ehba-application.js';
import { DAY } from '../machines/process-definition.js';
import type { Applicant, SendApplicationEmailParams } from '../machines/ehba-application.schema.js';
import { transportPinFor } from './codes.js';
import { renderLetterPdf } from './documents/pdf.js';
import { createNotifier } from './notify.js';
import {
  applicantGreeting,
  applicationApprovedEmail,
  applicationEndedEmail,
  applicationRejectedEmail,
  applicationSubmittedEmail,
  CARD_NAMES,
  cardActivatedEmail,
  cardBlockedEmail,
  cardExpiredEmail,
  cardShippedEmail,
  documentsReminderEmail,
  exchangeRequestedEmail,
  formatDate,
  renewalReminderEmail,
  resubmissionEmail,
} from './templates/card-issuer.js';
import { formatBerlinTime, letterhead, type RenderedEmail } from './templates/layout.js';
import { profileOf } from './organisations.js';
import type { ActionMeta, ActivityDeps, MailAddress } from './types.js';

/** The POSTIDENT coupon of a submitted application is valid this long. */
const COUPON_VALIDITY_MS = 14 * 24 * 3_600_000;

const mailAddress = (applicant: Applicant): MailAddress => ({
  name: [applicant.title, applicant.firstName, applicant.lastName].filter(Boolean).join(' '),
  address: applicant.email,
});

/** The application to print, sign and send, with the POSTIDENT coupon: a DIN 5008 letter. */
function renderApplicationPdf(
  params: Extract<SendApplicationEmailParams, { template: 'applicationSubmitted' }>,
  at: string,
  couponValidUntil: string,
  profile: OrganisationProfile,
): Promise<Buffer> {
  const { applicant, applicationNumber, cardType } = params;
  const address = applicant.address;
  return renderLetterPdf({
    ...letterhead(profile),
    to: address,
    subject: `Antrag auf einen ${CARD_NAMES[cardType]}`,
    fileReference: applicationNumber,
    date: formatDate(at),
    createdAt: Date.parse(at),
    salutation: applicantGreeting(applicant),
    blocks: [
      'bitte prüfen Sie Ihre Angaben, unterschreiben Sie den Antrag und senden Sie ihn mit den ' +
        'Nachweisen an die Kartenausgabe (Anschrift oben).',
      {
        table: {
          head: ['Angabe', 'Eintrag'],
          rows: [
            ['Antragsnummer', applicationNumber],
            ['Kartentyp', cardType],
            ['Titel', applicant.title ?? '–'],
            ['Vorname', applicant.firstName],
            ['Nachname', applicant.lastName],
            ['Geburtsdatum', formatDate(applicant.birthDate)],
            ['E-Mail', applicant.email],
            ['Kammer', applicant.chamber],
            ['Anschrift', `${address.street}, ${address.postcode} ${address.city}`],
          ],
        },
      },
      'Ich versichere, dass die Angaben richtig sind.',
      { table: { head: ['Ort, Datum', 'Unterschrift'], rows: [['\n\n', '\n\n']] } },
      'POSTIDENT-Coupon: Legen Sie diesen Abschnitt mit Ihrem Personalausweis oder Reisepass ' +
        `in einer Filiale der Deutschen Post vor. Gültig bis ${couponValidUntil}.`,
      { code: applicationNumber, label: 'POSTIDENT-Referenz' },
    ],
  });
}

/**
 * The card issuer's messages: every email of an application and of a card's life, and the
 * Transport-PIN letter. None carries a secret but the letter, whose PIN appears only in its
 * PDF (never in a subject, the outbox or a log).
 */
export function createCardIssuerActivities(deps: ActivityDeps) {
  const notifier = createNotifier(deps);
  const delay = (name: keyof typeof ehbaApplicationDelays) =>
    deps.config.delays?.[name] ?? ehbaApplicationDelays[name];

  async function renderApplicationEmail(
    params: SendApplicationEmailParams,
    meta: ActionMeta,
  ): Promise<{
    email: RenderedEmail;
    attachments?: { filename: string; content: Buffer; contentType: string }[];
  }> {
    const at = Date.parse(meta.at);
    switch (params.template) {
      case 'applicationSubmitted': {
        const couponValidUntil = formatDate(new Date(at + COUPON_VALIDITY_MS).toISOString());
        const deadline = formatBerlinTime(at + delay('documentsDeadline'));
        return {
          email: applicationSubmittedEmail({ ...params, couponValidUntil, deadline }),
          attachments: [
            {
              filename: `Antrag-${params.applicationNumber}.pdf`,
              content: await renderApplicationPdf(
                params,
                meta.at,
                couponValidUntil,
                profileOf(deps.config.organisations, meta.processType),
              ),
              contentType: 'application/pdf',
            },
          ],
        };
      }
      case 'documentsReminder': {
        const deadline = formatBerlinTime(
          Date.parse(params.submittedAt) + delay('documentsDeadline'),
        );
        return { email: documentsReminderEmail({ ...params, deadline }) };
      }
      case 'resubmissionRequested':
      case 'resubmissionReminder':
        return {
          email: resubmissionEmail({
            ...params,
            reminder: params.template === 'resubmissionReminder',
          }),
        };
      case 'applicationApproved':
        return { email: applicationApprovedEmail(params) };
      case 'applicationRejected':
        return { email: applicationRejectedEmail(params) };
      case 'applicationWithdrawn':
      case 'applicationAbandoned':
      case 'applicationExpired':
        return {
          email: applicationEndedEmail({
            ...params,
            why: params.template,
            draftDays: Math.round(delay('draftExpiry') / DAY),
          }),
        };
    }
  }

  function renderCardEmail(params: SendCardEmailParams, meta: ActionMeta): RenderedEmail {
    switch (params.template) {
      case 'cardShipped':
        return cardShippedEmail(params);
      case 'cardActivated':
        return cardActivatedEmail(params);
      case 'renewalReminder':
        return renewalReminderEmail({
          ...params,
          // The portal page sends FOLLOW_UP_REQUESTED to this card's process.
          followUpLink: `${deps.config.publicBaseUrl}/folgeantrag?prozess=${encodeURIComponent(meta.workflowId)}`,
        });
      case 'exchangeRequested':
        return exchangeRequestedEmail(params);
      case 'cardBlocked':
        return cardBlockedEmail(params);
      case 'cardExpired':
        return cardExpiredEmail(params);
    }
  }

  return {
    async sendApplicationEmail(
      params: SendApplicationEmailParams,
      meta: ActionMeta,
    ): Promise<void> {
      const { email, attachments } = await renderApplicationEmail(params, meta);
      await notifier.deliver(
        {
          channel: 'email',
          to: mailAddress(params.applicant),
          ...email,
          ...(attachments ? { attachments } : {}),
        },
        meta,
      );
    },

    async sendCardEmail(params: SendCardEmailParams, meta: ActionMeta): Promise<void> {
      await notifier.deliver(
        { channel: 'email', to: mailAddress(params.holder), ...renderCardEmail(params, meta) },
        meta,
      );
    },

    async sendTransportPinLetter(
      params: SendTransportPinLetterParams,
      meta: ActionMeta,
    ): Promise<void> {
      const pin = transportPinFor(deps.config.codeSecret, params.cardNumber);
      const subject = 'Ihre Transport-PIN';
      const pdf = await renderLetterPdf({
        ...letterhead(profileOf(deps.config.organisations, meta.processType)),
        to: params.holder.address,
        subject,
        fileReference: params.cardNumber,
        date: formatDate(meta.at),
        createdAt: Date.parse(meta.at),
        salutation: applicantGreeting(params.holder),
        blocks: [
          `für Ihren ${CARD_NAMES[params.cardType]} mit der Kartennummer ${params.cardNumber} ` +
            'erhalten Sie hier die Transport-PIN. Sie brauchen sie, um die Karte freizuschalten ' +
            'und Ihre eigenen PINs zu setzen.',
          { code: pin, label: 'Transport-PIN' },
          params.letter > 1
            ? `Dies ist ein erneut versandter Brief (${params.letter}.); die Transport-PIN ist dieselbe.`
            : 'Bewahren Sie diesen Brief getrennt von der Karte auf und geben Sie die PIN nicht weiter.',
          'War der Umschlag geöffnet oder beschädigt, lassen Sie die Karte bitte sperren.',
        ],
      });
      await notifier.deliver({ channel: 'letter', to: params.holder.address, subject, pdf }, meta);
    },
  };
}
