import { invitationProcess } from './invitation.js';
import { invitationProcessV2 } from './invitation-v2.js';

/**
 * Einladung eines Benutzers: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const invitationVersions = [invitationProcess, invitationProcessV2] as const;
