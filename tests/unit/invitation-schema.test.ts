import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  consentGivenSchema,
  deviceActivatedSchema,
  invitationEventSchemas,
  invitationInputSchema,
  invitationRevokedSchema,
  isPlausibleBirthDate,
  personalDataSubmittedSchema,
  pinProblem,
  registrationRejectedSchema,
  registrationStartedSchema,
} from '../../machines/invitation.schema.js';

/** The field paths a payload is refused on, as the API lists them. */
const refusedPaths = (schema: z.ZodType, payload: unknown): string[] => {
  const result = schema.safeParse(payload);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

const validInput = {
  salutation: 'Herr',
  firstName: 'Jan',
  lastName: 'Weber',
  email: 'jan.weber@praxis.example',
  practiceId: 'BSNR-123456789',
};

describe('invitation input', () => {
  it('trims names, email and practice id, and defaults a missing salutation to null', () => {
    const { salutation: _omitted, ...withoutSalutation } = validInput;
    expect(
      invitationInputSchema.parse({
        ...withoutSalutation,
        firstName: '  Jan ',
        lastName: ' Weber',
        email: ' jan.weber@praxis.example ',
        practiceId: ' BSNR-123456789 ',
      }),
    ).toEqual({ ...validInput, salutation: null });
  });

  it.each(['Herr', 'Frau', 'Divers', null])('takes the salutation %s', (salutation) => {
    expect(invitationInputSchema.parse({ ...validInput, salutation }).salutation).toBe(salutation);
  });

  it.each([
    ['salutation', { salutation: 'Dr.' }],
    ['email', { email: 'jan.weber' }],
    ['email', { email: 'jan weber@praxis.example' }],
    ['email', { email: `${'a'.repeat(250)}@praxis.example` }],
    ['firstName', { firstName: '   ' }],
    ['lastName', { lastName: 'Weber\r\nBcc: x@y.example' }],
    ['practiceId', { practiceId: '' }],
    ['inviter.email', { inviter: { name: 'Dr. Admin', email: 'nope' } }],
  ])('refuses a bad %s', (path, change) => {
    expect(refusedPaths(invitationInputSchema, { ...validInput, ...change })).toEqual([path]);
  });

  it('takes an inviter with or without a name', () => {
    const parsed = invitationInputSchema.parse({
      ...validInput,
      inviter: { email: ' admin@praxis.example ' },
    });
    expect(parsed.inviter).toEqual({ email: 'admin@praxis.example' });
  });
});

describe('PIN rules', () => {
  const device = (pin: string, pinConfirmation = pin) => ({
    activationCode: '2748 0323',
    pin,
    pinConfirmation,
  });

  it.each([
    '000000',
    '111111',
    '999999',
    '123456',
    '234567',
    '012345',
    '456789',
    '654321',
    '987654',
    '543210',
    '121212',
    '909090',
    '123123',
    '520520',
  ])('refuses the trivial PIN %s on the pin field', (pin) => {
    expect(pinProblem(pin)).not.toBeNull();
    expect(refusedPaths(deviceActivatedSchema, device(pin))).toEqual(['pin']);
  });

  it.each(['12345', '1234567', '12a456', '', ' 483920'])(
    'refuses %j: a PIN is exactly 6 digits',
    (pin) => {
      const result = deviceActivatedSchema.safeParse(device(pin));
      expect(result.success).toBe(false);
      expect(result.error?.issues).toEqual([
        expect.objectContaining({
          path: ['pin'],
          message: 'Die PIN muss aus genau 6 Ziffern bestehen.',
        }),
      ]);
    },
  );

  it('refuses a confirmation that differs, on the confirmation field', () => {
    const result = deviceActivatedSchema.safeParse(device('483920', '483921'));
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['pinConfirmation'],
        message: 'Die PIN-Wiederholung stimmt nicht mit der PIN überein.',
      }),
    ]);
  });

  it('reports a trivial PIN and a differing confirmation together', () => {
    expect(refusedPaths(deviceActivatedSchema, device('123456', '654321')).sort()).toEqual([
      'pin',
      'pinConfirmation',
    ]);
  });

  it.each(['483920', '102938', '135792', '246810', '112233', '908172'])(
    'takes the PIN %s',
    (pin) => {
      expect(pinProblem(pin)).toBeNull();
      expect(deviceActivatedSchema.safeParse(device(pin)).success).toBe(true);
    },
  );

  it.each(['2748 0323', '27480323', ' 2748 0323 '])(
    'takes the activation code %j',
    (activationCode) => {
      expect(deviceActivatedSchema.safeParse({ ...device('483920'), activationCode }).success).toBe(
        true,
      );
    },
  );

  it.each(['2748-0323', '2748032', '2748  0323', 'abcd efgh'])(
    'refuses the activation code %j',
    (activationCode) => {
      expect(refusedPaths(deviceActivatedSchema, { ...device('483920'), activationCode })).toEqual([
        'activationCode',
      ]);
    },
  );
});

