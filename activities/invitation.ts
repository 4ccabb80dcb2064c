import { invitationDelays } from '../machines/invitation.js';
import type {
  ActivationCodeIssued,
  ActivationCodeVerified,
  Invitee,
  IssueActivationCodeParams,
  IssueRegistrationLinkParams,
  RegistrationLinkIssued,
  RegistrationTokenVerified,
  VerifyActivationCodeParams,
  VerifyRegistrationTokenParams,
} from '../machines/invitation.schema.js';
import {
  activationCodeFor,
  formatActivationCode,
  registrationTokenFor,
  hashPin,
  keyedHash,
  normalizeActivationCode,
  verifyKeyedHash,
} from './codes.js';
import { secretSealer } from '../storage/sealed-secrets.js';
import { createNotifier } from './notify.js';
import { activationCodeEmail, invitationEmail } from './templates/invitation.js';
import { formatBerlinTime } from './templates/layout.js';
import type { ActionMeta, ActivityDeps, MailAddress } from './types.js';

export const inviteeAddress = (invitee: Invitee): MailAddress => ({
  name: `${invitee.firstName} ${invitee.lastName}`,
  address: invitee.email,
});

/** The invitation's delays as this deployment runs them. */
export const deployedInvitationDelays = (deps: ActivityDeps) => ({
  invitationExpiry: deps.config.delays?.invitationExpiry ?? invitationDelays.invitationExpiry,
  invitationReminder: deps.config.delays?.invitationReminder ?? invitationDelays.invitationReminder,
});

/**
 * Activities of the invitation process that handle its secrets. The clear token, code and
 * PIN exist only in memory here and in the email to the person; the machine gets hashes.
 */
export function createInvitationActivities(deps: ActivityDeps) {
  const { codeSecret, publicBaseUrl } = deps.config;
  const notifier = createNotifier(deps);
  const sealer = secretSealer(codeSecret);

  return {
    async issueRegistrationLink(
      params: IssueRegistrationLinkParams,
      meta: ActionMeta,
    ): Promise<RegistrationLinkIssued> {
      const token = registrationTokenFor(codeSecret, meta.idempotencyKey);
      const validUntil = Date.parse(meta.at) + deployedInvitationDelays(deps).invitationExpiry;
      const email = invitationEmail({
        to: params.invitee,
        practiceId: params.practiceId,
        inviterName: params.inviterName,
        // The process id tells the portal where to send REGISTRATION_STARTED with the token.
        link: `${publicBaseUrl}/registrierung?prozess=${encodeURIComponent(meta.workflowId)}&token=${encodeURIComponent(token)}`,
        validUntil: formatBerlinTime(validUntil),
      });
      await notifier.deliver(
        { channel: 'email', to: inviteeAddress(params.invitee), ...email },
        meta,
      );
      return {
        type: 'REGISTRATION_LINK_ISSUED',
        tokenHash: keyedHash(codeSecret, 'registration-token', token),
      };
    },

    async verifyRegistrationToken(
      params: VerifyRegistrationTokenParams,
      _meta: ActionMeta,
    ): Promise<RegistrationTokenVerified> {
      const token = sealer.open(params.token);
      const valid =
        token !== null &&
        verifyKeyedHash(codeSecret, 'registration-token', token, params.tokenHash);
      return { type: valid ? 'REGISTRATION_TOKEN_ACCEPTED' : 'REGISTRATION_TOKEN_REJECTED' };
    },

    async issueActivationCode(
      params: IssueActivationCodeParams,
      meta: ActionMeta,
    ): Promise<ActivationCodeIssued> {
      const code = activationCodeFor(codeSecret, meta.idempotencyKey);
      const email = activationCodeEmail({
        to: params.invitee,
        code: formatActivationCode(code),
        maxAttempts: params.maxAttempts,
      });
      await notifier.deliver(
        { channel: 'email', to: inviteeAddress(params.invitee), ...email },
        meta,
      );
      return {
        type: 'ACTIVATION_CODE_ISSUED',
        codeHash: keyedHash(codeSecret, 'activation-code', code),
      };
    },

    async verifyActivationCode(
      params: VerifyActivationCodeParams,
      _meta: ActionMeta,
    ): Promise<ActivationCodeVerified> {
      const code = sealer.open(params.activationCode);
      const pin = sealer.open(params.pin);
      if (
        code === null ||
        pin === null ||
        !verifyKeyedHash(
          codeSecret,
          'activation-code',
          normalizeActivationCode(code),
          params.codeHash,
        )
      ) {
        return { type: 'ACTIVATION_CODE_REJECTED' };
      }
      return { type: 'ACTIVATION_CODE_ACCEPTED', pinHash: await hashPin(pin, codeSecret) };
    },
  };
}
