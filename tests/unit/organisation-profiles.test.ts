import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { createActivities, type ActionMeta } from '../../activities/index.js';
import { ORGANISATION_OF_PROCESS } from '../../activities/organisations.js';
import type { MailMessage } from '../../activities/types.js';
import { ConfigError } from '../../config/env.js';
import {
  DEVELOPMENT_ORGANISATIONS,
  ORGANISATION_IDS,
  organisationProfiles,
  type OrganisationId,
  type OrganisationProfile,
  type OrganisationProfiles,
} from '../../config/organisations.js';
import { processTypes } from '../../machines/registry.js';
import { memoryOutbox } from '../support/outbox.js';

/**
 * Every email, SMS, fax and letter of every process type, rendered through its activity with
 * the organisation profile of its process type: the right sender, signature, support contact
 * and legal footer, and German as the people who read it expect (dates TT.MM.JJJJ, no practice
 * id in a person's mail).
 */

/** A deployment's profiles, each marked so that a test sees whose frame a message carries. */
const profile = (id: OrganisationId): OrganisationProfile => {
  const base = DEVELOPMENT_ORGANISATIONS[id];
  return {
    ...base,
    sender: { name: `${base.sender.name} ${id}`, address: `post@${id}.test` },
    signature: [`Signatur ${id}`],
    support: [`Hilfe ${id}:`, `Telefon ${id} 0800 123`],
    legal: [`Impressum ${id}, Musterstraße 1, 12345 Musterstadt`],
    returnAddress: `Rücksendung ${id} · Postfach 1 · 12345 Musterstadt`,
  };
};
const PROFILES = Object.fromEntries(ORGANISATION_IDS.map((id) => [id, profile(id)])) as Record<
  OrganisationId,
  OrganisationProfile
> satisfies OrganisationProfiles;

const applicant = {
  salutation: 'Frau',
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Weiß-Müller',
  birthDate: '1975-03-14',
  email: 'erika@praxis.example',
  chamber: 'Ärztekammer Nordrhein',
  address: {
    name: 'Dr. med. Erika Weiß-Müller',
    street: 'Heidestraße 17',
    postcode: '51147',
    city: 'Köln',
  },
} as const;
const invitee = {
  salutation: 'Herr',
  firstName: 'Jürgen',
  lastName: 'Weiß-Müller',
  email: 'juergen@praxis.example',
} as const;
const inviter = { name: 'Dr. Admin', email: 'admin@praxis.example' };

interface Rendered {
  readonly processType: string;
  readonly what: string;
  readonly mail: MailMessage;
  /** Text of the attached PDF (fax, letter, application), if any. */
  readonly pdf: string;
}

async function pdfText(content: Buffer): Promise<string> {
  const document = await getDocumentProxy(new Uint8Array(content));
  const { text } = await extractText(document, { mergePages: true });
  return text;
}

