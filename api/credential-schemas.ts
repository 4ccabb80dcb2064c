/** The request and answer of the portal's credentials check (`/api/v1/credentials`). */
import { USER_NAME_PATTERN } from '../machines/account-credentials.schema.js';
import { z } from 'zod';

export const credentialCheckBody = z
  .strictObject({
    userName: z
      .string()
      .trim()
      .toUpperCase()
      .regex(USER_NAME_PATTERN, { error: 'Ein Benutzername wie AP-K7PM3QXA.' })
      .meta({ description: 'The user name from the credentials letter.' }),
    password: z.string().min(1).max(200).meta({ description: 'The password as typed.' }),
  })
  .meta({
    id: 'CredentialCheckRequest',
    description: 'A sign-in to check: user name and password.',
    examples: [{ userName: 'AP-K7PM3QXA', password: 'k7Pm-3qXa-Hn4T' }],
  });

export const credentialCheck = z
  .object({
    userName: z.string(),
    valid: z.boolean().meta({ description: 'The password is the one of the newest letter.' }),
    locked: z.boolean().meta({
      description:
        'Five wrong passwords in a row: locked until a new letter („Anmeldedaten vergessen“).',
    }),
  })
  .meta({
    id: 'CredentialCheck',
    description: 'Whether a sign-in holds; nothing else about the access.',
    examples: [{ userName: 'AP-K7PM3QXA', valid: true, locked: false }],
  });

// ---------------------------------------------------------------------------------------------
// What the operators' dashboard reads
