import { contactVerificationProcess } from './contact-verification.js';
import { contactVerificationProcessV2 } from './contact-verification-v2.js';
import { contactVerificationProcessV3 } from './contact-verification-v3.js';

/**
 * Benachrichtigungskanal bestätigen: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const contactVerificationVersions = [
  contactVerificationProcess,
  contactVerificationProcessV2,
  contactVerificationProcessV3,
] as const;
