import { nightlyDigestProcess } from './nightly-digest.js';

/**
 * Nächtliche Übersicht: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const nightlyDigestVersions = [nightlyDigestProcess] as const;
