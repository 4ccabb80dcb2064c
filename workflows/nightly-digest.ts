import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Nächtliche Übersicht: runs whichever of its versions the instance started with. */
export async function nightlyDigest(args: ProcessArgs): Promise<ProcessView> {
  const { nightlyDigestVersions } = await import(
    /* webpackMode: "eager" */ '../machines/nightly-digest.versions.js'
  );
  return runProcess(nightlyDigestVersions, args);
}
