import type { SendEmailParams } from '../machines/invitation.schema.js';
import { deployedInvitationDelays, inviteeAddress } from './invitation.js';
import { createNotifier } from './notify.js';
import { invitationReminderEmail } from './templates/invitation.js';
import { formatBerlinTime, type RenderedEmail } from './templates/layout.js';
import {
  invitationExpiredEmail,
  registrationCompletedEmail,
  registrationLockedEmail,
  registrationRejectedEmail,
  registrationRequestedEmail,
} from './templates/registration-status.js';
import type { ActionMeta, ActivityDeps, MailAddress } from './types.js';

/** `sendEmail`: every status email, rendered from its template; carries no secret. */
export function createNotificationActivities(deps: ActivityDeps) {
  const notifier = createNotifier(deps);

  function render(
    params: SendEmailParams,
    meta: ActionMeta,
  ): { to: MailAddress; email: RenderedEmail } {
    switch (params.template) {
      case 'invitationReminder': {
        // The reminder fires `invitationReminder` after the invitation, which expires at `invitationExpiry`.
        const delays = deployedInvitationDelays(deps);
        const validUntil =
          Date.parse(meta.at) + delays.invitationExpiry - delays.invitationReminder;
        return {
          to: inviteeAddress(params.to),
          email: invitationReminderEmail({ ...params, validUntil: formatBerlinTime(validUntil) }),
        };
      }
      case 'registrationRequested':
        return { to: inviteeAddress(params.to), email: registrationRequestedEmail(params) };
      case 'registrationCompleted':
        return {
          to: inviteeAddress(params.to),
          email: registrationCompletedEmail({
            ...params,
            loginUrl: `${deps.config.publicBaseUrl}/login`,
          }),
        };
      case 'registrationRejected':
        return { to: inviteeAddress(params.to), email: registrationRejectedEmail(params) };
      case 'invitationExpired':
      case 'registrationLocked': {
        const to = { name: params.to.name ?? '', address: params.to.email };
        const template =
          params.template === 'invitationExpired'
            ? invitationExpiredEmail
            : registrationLockedEmail;
        return { to, email: template(params) };
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
