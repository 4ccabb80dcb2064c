import { DOCUMENT_KINDS, type DocumentKind } from '../../machines/document-delivery.schema.js';
import type { OrganisationProfile } from '../../config/organisations.js';
import type { LetterDocument, PostalAddress } from '../documents/types.js';
import { letterhead, renderEmail, type RenderedEmail } from './layout.js';
import { salutationLine } from './salutation.js';

/**
 * The announcement of a new document: what it is, never what it says, and no link (a link in
 * an email is what phishing imitates; physicians open the portal themselves).
 */
export function newDocumentEmail(data: {
  readonly physicianName: string;
  readonly kind: DocumentKind;
  readonly title: string;
  readonly documentId: string;
  /** „Arztportal“: the organisation profile's portal. */
  readonly portal: string;
}): RenderedEmail {
  return renderEmail({
    subject: `Neues Dokument im ${data.portal}: ${DOCUMENT_KINDS[data.kind]}`,
    salutation: salutationLine({ name: data.physicianName }),
    blocks: [
      `im ${data.portal} liegt ein neues Dokument für Sie bereit: „${data.title}“ ` +
        `(${DOCUMENT_KINDS[data.kind]}, Dokument-Nr. ${data.documentId}).`,
      'Aus Datenschutzgründen senden wir den Inhalt nicht per E-Mail. Melden Sie sich bitte im ' +
        `${data.portal} an und laden Sie das Dokument dort herunter; dafür erhalten Sie eine ` +
        'mTAN per SMS an die Mobilfunknummer, die Sie für das mTAN-Verfahren angegeben haben.',
      `Alle Dokumente werden 24 Monate im ${data.portal} vorgehalten und danach gelöscht.`,
    ],
  });
}

/** The SMS with the mTAN: short, the TAN first, the document named so it cannot be reused. */
export function downloadTanSms(data: {
  readonly tan: string;
  readonly documentId: string;
  readonly validMinutes: number;
  readonly portal: string;
}): { readonly subject: string; readonly text: string } {
  return {
    subject: `mTAN für Dokument ${data.documentId}`,
    text:
      `${data.tan} ist Ihre mTAN für den Download von Dokument ${data.documentId} im ` +
      `${data.portal}. Gültig ${data.validMinutes} Minuten. Geben Sie sie nicht weiter.`,
  };
}

/**
 * The SMS of the Registrierung zum mTAN-Verfahren: the code first, what it confirms, how long
 * it holds. It names no document: nothing is downloaded with it.
 */
export function mtanRegistrationSms(data: {
  readonly code: string;
  readonly validMinutes: number;
  readonly portal: string;
}): { readonly subject: string; readonly text: string } {
  return {
    subject: 'Bestätigungscode für das mTAN-Verfahren',
    text:
      `${data.code} ist Ihr Bestätigungscode für die Registrierung zum mTAN-Verfahren im ` +
      `${data.portal}. Gültig ${data.validMinutes} Minuten. Geben Sie ihn nicht weiter.`,
  };
}

/**
 * The credentials letter: user name and initial password, each framed to type in. The first
 * follows an application under „Neu im Arztportal“ (with HÄVG-ID and LANR), later ones
 * „Anmeldedaten vergessen“. The subject (also the PDF's title) names neither credential.
 */
export function credentialsLetter(data: {
  readonly holderName: string;
  readonly to: PostalAddress;
  readonly userName: string;
  readonly password: string;
  /** 1: the first letter; more: after „Anmeldedaten vergessen“. */
  readonly letter: number;
  /** As given in the application, when it was. */
  readonly haevgId?: string | undefined;
  readonly lanr?: string | undefined;
  readonly loginUrl: string;
  readonly date: string;
  readonly createdAt: number;
  readonly profile: OrganisationProfile;
}): LetterDocument {
  const portal = data.profile.portal;
  const subject =
    data.letter === 1
      ? `Ihre Anmeldedaten für das ${portal}`
      : `Ihre neuen Anmeldedaten für das ${portal}`;
  const applied = [
    data.haevgId ? `HÄVG-ID ${data.haevgId}` : null,
    data.lanr ? `LANR ${data.lanr}` : null,
  ].filter((part): part is string => part !== null);
  return {
    ...letterhead(data.profile),
    to: data.to,
    subject,
    fileReference: data.userName,
    date: data.date,
    createdAt: data.createdAt,
    salutation: salutationLine({ name: data.holderName }),
    blocks: [
      data.letter === 1
        ? `Sie haben unter „Neu im ${portal}“ Ihre Anmeldedaten beantragt` +
          `${applied.length > 0 ? ` (${applied.join(', ')})` : ''}. Mit diesen Anmeldedaten ` +
          'melden Sie sich an:'
        : `Sie haben unter „Anmeldedaten vergessen“ neue Anmeldedaten für das ${portal} ` +
          'beantragt. Mit diesen melden Sie sich an:',
      { code: data.userName, label: 'Benutzername' },
      { code: data.password, label: 'Initialpasswort' },
      `Anmeldung: ${data.loginUrl}. Bei der ersten Anmeldung wählen Sie ein eigenes Passwort ` +
        'und registrieren sich zum mTAN-Verfahren für den Online-Abruf Ihrer Dokumente.',
      data.letter === 1
        ? 'Bewahren Sie diesen Brief sicher auf und geben Sie die Anmeldedaten nicht weiter.'
        : 'Die Anmeldedaten aus früheren Briefen gelten ab sofort nicht mehr.',
      'Nach fünf falschen Eingaben wird der Zugang gesperrt; neue Anmeldedaten beantragen Sie ' +
        `dann unter „Anmeldedaten vergessen“ im Login-Bereich.`,
    ],
  };
}
