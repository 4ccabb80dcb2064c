/** Every process workflow; the workflow type is the process type. */
export { accountCredentials } from './account-credentials.js';
export { card } from './card.js';
export { contactVerification } from './contact-verification.js';
export { documentDelivery } from './document-delivery.js';
export { ehbaApplication } from './ehba-application.js';
export { invitation } from './invitation.js';
export { mtanRegistration } from './mtan-registration.js';
export { nightlyDigest } from './nightly-digest.js';

/** Not a process: the job of a bulk action over many processes. */
export { bulkAction } from './bulk-action.js';
/** Not a process: the back office's daily report of what became overdue. */
export { slaReport } from './sla-report.js';
