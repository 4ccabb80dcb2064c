import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emailAddress,
  faxNumber,
  maskPhone,
  phoneNumber,
  postalAddress,
  toE164,
} from '../../machines/contact.schema.js';

describe('phone and fax numbers', () => {
  it.each([
    ['0151 / 123 456 78', '+4915112345678'],
    ['0171-1234567', '+491711234567'],
    ['(030) 1234567', '+49301234567'],
    ['030 1234567-89', '+4930123456789'],
    ['+49 (0) 30 1234567', '+49301234567'],
    ['+49 30 1234567', '+49301234567'],
    ['0049 221 123456', '+49221123456'],
    ['+49.151.12345678', '+4915112345678'],
    ['+41 44 668 18 00', '+41446681800'],
    ['+43 1 5344 0', '+43153440'],
    ['+1 (212) 555-0123', '+12125550123'],
    ['  0221 9876543 ', '+492219876543'],
  ])('when %s is typed, then it is %s', (typed, e164) => {
    expect(toE164(typed)).toBe(e164);
    expect(faxNumber.parse(typed)).toBe(e164);
  });

  it.each([
    ['letters', '0151 ABC 123'],
    ['too short', '+49 30 12'],
    ['too long', '+49 30 1234567890123456'],
    ['a trunk 0 after +49 without parentheses', '+49 030 1234567'],
    ['an extension', '030 1234567 x12'],
    ['empty', ''],
    ['a plus in the middle', '030+1234567'],
  ])('when the number has %s, then it is refused', (_why, typed) => {
    expect(toE164(typed)).toBeUndefined();
    expect(faxNumber.safeParse(typed).success).toBe(false);
  });

  it('when a landline is given for SMS, then it is refused with a German example; a mobile or foreign number is taken', () => {
    const landline = phoneNumber.safeParse('030 1234567');
    expect(landline.success).toBe(false);
    expect(landline.error?.issues[0]?.message).toMatch(/Mobilfunknummer.*0151/);
    expect(phoneNumber.parse('0170 1234567')).toBe('+491701234567');
    expect(phoneNumber.parse('+41 79 123 45 67')).toBe('+41791234567');
  });

  it('when a number is shown to operators, then only the country code and the last two digits remain', () => {
    expect(maskPhone('+4915112345678')).toBe('+49 … 78');
  });

  it('when any digit string is normalised, then the result is E.164 or nothing, and normalising it again changes nothing', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[+0-9 ()/-]{0,24}$/), (typed) => {
        const e164 = toE164(typed);
        if (e164 === undefined) return;
        expect(e164).toMatch(/^\+[1-9]\d{6,14}$/);
        expect(toE164(e164)).toBe(e164);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('email addresses', () => {
  it('when an address is valid, then its domain is lower-cased and its local part kept', () => {
    expect(emailAddress.parse(' Max.Muster@Praxis-Beispiel.DE ')).toBe(
      'Max.Muster@praxis-beispiel.de',
    );
  });

  it.each([['"Max" <max@praxis.de>'], ['max muster@praxis.de'], ['max@'], ['kein-at.de']])(
    'when %s is given, then it is refused in German',
    (typed) => {
      const result = emailAddress.safeParse(typed);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('Bitte eine gültige E-Mail-Adresse angeben.');
    },
  );
});

describe('postal addresses', () => {
  const valid = {
    name: 'Dr. Jörg Schäfer',
    street: 'Lindenstraße 12',
    postcode: '50674',
    city: 'Köln',
  };

  it('when a German address is complete, then it is taken with DE as country', () => {
    expect(postalAddress.parse(valid)).toEqual({ ...valid, country: 'DE' });
  });

  it('when a German postcode has not five digits, then the postcode is named', () => {
    const result = postalAddress.safeParse({ ...valid, postcode: '5067' });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['postcode'],
        message: expect.stringMatching(/fünf Ziffern/),
      }),
    ]);
  });

  it('when the address is abroad, then its postcode may look otherwise', () => {
    expect(
      postalAddress.parse({ ...valid, postcode: '1010', city: 'Wien', country: 'AT' }),
    ).toMatchObject({
      country: 'AT',
    });
  });

  it('when a line holds a control character, then it is refused', () => {
    const result = postalAddress.safeParse({ ...valid, street: 'Lindenstraße 12\nHinterhaus' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['street']);
  });
});
