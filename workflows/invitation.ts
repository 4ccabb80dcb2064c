import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Einladung eines Benutzers: runs whichever of its versions the instance runs, and moves it to the next. */
export async function invitation(args: ProcessArgs): Promise<ProcessView> {
  const { invitationVersions, invitationMigrations } = await import(
    /* webpackMode: "eager" */ '../machines/invitation.versions.js'
  );
  return runProcess(invitationVersions, args, invitationMigrations);
}
