import { cardProcess } from '../machines/card.js';
import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Kartenlebenszyklus eHBA / SMC-B: every machine version a running instance may have started with. */
export async function card(args: ProcessArgs): Promise<ProcessView> {
  return runProcess([cardProcess], args);
}
