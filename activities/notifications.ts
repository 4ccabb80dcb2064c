import { MAX_ACTIVATION_ATTEMPTS } from '../machines/invitation.js';
import type { SendEmailParams } from '../machines/invitation.schema.js';
import { deployedInvitationDelays, inviteeAddress, registrationLink } from './invitation.js';
import { createNotifier } from './notify.js';
import { profileOf } from './organisations.js';
import { activationStatusEmail, invitationReminderEmail } from './templates/invitation.js';
import { formatBerlinTime, type RenderedEmail } from './templates/layout.js';
import {
  invitationExpiredEmail,
  registrationCompletedEmail,
  registrationLockedEmail,
  registrationRejectedEmail,
  registrationRequestedEmail,
} from './templates/registration-status.js';
import type { ActionMeta, ActivityDeps, MailAddress } from './types.js';

/** `sendEmail`: every status email of a registration, rendered from its template. */
export function createNotificationActivities(deps: ActivityDeps) {
  const notifier = createNotifier(deps);

  function render(
    params: SendEmailParams,
    meta: ActionMeta,
  ): { to: MailAddress; email: RenderedEmail } {
    const portal = profileOf(deps.config.organisations, meta.processType).portal;
    const link = (linkRef: string | null | undefined) =>
      linkRef ? registrationLink(deps, meta.workflowId, linkRef) : null;
    switch (params.template) {
      case 'invitationReminder': {
        // The reminder fires `invitationReminder` after the invitation, which expires at `invitationExpiry`.
        const delays = deployedInvitationDelays(deps);
        const validUntil =
          Date.parse(meta.at) + delays.invitationExpiry - delays.invitationReminder;
        return {
          to: inviteeAddress(params.to),
          email: invitationReminderEmail({
            to: params.to,
            portal,
            inviterName: params.inviterName,
            validUntil: formatBerlinTime(validUntil),
            link: link(params.linkRef),
          }),
        };
      }
      case 'activationStatus':
        return {
          to: inviteeAddress(params.to),
          email: activationStatusEmail({
            to: params.to,
            portal,
            link: registrationLink(deps, meta.workflowId, params.linkRef),
          }),
        };
      case 'registrationRequested':
        return {
          to: inviteeAddress(params.to),
          email: registrationRequestedEmail({ to: params.to, portal, link: link(params.linkRef) }),
        };
      case 'registrationCompleted':
        return {
          to: inviteeAddress(params.to),
          email: registrationCompletedEmail({
            to: params.to,
            portal,
            loginUrl: `${deps.config.publicBaseUrl}/login`,
          }),
        };
      case 'registrationRejected':
        return {
          to: inviteeAddress(params.to),
          email: registrationRejectedEmail({ to: params.to, portal, reason: params.reason }),
        };
      case 'invitationExpired':
      case 'registrationLocked': {
        const to = { name: params.to.name ?? '', address: params.to.email };
        const data = { to: params.to, invitee: params.invitee, portal };
        return {
          to,
          email:
            params.template === 'invitationExpired'
              ? invitationExpiredEmail(data)
              : registrationLockedEmail({ ...data, maxAttempts: MAX_ACTIVATION_ATTEMPTS }),
        };
      }
    }
  }

  return {
    async sendEmail(params: SendEmailParams, meta: ActionMeta): Promise<void> {
      const { to, email } = render(params, meta);
      await notifier.deliver({ channel: 'email', to, ...email }, meta);
    },
  };
}
