import { ehbaApplicationProcess, ehbaApplicationProcessV2 } from './ehba-application.js';

/**
 * Antrag auf eHBA / SMC-B: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const ehbaApplicationVersions = [ehbaApplicationProcess, ehbaApplicationProcessV2] as const;
