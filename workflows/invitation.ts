import { invitationProcess } from '../machines/invitation.js';
import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Einladung eines Benutzers: every machine version a running instance may have started with. */
export async function invitation(args: ProcessArgs): Promise<ProcessView> {
  return runProcess([invitationProcess], args);
}
