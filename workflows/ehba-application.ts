import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Antrag auf eHBA / SMC-B: runs whichever of its versions the instance started with. */
export async function ehbaApplication(args: ProcessArgs): Promise<ProcessView> {
  const { ehbaApplicationVersions } = await import(
    /* webpackMode: "eager" */ '../machines/ehba-application.versions.js'
  );
  return runProcess(ehbaApplicationVersions, args);
}
