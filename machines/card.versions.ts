import { cardProcess } from './card.js';
import { cardProcessV2 } from './card-v2.js';

/**
 * Kartenlebenszyklus eHBA / SMC-B: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const cardVersions = [cardProcess, cardProcessV2] as const;
