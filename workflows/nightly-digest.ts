import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Nächtliche Übersicht: every machine version a running instance may have started with. */
export async function nightlyDigest(args: ProcessArgs): Promise<ProcessView> {
  const { nightlyDigestProcess } = await import(
    /* webpackMode: "eager" */ '../machines/nightly-digest.js'
  );
  return runProcess([nightlyDigestProcess], args);
}