describe('personal data', () => {
  it.each(['1980-05-17', '2000-02-29'])('takes the birth date %s', (birthDate) => {
    expect(personalDataSubmittedSchema.parse({ birthDate })).toEqual({ birthDate });
  });

  it.each([
    '1980-02-30',
    '2023-02-29',
    '1980-13-01',
    '17.05.1980',
    '1980-5-17',
    '',
    '1980-05-17T00:00:00Z',
  ])('refuses the birth date %j', (birthDate) => {
    expect(refusedPaths(personalDataSubmittedSchema, { birthDate })).toEqual(['birthDate']);
  });

  it('judges the age against the day the data arrive: 16 to under 120 years', () => {
    const today = '2026-03-02';
    expect(isPlausibleBirthDate('1980-05-17', today)).toBe(true);
    expect(isPlausibleBirthDate('2010-03-02', today)).toBe(true);
    expect(isPlausibleBirthDate('2010-03-03', today)).toBe(false);
    expect(isPlausibleBirthDate('2026-03-03', today)).toBe(false);
    expect(isPlausibleBirthDate('1906-03-03', today)).toBe(true);
    expect(isPlausibleBirthDate('1906-03-02', today)).toBe(false);
  });

  it.each(['0221 123456', '+49 221 1234567', '(0221) 123-456', '0171/1234567'])(
    'takes the phone number %j',
    (phone) => {
      expect(
        personalDataSubmittedSchema.safeParse({ birthDate: '1980-05-17', phone }).success,
      ).toBe(true);
    },
  );

  it.each(['', 'call me', '12345', '+49 221 1234567890123', '0221 12345 ext. 6'])(
    'refuses the phone number %j',
    (phone) => {
      expect(refusedPaths(personalDataSubmittedSchema, { birthDate: '1980-05-17', phone })).toEqual(
        ['phone'],
      );
    },
  );
});

describe('other event payloads', () => {
  it('takes a registration token only in the shape the link carries', () => {
    expect(registrationStartedSchema.safeParse({ token: 'Ab-_'.repeat(10) + 'xyz' }).success).toBe(
      true,
    );
    expect(refusedPaths(registrationStartedSchema, { token: 'short' })).toEqual(['token']);
    expect(refusedPaths(registrationStartedSchema, { token: '+'.repeat(43) })).toEqual(['token']);
  });

  it('needs a reason to reject, and takes a revocation with or without one', () => {
    expect(refusedPaths(registrationRejectedSchema, { reason: '  ' })).toEqual(['reason']);
    expect(
      registrationRejectedSchema.parse({ reason: ' Keine Mitarbeiterin \n der Praxis ' }),
    ).toEqual({
      reason: 'Keine Mitarbeiterin \n der Praxis',
    });
    expect(invitationRevokedSchema.parse({})).toEqual({});
    expect(invitationRevokedSchema.parse({ reason: 'falsche Person' })).toEqual({
      reason: 'falsche Person',
    });
  });

  it('needs the consent text version', () => {
    expect(refusedPaths(consentGivenSchema, {})).toEqual(['textVersion']);
    expect(consentGivenSchema.parse({ textVersion: '2026-01' })).toEqual({
      textVersion: '2026-01',
    });
  });

  it('renders every schema as JSON Schema for the OpenAPI document', () => {
    for (const schema of [invitationInputSchema, ...Object.values(invitationEventSchemas)]) {
      expect(z.toJSONSchema(schema, { io: 'input' })).toMatchObject({ type: 'object' });
    }
  });
});
