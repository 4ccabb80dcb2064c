import { describe, expect, it } from 'vitest';
import {
  applicationEndedEmail,
  cardActivatedEmail,
  cardShippedEmail,
} from '../../activities/templates/card-issuer.js';

/** The card issuer's emails as the applicant reads them: German that is right, facts that fit. */

const applicant = {
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
    country: 'DE',
  },
};
const application = { applicationNumber: 'A-2026-7K3M9QXT', cardType: 'eHBA', applicant } as const;
const card = { cardNumber: 'K-2026-7K3M9QXT-1', cardType: 'eHBA', holder: applicant } as const;

describe('card issuer emails', () => {
  it('name the card in the nominative after „Ihr“', () => {
    const shipped = cardShippedEmail({ ...card, trackingId: '00340434161094015902' });
    expect(shipped.text).toContain(
      'Ihr elektronischer Heilberufsausweis (eHBA), Kartennummer K-2026-7K3M9QXT-1, ist versandt.',
    );
    expect(shipped.text).not.toContain('Ihr elektronischen');
    const smcb = cardActivatedEmail({
      ...card,
      cardType: 'SMC-B',
      validUntil: '2031-03-02T09:30:00.000Z',
    });
    expect(smcb.text).toContain('Ihr Praxis- bzw. Institutionsausweis (SMC-B), Kartennummer');
  });

  it('state the deployment’s draft period when a draft is discarded', () => {
    const abandoned = applicationEndedEmail({
      ...application,
      why: 'applicationAbandoned',
      draftDays: 60,
    });
    expect(abandoned.text).toContain('innerhalb von 60 Tagen nicht abgeschlossen');
    expect(abandoned.text).toContain('einen elektronischen Heilberufsausweis (eHBA)');
  });

  it('say documents did not arrive when an application expires, whichever were asked for', () => {
    const expired = applicationEndedEmail({
      ...application,
      why: 'applicationExpired',
      draftDays: 90,
    });
    expect(expired.subject).toBe('Antrag A-2026-7K3M9QXT abgelaufen');
    expect(expired.text).toContain(
      'die angeforderten Unterlagen sind nicht rechtzeitig eingegangen',
    );
  });
});
