/** The requests and answers of a practice's appointment reports and nightly overview. */
import { appointmentRecordedSchema } from '../machines/nightly-digest.schema.js';
import { z } from 'zod';

export const practiceIdParameter = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  .meta({ description: 'Practice id (e.g. the BSNR).', examples: ['BSNR-123456789'] });

/** A booking or cancellation reported by the appointment service. */
export const appointmentBody = z.strictObject(appointmentRecordedSchema.shape).meta({
  id: 'AppointmentReport',
  description:
    'A booking or cancellation of the appointment service (eTerminservice). The same ' +
    'appointment and kind reported again counts once.',
  examples: [
    {
      kind: 'booked',
      appointmentId: 'TSS-2026-4711',
      at: '2026-12-01T09:30:00+01:00',
      patientInitials: 'E. M.',
      specialty: 'Hals-Nasen-Ohrenheilkunde',
      urgencyCode: 'HNO-4711-AB',
    },
  ],
});

const digestItem = z.object({
  key: z.string(),
  kind: z.enum(['booked', 'cancelled']),
  appointmentId: z.string(),
  at: z.string(),
  patientInitials: z.string().optional(),
  specialty: z.string().optional(),
  urgencyCode: z.string().optional(),
  receivedAt: z.string(),
});

export const digestOverview = z
  .strictObject({
    practiceId: z.string(),
    stateLabel: z.string().meta({ description: 'German label: „Sammelt für die Nacht“ …' }),
    items: z.array(digestItem).meta({ description: 'Collected and not yet sent, in order.' }),
    nextDigestAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'When the overview goes (01:30 German time plus jitter).' }),
    channel: z
      .object({ channel: z.enum(['email', 'fax']), address: z.string() })
      .nullable()
      .meta({ description: 'The confirmed channel; a fax number masked.' }),
    warning: z
      .string()
      .nullable()
      .meta({ description: 'Set when the overview cannot go: no confirmed channel.' }),
    lastSent: z
      .object({ at: z.string().nullable(), channel: z.string(), count: z.number().int() })
      .nullable(),
  })
  .meta({
    id: 'DigestOverview',
    description: 'What the nightly overview of a practice holds, when it goes and where.',
    examples: [
      {
        practiceId: 'BSNR-123456789',
        stateLabel: 'Sammelt für die Nacht',
        items: [
          {
            key: 'TSS-2026-4711:booked',
            kind: 'booked',
            appointmentId: 'TSS-2026-4711',
            at: '2026-12-01T09:30:00+01:00',
            patientInitials: 'E. M.',
            receivedAt: '2026-11-24T14:02:11.000Z',
          },
        ],
        nextDigestAt: '2026-11-25T00:41:00.000Z',
        channel: { channel: 'email', address: 'praxis@praxis.example' },
        warning: null,
        lastSent: null,
      },
    ],
  });
