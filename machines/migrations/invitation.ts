import { z } from 'zod';
import { isoDate } from '../fields.js';
import { MAX_ACTIVATION_ATTEMPTS } from '../invitation.js';
import { SALUTATIONS, type InvitationContext } from '../invitation.schema.js';
import type { MigrationDefinition } from '../migration-definition.js';

const nullableText = z.string().nullable();

/** A version-2 invitation's context: version 1's, plus the link reference of seed 002. */
const invitationV2Context = z.object({
  invitee: z.object({
    salutation: z.enum(SALUTATIONS).nullable(),
    firstName: z.string().min(1),
    lastName: z.string().min(1),
    email: z.string().min(3),
  }),
  practiceId: z.string().min(1),
  inviter: z.object({ name: nullableText, email: z.string().min(3) }).nullable(),
  tokenHash: nullableText,
  linkRef: nullableText,
  personalData: z.object({ birthDate: isoDate(), phone: nullableText }).nullable(),
  codeHash: nullableText,
  failedActivationAttempts: z
    .int()
    .min(0)
    .max(MAX_ACTIVATION_ATTEMPTS - 1),
  pinHash: nullableText,
  revocationReason: nullableText,
  rejectionReason: nullableText,
  consents: z.array(
    z.object({
      subject: z.string(),
      status: z.enum(['given', 'withdrawn']),
      givenAt: nullableText,
      withdrawnAt: nullableText,
      textVersion: z.string(),
      mechanism: z.literal('portal-opt-in'),
    }),
  ),
  postfachAccess: z.boolean(),
});

/**
 * Invitation 1 → 2: the same states; the registration window (720 h) keeps its start, so an
 * invitation keeps its absolute expiry. Version 2's reminder belongs to the whole window (in
 * version 1 only to `invited`): an invitation past the personal data gets it at 696 h too. A
 * version-1 link is one-time: once opened, version 2 cannot take it again (its hash is gone).
 */
export const invitationV1ToV2: MigrationDefinition<InvitationContext, InvitationContext> = {
  type: 'invitation',
  from: 1,
  to: 2,
  states: {
    'registration.invited': 'registration.invited',
    'registration.personalData': 'registration.personalData',
    'registration.deviceRegistration': 'registration.deviceRegistration',
    requested: 'requested',
    completed: 'completed',
  },
  transform: (context) => ({ ...context, linkRef: null }),
  context: invitationV2Context,
  notes: {
    'registration.personalData':
      'Der Link der Einladung (Version 1: einmalig) ist schon benutzt und führt nicht mehr ' +
      'zum aktuellen Schritt; die Erinnerung nach 696 Stunden gilt jetzt für das ganze ' +
      'Registrierungsfenster.',
    'registration.deviceRegistration':
      'Der Link der Einladung (Version 1: einmalig) ist schon benutzt und führt nicht mehr ' +
      'zum aktuellen Schritt; die Erinnerung nach 696 Stunden gilt jetzt für das ganze ' +
      'Registrierungsfenster.',
  },
};
