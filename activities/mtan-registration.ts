import { ApplicationFailure } from '@temporalio/activity';
import { mtanRegistrationDelays } from '../machines/mtan-registration.js';
import type {
  MtanCodeIssued,
  MtanCodeVerified,
  SendMtanRegistrationCodeParams,
  StoreMtanNumberParams,
  VerifyMtanRegistrationCodeParams,
} from '../machines/mtan-registration.schema.js';
import { secretSealer } from '../storage/sealed-secrets.js';
import { keyedHash, mtanRegistrationCodeFor, verifyKeyedHash } from './codes.js';
import { createNotifier } from './notify.js';
import { profileOf } from './organisations.js';
import { mtanRegistrationSms } from './templates/arztportal.js';
import type { ActionMeta, ActivityDeps } from './types.js';

/**
 * Registrierung zum mTAN-Verfahren: the code by SMS to the number to confirm, its check, and
 * the confirmed number written where the document downloads look it up.
 */
export function createMtanRegistrationActivities(deps: ActivityDeps) {
  const { codeSecret } = deps.config;
  const sealer = secretSealer(codeSecret);
  const notifier = createNotifier(deps);

  return {
    async sendMtanRegistrationCode(
      params: SendMtanRegistrationCodeParams,
      meta: ActionMeta,
    ): Promise<MtanCodeIssued> {
      // The same on every retry: an SMS that went out before a crash states the hashed code.
      const code = mtanRegistrationCodeFor(codeSecret, meta.idempotencyKey);
      const expiry = deps.config.delays?.mtanCodeExpiry ?? mtanRegistrationDelays.mtanCodeExpiry;
      const sms = mtanRegistrationSms({
        code,
        validMinutes: Math.round(expiry / 60_000),
        portal: profileOf(deps.config.organisations, meta.processType).portal,
      });
      await notifier.deliver({ channel: 'sms', to: params.mobile, ...sms }, meta);
      return {
        type: 'MTAN_CODE_ISSUED',
        codeHash: keyedHash(codeSecret, 'mtan-registration-code', code),
      };
    },

    async verifyMtanRegistrationCode(
      params: VerifyMtanRegistrationCodeParams,
      _meta: ActionMeta,
    ): Promise<MtanCodeVerified> {
      const typed = sealer.open(params.code)?.trim();
      const valid =
        typed !== undefined &&
        verifyKeyedHash(codeSecret, 'mtan-registration-code', typed, params.codeHash);
      return { type: valid ? 'MTAN_CODE_ACCEPTED' : 'MTAN_CODE_REJECTED' };
    },

    async storeMtanNumber(params: StoreMtanNumberParams, meta: ActionMeta): Promise<void> {
      if (!deps.mtanNumbers) {
        throw ApplicationFailure.nonRetryable(
          'This worker has no mTAN number store: storeMtanNumber cannot run',
          'NoMtanNumberStore',
        );
      }
      await deps.mtanNumbers.confirm({
        ...params,
        processId: meta.workflowId,
        confirmedAt: new Date(meta.at),
      });
    },
  };
}
