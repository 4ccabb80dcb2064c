import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Antrag auf eHBA / SMC-B: every machine version a running instance may have started with. */
export async function ehbaApplication(args: ProcessArgs): Promise<ProcessView> {
  const { ehbaApplicationProcess, ehbaApplicationProcessV2 } = await import(
    /* webpackMode: "eager" */ '../machines/ehba-application.js'
  );
  return runProcess([ehbaApplicationProcess, ehbaApplicationProcessV2], args);
}
