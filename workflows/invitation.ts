import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Einladung eines Benutzers: every machine version a running instance may have started with. */
export async function invitation(args: ProcessArgs): Promise<ProcessView> {
  const { invitationProcess } = await import(
    /* webpackMode: "eager" */ '../machines/invitation.js'
  );
  const { invitationProcessV2 } = await import(
    /* webpackMode: "eager" */ '../machines/invitation-v2.js'
  );
  return runProcess([invitationProcess, invitationProcessV2], args);
}
