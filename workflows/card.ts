import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Kartenlebenszyklus eHBA / SMC-B: every machine version a running instance may have started with. */
export async function card(args: ProcessArgs): Promise<ProcessView> {
  const { cardProcess } = await import(/* webpackMode: "eager" */ '../machines/card.js');
  const { cardProcessV2 } = await import(/* webpackMode: "eager" */ '../machines/card-v2.js');
  return runProcess([cardProcess, cardProcessV2], args);
}
