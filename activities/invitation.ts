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
import { profileOf } from './organisations.js';
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
 * The registration link: the process it belongs to and a token only the server secret can
 * derive from `linkRef` (the idempotency key of the action that issued it). Every email of
 * the same invitation derives the same link; a new invitation has a new ref, so the old link
 * no longer matches the hash the process keeps.
 */
export function registrationLink(deps: ActivityDeps, processId: string, linkRef: string): string {
  const token = registrationTokenFor(deps.config.codeSecret, linkRef);
  return `${deps.config.publicBaseUrl}/registrierung?prozess=${encodeURIComponent(processId)}&token=${encodeURIComponent(token)}`;
}

/**
 * Activities of the invitation process that handle its secrets. The clear token, code and
 * PIN exist only in memory here, in the email with the link and in the answer to the
 * registration page; the machine gets hashes.
 */
export function createInvitationActivities(deps: ActivityDeps) {
  const { codeSecret } = deps.config;
  const notifier = createNotifier(deps);
  const sealer = secretSealer(codeSecret);

  return {
    async issueRegistrationLink(
      params: IssueRegistrationLinkParams,
      meta: ActionMeta,
    ): Promise<RegistrationLinkIssued> {
      const linkRef = meta.idempotencyKey;
      const token = registrationTokenFor(codeSecret, linkRef);
      const { invitationExpiry } = deployedInvitationDelays(deps);
      const email = invitationEmail({
        to: params.invitee,
        portal: profileOf(deps.config.organisations, meta.processType).portal,
        inviterName: params.inviterName,
        link: registrationLink(deps, meta.workflowId, linkRef),
        hours: Math.round(invitationExpiry / 3_600_000),
        validUntil: formatBerlinTime(Date.parse(meta.at) + invitationExpiry),
      });
      await notifier.deliver(
        { channel: 'email', to: inviteeAddress(params.invitee), ...email },
        meta,
      );
      return {
        type: 'REGISTRATION_LINK_ISSUED',
        tokenHash: keyedHash(codeSecret, 'registration-token', token),
        linkRef,
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

    /**
     * Version 2 shows the code on the registration page: it goes back once, to the caller of
     * the event that led to the Geräteregistrierung, and never into the process. Version 1
     * emails it.
     */
    async issueActivationCode(
      params: IssueActivationCodeParams,
      meta: ActionMeta,
    ): Promise<ActivationCodeIssued> {
      const code = activationCodeFor(codeSecret, meta.idempotencyKey);
      const codeHash = keyedHash(codeSecret, 'activation-code', code);
      if (params.show) {
        return {
          type: 'ACTIVATION_CODE_ISSUED',
          codeHash,
          // Sealed: the activity's result lies in history, which the codec endpoint can decode.
          reveal: { activationCode: sealer.seal(formatActivationCode(code)) },
        };
      }
      const email = activationCodeEmail({
        to: params.invitee,
        portal: profileOf(deps.config.organisations, meta.processType).portal,
        code: formatActivationCode(code),
        maxAttempts: params.maxAttempts,
      });
      await notifier.deliver(
        { channel: 'email', to: inviteeAddress(params.invitee), ...email },
        meta,
      );
      return { type: 'ACTIVATION_CODE_ISSUED', codeHash };
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
