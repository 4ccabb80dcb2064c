import { invitationProcess } from './invitation.js';
import { invitationProcessV2 } from './invitation-v2.js';
import { invitationV1ToV2 } from './migrations/invitation.js';

/**
 * Einladung eines Benutzers: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const invitationVersions = [invitationProcess, invitationProcessV2] as const;

/** How running invitations move from each version to the next (see machines/migrations/invitation.ts). */
export const invitationMigrations = [invitationV1ToV2] as const;
