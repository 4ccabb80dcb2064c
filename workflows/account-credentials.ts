import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Anmeldedaten per Post: every machine version a running instance may have started with. */
export async function accountCredentials(args: ProcessArgs): Promise<ProcessView> {
  const { accountCredentialsProcess } = await import(
    /* webpackMode: "eager" */ '../machines/account-credentials.js'
  );
  return runProcess([accountCredentialsProcess], args);
}
