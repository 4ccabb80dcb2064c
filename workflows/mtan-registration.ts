import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Registrierung zum mTAN-Verfahren: every machine version a running instance may have started with. */
export async function mtanRegistration(args: ProcessArgs): Promise<ProcessView> {
  const { mtanRegistrationProcess } = await import(
    /* webpackMode: "eager" */ '../machines/mtan-registration.js'
  );
  return runProcess([mtanRegistrationProcess], args);
}
