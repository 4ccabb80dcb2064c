import { mtanRegistrationProcess } from './mtan-registration.js';

/**
 * Registrierung zum mTAN-Verfahren: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const mtanRegistrationVersions = [mtanRegistrationProcess] as const;
