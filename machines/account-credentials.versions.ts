import { accountCredentialsProcess } from './account-credentials.js';

/**
 * Anmeldedaten per Post: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const accountCredentialsVersions = [accountCredentialsProcess] as const;