async function renderEverything(): Promise<Rendered[]> {
  const sent: MailMessage[] = [];
  const activities = createActivities({
    outbox: memoryOutbox(),
    mailer: {
      sendMail: async (message) => {
        sent.push(message);
        return {};
      },
    },
    contactChannels: {
      confirmedChannel: async (practiceId) => ({
        practiceName: 'Praxis Dr. Berger',
        channel: practiceId.endsWith('FAX')
          ? { channel: 'fax', address: '+4922112345678' }
          : { channel: 'email', address: 'praxis@berger.example' },
      }),
    },
    credentials: { issue: async () => undefined, revoke: async () => undefined },
    config: {
      publicBaseUrl: 'https://portal.example',
      mailFrom: 'praxisflow <no-reply@praxisflow.test>',
      codeSecret: 'test-secret-test-secret-test-secret',
      organisations: PROFILES,
    },
  }) as unknown as Record<string, (params: unknown, meta: ActionMeta) => Promise<unknown>>;

  const rendered: Rendered[] = [];
  let step = 0;
  async function run(processType: string, what: string, action: string, params: unknown) {
    step += 1;
    const before = sent.length;
    await activities[action]!(params, {
      workflowId: `${processType}-4711`,
      processType,
      step,
      idempotencyKey: `${processType}-4711:run:${step}:0`,
      at: '2026-03-02T09:30:00.000Z',
    });
    for (const mail of sent.slice(before)) {
      const attachment = mail.attachments?.find((file) => file.contentType === 'application/pdf');
      rendered.push({
        processType,
        what,
        mail,
        pdf: attachment ? await pdfText(attachment.content) : '',
      });
    }
  }

  const link = { linkRef: 'invitation-4711:run:1:0' };
  await run('invitation', 'invitation', 'issueRegistrationLink', {
    invitee,
    practiceId: 'BSNR-123456789',
    inviterName: 'Dr. Admin',
  });
  await run('invitation', 'activation code (version 1)', 'issueActivationCode', {
    invitee,
    maxAttempts: 5,
  });
  for (const params of [
    { template: 'invitationReminder', to: invitee, inviterName: 'Dr. Admin', ...link },
    { template: 'invitationReminder', to: invitee, inviterName: null },
    { template: 'activationStatus', to: invitee, ...link },
    { template: 'registrationRequested', to: invitee, ...link },
    { template: 'registrationCompleted', to: invitee },
    { template: 'registrationRejected', to: invitee, reason: 'Keine Mitarbeiterin der Praxis' },
    { template: 'invitationExpired', to: inviter, invitee },
    { template: 'registrationLocked', to: inviter, invitee },
  ]) {
    await run('invitation', params.template, 'sendEmail', params);
  }

  const application = { applicationNumber: 'A-2026-7K3M9QXT', cardType: 'eHBA', applicant };
  for (const params of [
    { template: 'applicationSubmitted' },
    { template: 'documentsReminder', reminder: 1, submittedAt: '2026-02-09T09:30:00.000Z' },
    { template: 'resubmissionRequested', missing: ['Meldebescheinigung'], note: null },
    { template: 'resubmissionReminder', missing: ['Lichtbild'], note: 'Bitte farbig.' },
    { template: 'applicationApproved', cardNumber: 'K-2026-7K3M9QXT-1' },
    {
      template: 'applicationRejected',
      rejection: { by: 'issuer', reason: 'signatureMismatch', note: null },
    },
    { template: 'applicationWithdrawn' },
    { template: 'applicationAbandoned' },
    { template: 'applicationExpired' },
  ]) {
    await run('ehbaApplication', params.template, 'sendApplicationEmail', {
      ...application,
      ...params,
    });
  }

  const card = { cardNumber: 'K-2026-7K3M9QXT-1', cardType: 'eHBA', holder: applicant };
  for (const params of [
    { template: 'cardShipped', trackingId: '00340434161094015902' },
    { template: 'cardActivated', validUntil: '2031-03-02T09:30:00.000Z' },
    { template: 'renewalReminder', validUntil: '2031-03-02T09:30:00.000Z' },
    { template: 'exchangeRequested' },
    { template: 'cardBlocked', reason: 'Verlust gemeldet' },
    { template: 'cardExpired', validUntil: '2031-03-02T09:30:00.000Z' },
  ]) {
    await run('card', params.template, 'sendCardEmail', { ...card, ...params });
  }
  await run('card', 'Transport-PIN letter', 'sendTransportPinLetter', { ...card, letter: 1 });

  for (const to of [
    { channel: 'email', address: 'praxis@berger.example' },
    { channel: 'fax', address: '+4922112345678' },
  ]) {
    await run(
      'contactVerification',
      `confirmation code by ${to.channel}`,
      'issueConfirmationCode',
      {
        practiceName: 'Praxis Dr. Berger',
        to,
        maxAttempts: 5,
      },
    );
  }
  const items = [
    {
      kind: 'booked',
      appointmentId: 'TSS-1',
      at: '2026-03-03T08:30:00+01:00',
      patientInitials: 'E. M.',
      specialty: 'Hals-Nasen-Ohrenheilkunde',
      key: 'TSS-1:booked',
      // Held back four days: the practice had no confirmed channel.
      receivedAt: '2026-02-26T10:00:00.000Z',
    },
  ];
  for (const practiceId of ['BSNR-123456789', 'BSNR-FAX']) {
    await run('nightlyDigest', `digest to ${practiceId}`, 'sendDigest', { practiceId, items });
  }

  const document = {
    documentId: 'D-2026-K7PM3QXA',
    kind: 'abrechnungsnachweis',
    title: 'Abrechnungsnachweis Quartal 4/2025',
  };
  await run('documentDelivery', 'new document', 'announceDocument', {
    ...document,
    physician: {
      name: 'Dr. med. Jonas Berger',
      email: 'j.berger@praxis.example',
      mobile: '+4915112345678',
    },
  });
  await run('documentDelivery', 'mTAN SMS', 'sendDownloadTan', {
    ...document,
    mobile: '+4915112345678',
    sequence: 1,
  });
  await run('mtanRegistration', 'mTAN registration SMS', 'sendMtanRegistrationCode', {
    mobile: '+4915112345678',
    maxAttempts: 5,
  });
  for (const letter of [1, 2]) {
    await run('accountCredentials', `credentials letter ${letter}`, 'sendCredentialsLetter', {
      userName: 'AP-K7PM3QXA',
      practiceId: 'BSNR-123456789',
      holderName: 'Dr. med. Jonas Berger',
      address: {
        name: 'Dr. med. Jonas Berger',
        street: 'Am Markt 1',
        postcode: '50667',
        city: 'Köln',
      },
      letter,
      haevgId: 'H-4711',
      lanr: '123456789',
    });
  }
  return rendered;
}

