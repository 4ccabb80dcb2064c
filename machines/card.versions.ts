import { cardProcess } from './card.js';
import { cardProcessV2 } from './card-v2.js';
import { cardV1ToV2 } from './migrations/card.js';

/**
 * Kartenlebenszyklus eHBA / SMC-B: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const cardVersions = [cardProcess, cardProcessV2] as const;

/** How running cards move from each version to the next (see machines/migrations/card.ts). */
export const cardMigrations = [cardV1ToV2] as const;
