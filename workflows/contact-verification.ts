import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Benachrichtigungskanal bestätigen: every machine version a running instance may have started with. */
export async function contactVerification(args: ProcessArgs): Promise<ProcessView> {
  const [{ contactVerificationProcess }, { contactVerificationProcessV2 }] = await Promise.all([
    import(/* webpackMode: "eager" */ '../machines/contact-verification.js'),
    import(/* webpackMode: "eager" */ '../machines/contact-verification-v2.js'),
  ]);
  return runProcess([contactVerificationProcess, contactVerificationProcessV2], args);
}
