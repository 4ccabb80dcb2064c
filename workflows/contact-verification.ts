import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Benachrichtigungskanal bestätigen: runs whichever of its versions the instance started with. */
export async function contactVerification(args: ProcessArgs): Promise<ProcessView> {
  const { contactVerificationVersions } = await import(
    /* webpackMode: "eager" */ '../machines/contact-verification.versions.js'
  );
  return runProcess(contactVerificationVersions, args);
}
