import { nightlyDigestProcess } from './nightly-digest.js';
import { nightlyDigestProcessV2 } from './nightly-digest-v2.js';

/**
 * Nächtliche Übersicht: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const nightlyDigestVersions = [nightlyDigestProcess, nightlyDigestProcessV2] as const;
