import type { OrganisationProfile } from '../config/organisations.js';
import { ApplicationFailure } from '@temporalio/activity';
import type {
  DestroyTransportPinLetterParams,
  ForwardTransportPinLetterParams,
} from '../machines/card-v2.schema.js';
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
  transportPinLetterBlocks,
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
  params: Pick<SendApplicationEmailParams, 'applicant' | 'applicationNumber' | 'cardType'>,
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
      'bitte prüfen Sie Ihre Angaben, unterschreiben Sie den Antrag an den gekennzeichneten ' +
        'Stellen und senden Sie ihn mit den verlangten Unterlagen per Post an die Kartenausgabe ' +
        '(Anschrift oben).',
      {
        table: {
          head: ['Angabe', 'Eintrag'],
          rows: [
            ['Antragsnummer', applicationNumber],
            ['Kartentyp', cardType],
            ['Anrede', applicant.salutation ?? '–'],
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
      'POSTIDENT-Coupon (sofern für Ihren Antrag erforderlich): Legen Sie diesen Abschnitt mit ' +
        'Ihrem Personalausweis oder Reisepass in einer Filiale der Deutschen Post vor. Gültig ' +
        `bis ${couponValidUntil}. Die Deutsche Post übermittelt Ihre Identifikationsdaten ` +
        'elektronisch an die Kartenausgabe; Sie müssen dafür nichts einsenden.',
      { code: applicationNumber, label: 'POSTIDENT-Referenz' },
    ],
  });
}

/** The application PDF as an attachment of an email. */
const applicationAttachment = (applicationNumber: string, content: Buffer) => ({
  filename: `Antrag-${applicationNumber}.pdf`,
  content,
  contentType: 'application/pdf',
});

/**
 * The card issuer's messages: every email of an application and of a card's life, and the
 * Transport-PIN letter. None carries a secret but the letter, whose PINs appear only in its
 * PDF (never in a subject, the outbox or a log). A version-2 card's letter is production's
 * own, opened from its sealed copy; version 1 derived its PIN (kept for running cards).
 */
/** A letter to the card holder in the card issuer's name, filed under the card number. */
function holderLetter(
  deps: ActivityDeps,
  params: Pick<SendTransportPinLetterParams, 'cardNumber' | 'holder'>,
  meta: ActionMeta,
  subject: string,
  blocks: Parameters<typeof renderLetterPdf>[0]['blocks'],
): Promise<Buffer> {
  return renderLetterPdf({
    ...letterhead(profileOf(deps.config.organisations, meta.processType)),
    to: params.holder.address,
    subject,
    fileReference: params.cardNumber,
    date: formatDate(meta.at),
    createdAt: Date.parse(meta.at),
    salutation: applicantGreeting(params.holder),
    blocks,
  });
}

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
            applicationAttachment(
              params.applicationNumber,
              await renderApplicationPdf(
                params,
                meta.at,
                couponValidUntil,
                profileOf(deps.config.organisations, meta.processType),
              ),
            ),
          ],
        };
      }
      case 'documentsReminder': {
        const submittedAt = Date.parse(params.submittedAt);
        const deadline = formatBerlinTime(submittedAt + delay('documentsDeadline'));
        const couponValidUntil = formatDate(
          new Date(submittedAt + COUPON_VALIDITY_MS).toISOString(),
        );
        return {
          email: documentsReminderEmail({ ...params, deadline }),
          // The same application again, to print, sign and send (ggf. erneut).
          attachments: [
            applicationAttachment(
              params.applicationNumber,
              await renderApplicationPdf(
                params,
                params.submittedAt,
                couponValidUntil,
                profileOf(deps.config.organisations, meta.processType),
              ),
            ),
          ],
        };
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
      const pdf = await holderLetter(deps, params, meta, subject, [
        `für Ihren ${CARD_NAMES[params.cardType]} mit der Kartennummer ${params.cardNumber} ` +
          'erhalten Sie hier die Transport-PIN. Mit ihr setzen Sie in Ihrer Praxis- bzw. ' +
          'Apothekensoftware (Primärsystem) oder mit dem DGN PINtool Ihre eigenen PINs; ' +
          'freigeschaltet wird die Karte mit Ihrem Kennwort für die Freischaltung.',
        { code: pin, label: 'Transport-PIN' },
        params.letter > 1
          ? `Dies ist ein erneut versandter Brief (${params.letter}.); die Transport-PIN ist dieselbe.`
          : 'Bewahren Sie diesen Brief getrennt von der Karte auf und geben Sie die PIN nicht weiter.',
        'War der Umschlag geöffnet oder beschädigt, lassen Sie die Karte bitte sperren.',
      ]);
      await notifier.deliver({ channel: 'letter', to: params.holder.address, subject, pdf }, meta);
    },

    /** Production's letter, opened from its sealed copy; a resend goes as Einschreiben Einwurf. */
    async forwardTransportPinLetter(
      params: ForwardTransportPinLetterParams,
      meta: ActionMeta,
    ): Promise<void> {
      const content = await deps.transportPinLetters?.open(params.letterId);
      if (!content) {
        throw ApplicationFailure.nonRetryable(
          `Der Transport-PIN-Brief ${params.letterId} ist nicht (mehr) vorhanden`,
          'TransportPinLetterGone',
        );
      }
      const resend = params.letter > 1;
      const subject = resend
        ? 'Ihr Transport-PIN-Brief (erneuter Versand)'
        : 'Ihr Transport-PIN-Brief';
      const pdf = await holderLetter(
        deps,
        params,
        meta,
        subject,
        transportPinLetterBlocks({ ...params, content, resend }),
      );
      await notifier.deliver(
        {
          channel: 'letter',
          to: params.holder.address,
          subject,
          pdf,
          ...(resend ? { service: 'Einschreiben Einwurf' as const } : {}),
        },
        meta,
      );
    },

    /** No resend is possible any more: the sealed letter's content and key are deleted. */
    async destroyTransportPinLetter(
      params: DestroyTransportPinLetterParams,
      meta: ActionMeta,
    ): Promise<void> {
      if (!deps.transportPinLetters) {
        throw ApplicationFailure.nonRetryable(
          'This worker has no letter store: destroyTransportPinLetter cannot run',
          'NoLetterStore',
        );
      }
      await deps.transportPinLetters.destroy(params.letterId, new Date(meta.at));
    },
  };
}
