import { ApplicationFailure } from '@temporalio/activity';
import type {
  RevokeCredentialsParams,
  SendCredentialsLetterParams,
} from '../machines/account-credentials.schema.js';
import { initialPasswordFor } from './codes.js';
import { renderLetterPdf } from './documents/pdf.js';
import { createNotifier } from './notify.js';
import { profileOf } from './organisations.js';
import { credentialsLetter } from './templates/arztportal.js';
import { formatDate } from './templates/card-issuer.js';
import type { ActionMeta, ActivityDeps } from './types.js';

/**
 * Portal credentials by post: the letter with user name and initial password (whose hash is
 * stored first, replacing every earlier letter's), and the revocation when the access closes.
 */
export function createAccountCredentialsActivities(deps: ActivityDeps) {
  const notifier = createNotifier(deps);
  const store = () => {
    if (!deps.credentials) {
      throw ApplicationFailure.nonRetryable(
        'This worker has no credential store',
        'NoCredentialStore',
      );
    }
    return deps.credentials;
  };

  return {
    async sendCredentialsLetter(
      params: SendCredentialsLetterParams,
      meta: ActionMeta,
    ): Promise<void> {
      // The same on every retry: a letter that went out before a crash states the stored one.
      const password = initialPasswordFor(deps.config.codeSecret, meta.idempotencyKey);
      await store().issue(
        {
          userName: params.userName,
          practiceId: params.practiceId,
          processId: meta.workflowId,
          letter: params.letter,
          issuedAt: new Date(meta.at),
        },
        password,
      );
      const letter = credentialsLetter({
        holderName: params.holderName,
        to: params.address,
        userName: params.userName,
        password,
        letter: params.letter,
        haevgId: params.haevgId,
        lanr: params.lanr,
        profile: profileOf(deps.config.organisations, meta.processType),
        loginUrl: `${deps.config.publicBaseUrl}/login`,
        date: formatDate(meta.at),
        createdAt: Date.parse(meta.at),
      });
      const pdf = await renderLetterPdf(letter);
      await notifier.deliver(
        { channel: 'letter', to: params.address, subject: letter.subject, pdf },
        meta,
      );
    },

    async revokeCredentials(params: RevokeCredentialsParams, meta: ActionMeta): Promise<void> {
      await store().revoke(params.userName, new Date(meta.at));
    },
  };
}