const rendered = await renderEverything();

const isSms = (mail: MailMessage) => mail.headers['X-Praxisflow-Channel'] === 'sms';

describe('organisation profiles in every message', () => {
  it('map every process type to one of the four organisations', () => {
    for (const type of processTypes()) expect(ORGANISATION_OF_PROCESS).toHaveProperty(type);
  });

  it('render a message of every process type', () => {
    expect(new Set(rendered.map((entry) => entry.processType))).toEqual(new Set(processTypes()));
  });

  it.each(rendered.map((entry) => [entry.processType, entry.what, entry] as const))(
    '%s: %s carries its organisation’s frame',
    (processType, _what, { mail, pdf }) => {
      const own = PROFILES[ORGANISATION_OF_PROCESS[processType]!];
      if (isSms(mail)) {
        expect(mail.text).toContain(own.portal);
        return;
      }
      if (pdf) {
        // Faxes and letters: sender, signature and the legal footer are in the document.
        const flat = pdf.replace(/\s+/g, ' ');
        expect(flat).toContain(own.sender.name);
        expect(flat).toContain(own.signature[0]);
        expect(flat).toContain(own.legal[0]);
        if (mail.to.toString().includes('@post.')) expect(flat).toContain(own.returnAddress);
      }
      if (typeof mail.to === 'object' || !/@(post|fax|sms)\./.test(String(mail.to))) {
        // An email in its own right: from the organisation, in its frame.
        expect(mail.from).toEqual(own.sender);
        for (const line of [...own.signature, ...own.support, ...own.legal]) {
          expect(mail.text).toContain(line);
        }
        expect(mail.html).toContain(own.legal[0]);
        for (const other of ORGANISATION_IDS.filter((id) => PROFILES[id] !== own)) {
          expect(mail.text).not.toContain(PROFILES[other].legal[0]);
        }
      }
    },
  );

  it('write dates as TT.MM.JJJJ and greet people as German letters do', () => {
    for (const { mail, pdf } of rendered) {
      const text = `${mail.subject}\n${mail.text}\n${pdf}`;
      expect(text, mail.subject).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
      expect(text, mail.subject).not.toMatch(/Guten Tag Dr\. med\./);
    }
    const salutations = rendered.map(({ mail }) => mail.text.split('\n')[0]);
    expect(salutations).toContain('Sehr geehrter Herr Weiß-Müller,');
    expect(salutations).toContain('Sehr geehrte Frau Dr. Weiß-Müller,');
  });

  it('write „an Herrn …“ to the inviter', () => {
    const expired = rendered.find((entry) => entry.what === 'invitationExpired')!;
    expect(expired.mail.text).toContain('die Einladung an Herrn Jürgen Weiß-Müller');
  });

  it('never show a practice id in a person’s email', () => {
    for (const { processType, mail } of rendered) {
      if (processType === 'invitation') expect(mail.text).not.toContain('BSNR-');
    }
  });

  it('tell the practice that bookings held back follow after the confirmation', () => {
    const digest = rendered.find((entry) => entry.what === 'digest to BSNR-123456789')!;
    expect(digest.mail.text).toContain('aufbewahrt, bis Ihr Benachrichtigungskanal bestätigt war');
    const code = rendered.find((entry) => entry.what === 'confirmation code by email')!;
    expect(code.mail.text).toContain('Webportal eTerminservice');
    expect(code.mail.text).not.toContain('Praxisportal');
    expect(code.mail.text).toContain('Sie folgen mit der ersten Übersicht nach der Bestätigung.');
  });

  it('name the HÄVG-ID and LANR the credentials were applied for, and „Anmeldedaten vergessen“', () => {
    const [first, second] = rendered
      .filter((entry) => entry.processType === 'accountCredentials')
      .map((entry) => entry.pdf.replace(/\s+/g, ' '));
    expect(first).toContain(
      'unter „Neu im Arztportal“ Ihre Anmeldedaten beantragt (HÄVG-ID H-4711, LANR 123456789)',
    );
    expect(second).toContain('unter „Anmeldedaten vergessen“ neue Anmeldedaten');
  });
});

