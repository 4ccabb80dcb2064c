/**
 * The requests and answers of the routes without an API key: the applicant's status lookup and
 * the links in emails.
 */
import { APPLICATION_NUMBER_PATTERN } from '../machines/ehba-application.schema.js';
import { z } from 'zod';
import { EXAMPLE_ID } from './openapi/examples.js';

/** The applicant's public status lookup: both values or nothing. */
export const applicationStatusBody = z
  .strictObject({
    applicationNumber: z
      .string()
      .trim()
      .toUpperCase()
      .regex(APPLICATION_NUMBER_PATTERN, { error: 'Eine Antragsnummer wie A-2026-7K3M9QXT.' })
      .meta({ description: 'Die Antragsnummer aus der Bestätigung des Antrags.' }),
    birthDate: z.iso
      .date({ error: 'Das Geburtsdatum im Format JJJJ-MM-TT.' })
      .meta({ description: 'Geburtsdatum der antragstellenden Person.' }),
  })
  .meta({
    id: 'ApplicationStatusRequest',
    description: 'Antragsnummer und Geburtsdatum, wie im Antrag angegeben.',
    examples: [{ applicationNumber: 'A-2026-7K3M9QXT', birthDate: '1975-03-14' }],
  });

export const applicationStatus = z
  .strictObject({
    stateLabel: z.string().meta({ description: 'Der Stand des Antrags, z. B. „Zur Freigabe“.' }),
    since: z.iso.datetime().meta({ description: 'Seit wann der Antrag diesen Stand hat.' }),
    explanation: z.array(z.string()).meta({
      description:
        'Was der Stand bedeutet und was zu tun ist, in den Worten der Kartenausgabe (der ' +
        '„blaue Kasten“ des Statusabrufs); leer, wo es dazu nichts zu sagen gibt.',
    }),
  })
  .meta({
    id: 'ApplicationStatus',
    description: 'Nur der Stand, seit wann und was er bedeutet: keine weiteren Daten des Antrags.',
    examples: [
      {
        stateLabel: 'Zur Freigabe',
        since: '2026-11-20T09:14:03.000Z',
        explanation: [
          'Ihr Antrag wurde von uns geprüft und befindet sich nun zur Freigabe bei Ihrer Kammer.',
        ],
      },
    ],
  });

/** The query of the registration link in invitation emails (`GET /registrierung`). */
export const registrationLinkQuery = z.object({
  prozess: z
    .string()
    .optional()
    .meta({ description: 'The process id.', examples: [EXAMPLE_ID] }),
  token: z
    .string()
    .optional()
    .meta({
      description: 'The one-time registration token.',
      examples: ['q8Vd0S3x1n5f2kLw7Rj9bYc4TzPmA6eHuG0iNoXs-_Q'],
    }),
});

/** The query of the follow-up link in a card's renewal reminder (`GET /folgeantrag`). */
export const followUpLinkQuery = z.object({
  prozess: z
    .string()
    .optional()
    .meta({ description: 'The card process id.', examples: ['card-K-2026-7K3M9QXT-1'] }),
});

// ---------------------------------------------------------------------------------------------
// Responses
