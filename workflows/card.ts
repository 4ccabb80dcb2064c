import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Kartenlebenszyklus eHBA / SMC-B: runs whichever of its versions the instance started with. */
export async function card(args: ProcessArgs): Promise<ProcessView> {
  const { cardVersions } = await import(/* webpackMode: "eager" */ '../machines/card.versions.js');
  return runProcess(cardVersions, args);
}