describe('organisation profiles as configured', () => {
  const valid = JSON.stringify(PROFILES);

  it('take the development profiles when nothing is configured, with placeholders marked', () => {
    const profiles = organisationProfiles({});
    expect(profiles).toBe(DEVELOPMENT_ORGANISATIONS);
    for (const id of ORGANISATION_IDS) {
      expect(profiles[id].support.join('\n')).toContain('[Platzhalter]');
    }
    expect(profiles.aok.portal).toBe('Mein AOK Gesundheitspartnerservice');
    expect(profiles.kv.portal).toBe('Webportal eTerminservice');
  });

  it('read all four from a file or the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'profiles-'));
    const file = join(dir, 'organisations.json');
    await writeFile(file, valid);
    expect(organisationProfiles({ PRAXISFLOW_ORGANISATIONS_FILE: file })).toEqual(PROFILES);
    expect(organisationProfiles({ PRAXISFLOW_ORGANISATIONS: valid })).toEqual(PROFILES);
  });

  it('refuse an incomplete profile with a message naming the field', () => {
    const incomplete = JSON.parse(valid) as Record<string, Record<string, unknown>>;
    delete incomplete.haevg!.support;
    incomplete.kv!.sender = { name: 'KV', address: 'keine-adresse' };
    delete incomplete.medisign;
    const attempt = () =>
      organisationProfiles({ PRAXISFLOW_ORGANISATIONS: JSON.stringify(incomplete) });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PRAXISFLOW_ORGANISATIONS\.haevg\.support/);
    expect(attempt).toThrow(
      /PRAXISFLOW_ORGANISATIONS\.kv\.sender\.address: must be an email address/,
    );
    expect(attempt).toThrow(/PRAXISFLOW_ORGANISATIONS\.medisign/);
  });

  it('refuse a file that cannot be read, and two sources at once', () => {
    expect(() =>
      organisationProfiles({ PRAXISFLOW_ORGANISATIONS_FILE: '/nonexistent/o.json' }),
    ).toThrow(/PRAXISFLOW_ORGANISATIONS_FILE: is no readable JSON file/);
    expect(() =>
      organisationProfiles({
        PRAXISFLOW_ORGANISATIONS_FILE: '/x',
        PRAXISFLOW_ORGANISATIONS: valid,
      }),
    ).toThrow(/not both/);
  });
});
