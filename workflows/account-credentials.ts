import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Anmeldedaten per Post: runs whichever of its versions the instance started with. */
export async function accountCredentials(args: ProcessArgs): Promise<ProcessView> {
  const { accountCredentialsVersions } = await import(
    /* webpackMode: "eager" */ '../machines/account-credentials.versions.js'
  );
  return runProcess(accountCredentialsVersions, args);
}
