/**
 * Examples of the inputs and event payloads of each process type, for the OpenAPI document
 * (the start request and every event get one). An `examples` entry in the metadata of a
 * machine's own schema takes precedence over these. A unit test parses each with the real
 * schema, so an example that a machine change breaks fails the build.
 */
export interface ProcessExamples {
  readonly input: unknown;
  /** By event type: the payload, without `type`. */
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export const processExamples: Readonly<Record<string, ProcessExamples>> = {
  invitation: {
    input: {
      salutation: 'Frau',
      firstName: 'Erika',
      lastName: 'Mustermann',
      email: 'erika.mustermann@praxis.example',
      practiceId: 'BSNR-123456789',
      inviter: { name: 'Dr. med. Hans Beispiel', email: 'praxis@praxis.example' },
    },
    events: {
      REGISTRATION_STARTED: { token: 'q8Vd0S3x1n5f2kLw7Rj9bYc4TzPmA6eHuG0iNoXs-_Q' },
      INVITATION_RESENT: {},
      INVITATION_REVOKED: { reason: 'Die Praxis hat die Einladung zurückgezogen.' },
      PERSONAL_DATA_SUBMITTED: { birthDate: '1980-04-12', phone: '+49 221 123456' },
      DEVICE_ACTIVATED: { activationCode: '2748 0323', pin: '274913', pinConfirmation: '274913' },
      REGISTRATION_APPROVED: {},
      REGISTRATION_REJECTED: { reason: 'Die Praxis ist nicht bekannt.' },
      CONSENT_GIVEN: { textVersion: '2026-01' },
      CONSENT_WITHDRAWN: {},
    },
  },
};
