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
  ehbaApplication: {
    input: {
      cardType: 'eHBA',
      salutation: 'Frau',
      title: 'Dr. med.',
      firstName: 'Erika',
      lastName: 'Mustermann',
      birthDate: '1975-03-14',
      email: 'erika.mustermann@praxis.example',
      chamber: 'Ärztekammer Nordrhein',
      address: {
        name: 'Dr. med. Erika Mustermann',
        street: 'Heidestraße 17',
        postcode: '51147',
        city: 'Köln',
      },
      practiceId: 'BSNR-123456789',
      activationPassword: 'Heide17Weg',
    },
    events: {
      APPLICATION_UPDATED: { chamber: 'Ärztekammer Westfalen-Lippe' },
      APPLICATION_SUBMITTED: {},
      APPLICATION_WITHDRAWN: { reason: 'Doppelt beantragt.' },
      DOCUMENTS_RECEIVED: { note: 'Per Post am 23.11. eingegangen.' },
      QUERY_RAISED: {
        missing: ['Meldebescheinigung', 'Lichtbild: Qualität reicht nicht aus'],
        note: 'Das Lichtbild ist unscharf.',
      },
      DOCUMENTS_RESUBMITTED: {},
      CHECK_PASSED: {},
      APPLICATION_REJECTED: { reason: 'signatureMismatch' },
      CHAMBER_APPROVED: {},
      CHAMBER_REJECTED: { reason: 'Keine Mitgliedschaft in der Kammer.' },
    },
  },
  card: {
    input: {
      cardNumber: 'K-2026-7K3M9QXT-1',
      cardType: 'eHBA',
      applicationNumber: 'A-2026-7K3M9QXT',
      holder: {
        salutation: 'Frau',
        title: 'Dr. med.',
        firstName: 'Erika',
        lastName: 'Mustermann',
        birthDate: '1975-03-14',
        email: 'erika.mustermann@praxis.example',
        chamber: 'Ärztekammer Nordrhein',
        address: {
          name: 'Dr. med. Erika Mustermann',
          street: 'Heidestraße 17',
          postcode: '51147',
          city: 'Köln',
        },
      },
      practiceId: 'BSNR-123456789',
    },
    events: {
      CARD_SHIPPED: {
        trackingId: '00340434161094015902',
        transportPinLetter: {
          pins: [
            { name: 'PIN.CH', transportPin: '84920' },
            { name: 'PIN.QES', transportPin: '31757' },
          ],
          puk: '74910263',
        },
      },
      TRANSPORT_PIN_RESEND_REQUESTED: {},
      CARD_ACTIVATED: {},
      ACTIVATION_PASSWORD_FORGOTTEN: { activationPassword: 'Neu2026Kennwort' },
      TRANSPORT_PIN_LETTER_LOST: {},
      HOLDER_DATA_CHANGED: { email: 'e.mustermann@praxis-heide.example' },
      FOLLOW_UP_REQUESTED: {},
      CARD_BLOCKED: { reason: 'Karte verloren.' },
    },
  },
  contactVerification: {
    input: {
      practiceId: 'BSNR-123456789',
      practiceName: 'Praxis Dr. med. Erika Mustermann',
      channel: 'email',
      address: 'praxis@praxis.example',
    },
    events: {
      CODE_SUBMITTED: { code: 'K7PM 3QXA' },
      CODE_RESENT: {},
      CHANNEL_CHANGED: { channel: 'fax', address: '0221 1234567' },
    },
  },
  nightlyDigest: {
    input: { practiceId: 'BSNR-123456789', digestTime: '01:30' },
    events: {
      APPOINTMENT_RECORDED: {
        kind: 'booked',
        appointmentId: 'TSS-2026-4711',
        at: '2026-12-01T09:30:00+01:00',
        patientInitials: 'E. M.',
      },
    },
  },
  documentDelivery: {
    input: {
      documentId: 'D-2026-K7PM3QXA',
      practiceId: 'BSNR-123456789',
      kind: 'abrechnungsnachweis',
      title: 'Abrechnungsnachweis Quartal 4/2025',
      fileName: 'abrechnung-q4-2025.pdf',
      contentType: 'application/pdf',
      size: 48213,
      sha256: '9f2c6a1e0b7d4c3a8e5f6b2d1c0a9e8f7d6c5b4a3e2f1d0c9b8a7e6f5d4c3b2a',
      uploadedAt: '2026-01-15T09:00:00.000Z',
      physician: {
        name: 'Dr. med. Jonas Berger',
        email: 'j.berger@praxis.example',
        haevgId: 'H-104711',
        lanr: '123456701',
      },
    },
    events: {
      DOWNLOAD_REQUESTED: {},
      TAN_SUBMITTED: { tan: '274913' },
      DOCUMENT_DOWNLOADED: { tokenHash: 'UNhY4JhezH9gQYqvDMWrWH9CwlcKiECVqejMrND2VFw' },
      DOWNLOAD_UNLOCKED: {},
    },
  },
  mtanRegistration: {
    input: {
      practiceId: 'BSNR-123456789',
      haevgId: 'H-104711',
      lanr: '123456701',
      mobile: '0151 12345678',
    },
    events: {
      CODE_SUBMITTED: { code: '274913' },
      CODE_RESENT: {},
      MOBILE_CHANGED: { mobile: '0160 98765432' },
    },
  },
  accountCredentials: {
    input: {
      practiceId: 'BSNR-123456789',
      holderName: 'Dr. med. Jonas Berger',
      address: {
        name: 'Dr. med. Jonas Berger',
        addition: 'Hausarztpraxis am Markt',
        street: 'Marktplatz 3',
        postcode: '53111',
        city: 'Bonn',
      },
    },
    events: {
      CREDENTIALS_FORGOTTEN: {},
      ADDRESS_CHANGED: {
        address: {
          name: 'Dr. med. Jonas Berger',
          street: 'Poppelsdorfer Allee 12',
          postcode: '53115',
          city: 'Bonn',
        },
      },
      ACCOUNT_CLOSED: { reason: 'Die Praxis wurde aufgegeben.' },
    },
  },
};
