import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Benachrichtigungskanal bestätigen: every machine version a running instance may have started with. */
export async function contactVerification(args: ProcessArgs): Promise<ProcessView> {
  const { contactVerificationProcess } = await import(
    /* webpackMode: "eager" */ '../machines/contact-verification.js'
  );
  return runProcess([contactVerificationProcess], args);
}
