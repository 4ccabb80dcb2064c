import { createAccountCredentialsActivities } from './account-credentials.js';
import { createCardIssuerActivities } from './card-issuer.js';
import { createDocumentDeliveryActivities } from './document-delivery.js';
import { createEterminActivities } from './etermin.js';
import { createInvitationActivities } from './invitation.js';
import { createMtanRegistrationActivities } from './mtan-registration.js';
import { createNotificationActivities } from './notifications.js';
import type { ActivityDeps } from './types.js';

export { createMailTransport } from './mailer.js';
export type { ActionMeta, ActivityDeps } from './types.js';

/**
 * Every activity, keyed by the name of the machine action it carries out. The interpreter
 * calls `activities[action.type](action.params, meta)`; an activity returning an event feeds
 * it back into the machine.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createInvitationActivities(deps),
    ...createNotificationActivities(deps),
    ...createCardIssuerActivities(deps),
    ...createEterminActivities(deps),
    ...createDocumentDeliveryActivities(deps),
    ...createAccountCredentialsActivities(deps),
    ...createMtanRegistrationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
