import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './env.js';

/**
 * The four organisations whose portals praxisflow's processes belong to. Each writes to people
 * in its own name: sender, portal, signature, support contact, legal footer. A deployment
 * configures all four (`PRAXISFLOW_ORGANISATIONS_FILE` or `PRAXISFLOW_ORGANISATIONS`, JSON);
 * without either, the development profiles below apply, whose contact data are placeholders.
 */
export const ORGANISATION_IDS = ['aok', 'kv', 'haevg', 'medisign'] as const;
export type OrganisationId = (typeof ORGANISATION_IDS)[number];

const line = z.string().trim().min(1, 'must not be empty').max(200);
const lines = (max: number) => z.array(line).min(1, 'needs at least one line').max(max);

const profileSchema = z.strictObject({
  /** The organisation itself: „AOK – Die Gesundheitskasse“. */
  organisation: line,
  /** The portal people know: „Mein AOK Gesundheitspartnerservice“. */
  portal: line,
  /** `From` of its emails. */
  sender: z.strictObject({
    name: line,
    address: z.email({ error: 'must be an email address' }),
  }),
  /** Lines below „Mit freundlichen Grüßen“ (emails and letters). */
  signature: lines(3),
  /** Where people get help: printed below each email and in a letter's information block. */
  support: lines(6),
  /** Legal footer (Impressum): name, address, register, supervision. */
  legal: lines(4),
  /** Rücksendeangabe of its letters, one line: „HÄVG AG · Postfach 10 01 00 · 50441 Köln“. */
  returnAddress: line,
});

export type OrganisationProfile = z.output<typeof profileSchema>;
export type OrganisationProfiles = Readonly<Record<OrganisationId, OrganisationProfile>>;

const profilesSchema = z.strictObject({
  aok: profileSchema,
  kv: profileSchema,
  haevg: profileSchema,
  medisign: profileSchema,
});

const PLACEHOLDER = '[Platzhalter]';

/**
 * Development profiles: the organisations as the source texts name them; every contact datum
 * is a marked placeholder on an `.example` domain, so no message of a test system reaches or
 * names a real hotline.
 */
export const DEVELOPMENT_ORGANISATIONS: OrganisationProfiles = {
  aok: {
    organisation: 'AOK – Die Gesundheitskasse',
    portal: 'Mein AOK Gesundheitspartnerservice',
    sender: { name: 'Mein AOK Gesundheitspartnerservice', address: 'no-reply@aok.example' },
    signature: ['Ihr Team von „Mein AOK Gesundheitspartnerservice“'],
    support: [
      'Bei technischen Problemen wenden Sie sich bitte an unseren technischen Support:',
      `E-Mail: support@aok.example ${PLACEHOLDER}`,
      `Hotline: 0800 0000000 ${PLACEHOLDER}`,
    ],
    legal: [`AOK – Die Gesundheitskasse · Anschrift, Vorstand und Aufsicht ${PLACEHOLDER}`],
    returnAddress: `AOK – Die Gesundheitskasse · Postfach 00 00 00 · 00000 Musterstadt ${PLACEHOLDER}`,
  },
  kv: {
    organisation: 'Kassenärztliche Vereinigungen',
    portal: 'Webportal eTerminservice',
    sender: {
      name: 'eTerminservice der Kassenärztlichen Vereinigungen',
      address: 'no-reply@etermin.example',
    },
    signature: ['Ihr eTerminservice der Kassenärztlichen Vereinigungen'],
    support: [
      `eTerminservice (Kontakt für Ärzte): 0000 0000-000 ${PLACEHOLDER}`,
      `eTerminservice (Kontakt für Psychotherapeuten): 0000 0000-001 ${PLACEHOLDER}`,
    ],
    legal: [`Kassenärztliche Vereinigung · Anschrift, Vorstand und Aufsicht ${PLACEHOLDER}`],
    returnAddress: `Kassenärztliche Vereinigung · Postfach 00 00 00 · 00000 Musterstadt ${PLACEHOLDER}`,
  },
  haevg: {
    organisation: 'HÄVG Hausärztliche Vertragsgemeinschaft AG',
    portal: 'Arztportal',
    sender: { name: 'Arztportal der HÄVG', address: 'no-reply@arztportal.example' },
    signature: ['Ihr Kundenservice der HÄVG Rechenzentrum GmbH'],
    support: [
      'Kundenservice der HÄVG Rechenzentrum GmbH (bitte mit Ihrer HÄVG-ID und LANR):',
      `Telefon: 00000 / 00 00 0000 ${PLACEHOLDER}`,
      `E-Mail: arztportal@haevg.example ${PLACEHOLDER}`,
    ],
    legal: [
      `HÄVG Hausärztliche Vertragsgemeinschaft AG · Anschrift, Vorstand, Registergericht ${PLACEHOLDER}`,
    ],
    returnAddress: `HÄVG AG · Postfach 00 00 00 · 00000 Musterstadt ${PLACEHOLDER}`,
  },
  medisign: {
    organisation: 'medisign GmbH',
    portal: 'medisign Kundenportal',
    sender: { name: 'medisign Kundencenter', address: 'no-reply@medisign.example' },
    signature: ['Ihr medisign Kundencenter'],
    support: [
      'medisign Kundencenter:',
      `Telefon: 0000 000000-0 ${PLACEHOLDER}`,
      `E-Mail: service@medisign.example ${PLACEHOLDER}`,
    ],
    legal: [`medisign GmbH · Anschrift, Geschäftsführung, Registergericht ${PLACEHOLDER}`],
    returnAddress: `medisign GmbH · Postfach 00 00 00 · 00000 Musterstadt ${PLACEHOLDER}`,
  },
};

/**
 * The organisation profiles of this deployment: from the JSON file `PRAXISFLOW_ORGANISATIONS_FILE`
 * or the JSON in `PRAXISFLOW_ORGANISATIONS` (all four profiles, every field); neither set:
 * the development profiles. Anything incomplete or unreadable is a ConfigError naming the field,
 * and the start refuses.
 */
export function organisationProfiles(env: NodeJS.ProcessEnv = process.env): OrganisationProfiles {
  const file = env.PRAXISFLOW_ORGANISATIONS_FILE?.trim();
  const inline = env.PRAXISFLOW_ORGANISATIONS?.trim();
  if (file && inline) {
    throw new ConfigError([
      {
        path: ['PRAXISFLOW_ORGANISATIONS'],
        message: 'set either PRAXISFLOW_ORGANISATIONS_FILE or PRAXISFLOW_ORGANISATIONS, not both',
      },
    ]);
  }
  if (!file && !inline) return DEVELOPMENT_ORGANISATIONS;
  const variable = file ? 'PRAXISFLOW_ORGANISATIONS_FILE' : 'PRAXISFLOW_ORGANISATIONS';
  let raw: unknown;
  try {
    raw = JSON.parse(file ? readFileSync(file, 'utf8') : (inline ?? ''));
  } catch (error) {
    throw new ConfigError([
      {
        path: [variable],
        message: `is no readable JSON file of the four organisation profiles (${error instanceof Error ? error.message : String(error)})`,
      },
    ]);
  }
  const result = profilesSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        path: [variable, ...issue.path],
        message: issue.message,
      })),
    );
  }
  return result.data;
}
