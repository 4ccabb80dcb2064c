import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Kartenlebenszyklus eHBA / SMC-B: runs whichever of its versions the instance runs, and moves it to the next. */
export async function card(args: ProcessArgs): Promise<ProcessView> {
  const { cardVersions, cardMigrations } = await import(
    /* webpackMode: "eager" */ '../machines/card.versions.js'
  );
  return runProcess(cardVersions, args, cardMigrations);
}
