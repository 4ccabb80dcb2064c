import { getClient } from '@temporalio/activity';
import { contactVerificationDelays } from '../machines/contact-verification.js';
import {
  CONFIRMATION_CODE_ALPHABET,
  CONFIRMATION_CODE_LENGTH,
  type ConfirmationCodeIssued,
  type ConfirmationCodeVerified,
  type ContactChannel,
  type IssueConfirmationCodeParams,
  type VerifyConfirmationCodeParams,
} from '../machines/contact-verification.schema.js';
import type {
  DigestHeld,
  DigestSent,
  SendDigestParams,
} from '../machines/nightly-digest.schema.js';
import {
  confirmationCodeFor,
  formatConfirmationCode,
  keyedHash,
  normalizeConfirmationCode,
  verifyKeyedHash,
} from './codes.js';
import { secretSealer } from '../storage/sealed-secrets.js';
import { temporalContactChannels } from './contact-channels.js';
import { renderFaxPdf, type DocumentBlock } from './documents/pdf.js';
import { createNotifier } from './notify.js';
import {
  CONFIRMATION_SUBJECT,
  confirmationEmail,
  confirmationFaxBlocks,
  digestEmail,
  digestFaxBlocks,
  digestSubject,
  germanDay,
  type DigestMessage,
} from './templates/etermin.js';
import { faxClosing, formatBerlinTime, type RenderedEmail } from './templates/layout.js';
import { profileOf } from './organisations.js';
import type { ActionMeta, ActivityDeps } from './types.js';

/**
 * The appointment service's activities: the confirmation code of a practice's channel (email
 * or fax), its check, and the nightly overview to the confirmed channel.
 */
export function createEterminActivities(deps: ActivityDeps) {
  const { codeSecret } = deps.config;
  const sealer = secretSealer(codeSecret);
  const notifier = createNotifier(deps);

  /** One message to an email address or a fax number; a fax is a PDF of the blocks. */
  async function deliverTo(
    to: ContactChannel,
    name: string,
    email: RenderedEmail,
    fax: { readonly subject: string; readonly blocks: readonly DocumentBlock[] },
    meta: ActionMeta,
  ): Promise<void> {
    if (to.channel === 'email') {
      await notifier.deliver(
        { channel: 'email', to: { name, address: to.address }, ...email },
        meta,
      );
      return;
    }
    const createdAt = Date.parse(meta.at);
    const profile = profileOf(deps.config.organisations, meta.processType);
    const pdf = await renderFaxPdf({
      to: { name, number: to.address },
      sender: profile.sender.name,
      subject: fax.subject,
      date: germanDay(createdAt),
      createdAt,
      blocks: [...fax.blocks, ...faxClosing(profile)],
    });
    await notifier.deliver(
      { channel: 'fax', to: { name, number: to.address }, subject: fax.subject, pdf },
      meta,
    );
  }

  return {
    async issueConfirmationCode(
      params: IssueConfirmationCodeParams,
      meta: ActionMeta,
    ): Promise<ConfirmationCodeIssued> {
      const code = confirmationCodeFor(
        codeSecret,
        meta.idempotencyKey,
        CONFIRMATION_CODE_ALPHABET,
        CONFIRMATION_CODE_LENGTH,
      );
      const expiry = deps.config.delays?.codeExpiry ?? contactVerificationDelays.codeExpiry;
      const message = {
        portal: profileOf(deps.config.organisations, meta.processType).portal,
        channel: params.to.channel,
        practiceName: params.practiceName,
        code: formatConfirmationCode(code),
        validUntil: formatBerlinTime(Date.parse(meta.at) + expiry),
        maxAttempts: params.maxAttempts,
      };
      await deliverTo(
        params.to,
        params.practiceName,
        confirmationEmail(message),
        { subject: CONFIRMATION_SUBJECT, blocks: confirmationFaxBlocks(message) },
        meta,
      );
      return {
        type: 'CONFIRMATION_CODE_ISSUED',
        codeHash: keyedHash(codeSecret, 'confirmation-code', code),
      };
    },

    async verifyConfirmationCode(
      params: VerifyConfirmationCodeParams,
      _meta: ActionMeta,
    ): Promise<ConfirmationCodeVerified> {
      const typed = sealer.open(params.code);
      const valid =
        typed !== null &&
        verifyKeyedHash(
          codeSecret,
          'confirmation-code',
          normalizeConfirmationCode(typed),
          params.codeHash,
        );
      return { type: valid ? 'CONFIRMATION_CODE_ACCEPTED' : 'CONFIRMATION_CODE_REJECTED' };
    },

    /** Sends to the confirmed channel only; without one the overview is held (no message). */
    async sendDigest(params: SendDigestParams, meta: ActionMeta): Promise<DigestSent | DigestHeld> {
      // The confirmation process is asked through the worker's own client by default.
      const channels = deps.contactChannels ?? temporalContactChannels(getClient());
      const confirmed = await channels.confirmedChannel(params.practiceId);
      if (!confirmed) {
        return { type: 'DIGEST_HELD', reason: 'Kein bestätigter Benachrichtigungskanal' };
      }
      const message: DigestMessage = {
        portal: profileOf(deps.config.organisations, meta.processType).portal,
        practiceName: confirmed.practiceName,
        items: params.items,
        sentAt: Date.parse(meta.at),
      };
      await deliverTo(
        confirmed.channel,
        confirmed.practiceName,
        digestEmail(message),
        { subject: digestSubject(message), blocks: digestFaxBlocks(message) },
        meta,
      );
      return {
        type: 'DIGEST_SENT',
        channel: confirmed.channel.channel,
        keys: params.items.map((item) => item.key),
      };
    },
  };
}
