import { contactVerificationProcess } from '../machines/contact-verification.js';
import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Benachrichtigungskanal bestätigen: every machine version a running instance may have started with. */
export async function contactVerification(args: ProcessArgs): Promise<ProcessView> {
  return runProcess([contactVerificationProcess], args);
}
