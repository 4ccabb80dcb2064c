import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Registrierung zum mTAN-Verfahren: runs whichever of its versions the instance started with. */
export async function mtanRegistration(args: ProcessArgs): Promise<ProcessView> {
  const { mtanRegistrationVersions } = await import(
    /* webpackMode: "eager" */ '../machines/mtan-registration.versions.js'
  );
  return runProcess(mtanRegistrationVersions, args);
}
