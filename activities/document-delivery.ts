import { ApplicationFailure } from '@temporalio/activity';
import { documentDeliveryDelays } from '../machines/document-delivery.js';
import type {
  AnnounceDocumentParams,
  DownloadTanIssued,
  DownloadTanVerified,
  MtanNotRegistered,
  PurgeDocumentParams,
  SendDownloadTanParams,
  SendRegisteredDownloadTanParams,
  VerifyDownloadTanParams,
} from '../machines/document-delivery.schema.js';
import { downloadTokenFor, downloadTokenHash } from '../storage/download-token.js';
import { downloadTanFor, keyedHash, verifyKeyedHash } from './codes.js';
import { secretSealer } from '../storage/sealed-secrets.js';
import { createNotifier } from './notify.js';
import { profileOf } from './organisations.js';
import { downloadTanSms, newDocumentEmail } from './templates/arztportal.js';
import type { ActionMeta, ActivityDeps } from './types.js';

/**
 * The physicians' portal documents: the announcement (no content), the mTAN by SMS and its
 * check, and the deletion of the content after the retention period.
 */
export function createDocumentDeliveryActivities(deps: ActivityDeps) {
  const { codeSecret } = deps.config;
  const sealer = secretSealer(codeSecret);
  const notifier = createNotifier(deps);

  async function sendTan(
    documentId: string,
    mobile: string,
    meta: ActionMeta,
  ): Promise<DownloadTanIssued> {
    const tan = downloadTanFor(codeSecret, meta.idempotencyKey);
    const expiry = deps.config.delays?.tanExpiry ?? documentDeliveryDelays.tanExpiry;
    const sms = downloadTanSms({
      tan,
      documentId,
      validMinutes: Math.round(expiry / 60_000),
      portal: profileOf(deps.config.organisations, meta.processType).portal,
    });
    await notifier.deliver({ channel: 'sms', to: mobile, ...sms }, meta);
    return { type: 'DOWNLOAD_TAN_ISSUED', tanHash: keyedHash(codeSecret, 'download-tan', tan) };
  }

  return {
    async announceDocument(params: AnnounceDocumentParams, meta: ActionMeta): Promise<void> {
      const email = newDocumentEmail({
        physicianName: params.physician.name,
        kind: params.kind,
        title: params.title,
        documentId: params.documentId,
        portal: profileOf(deps.config.organisations, meta.processType).portal,
      });
      await notifier.deliver(
        {
          channel: 'email',
          to: { name: params.physician.name, address: params.physician.email },
          ...email,
        },
        meta,
      );
    },

    /** Versions 1 and 2: the mTAN goes to the number that came with the upload. */
    async sendDownloadTan(
      params: SendDownloadTanParams,
      meta: ActionMeta,
    ): Promise<DownloadTanIssued> {
      return sendTan(params.documentId, params.mobile, meta);
    },

    /**
     * Version 3: the mTAN goes only to the number the physician confirmed in their
     * Registrierung zum mTAN-Verfahren; without one nothing is sent.
     */
    async sendRegisteredDownloadTan(
      params: SendRegisteredDownloadTanParams,
      meta: ActionMeta,
    ): Promise<DownloadTanIssued | MtanNotRegistered> {
      if (!deps.mtanNumbers) {
        throw ApplicationFailure.nonRetryable(
          'This worker has no mTAN number store: sendRegisteredDownloadTan cannot run',
          'NoMtanNumberStore',
        );
      }
      const mobile = await deps.mtanNumbers.confirmedNumber({
        practiceId: params.practiceId,
        haevgId: params.haevgId,
        lanr: params.lanr,
      });
      if (mobile === null) return { type: 'MTAN_NOT_REGISTERED' };
      return sendTan(params.documentId, mobile, meta);
    },

    async verifyDownloadTan(
      params: VerifyDownloadTanParams,
      _meta: ActionMeta,
    ): Promise<DownloadTanVerified> {
      const tan = sealer.open(params.tan)?.trim();
      if (tan === undefined || !verifyKeyedHash(codeSecret, 'download-tan', tan, params.tanHash)) {
        return { type: 'DOWNLOAD_TAN_REJECTED' };
      }
      const token = downloadTokenFor(codeSecret, params.documentId, params.sequence, tan);
      return { type: 'DOWNLOAD_TAN_ACCEPTED', tokenHash: downloadTokenHash(codeSecret, token) };
    },

    /** Deletes the content and its key; the metadata stays for the retention report. */
    async purgeDocument(params: PurgeDocumentParams, meta: ActionMeta): Promise<void> {
      if (!deps.documents) {
        throw ApplicationFailure.nonRetryable(
          'This worker has no document store: purgeDocument cannot run',
          'NoDocumentStore',
        );
      }
      await deps.documents.purge(params.documentId, 'retention', new Date(meta.at));
    },
  };
}
