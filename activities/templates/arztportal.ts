import { DOCUMENT_KINDS, type DocumentKind } from '../../machines/document-delivery.schema.js';
import type { LetterDocument, PostalAddress } from '../documents/types.js';
import { renderEmail, type RenderedEmail } from './layout.js';

/** Who writes to physicians about their portal documents and access. */
const ARZTPORTAL = 'Arztportal des Hausärzteverbands';

/**
 * The announcement of a new document: what it is, never what it says, and no link (a link in
 * an email is what phishing imitates; physicians open the portal themselves).
 */
export function newDocumentEmail(data: {
  readonly physicianName: string;
  readonly kind: DocumentKind;
  readonly title: string;
  readonly documentId: string;
}): RenderedEmail {
  return renderEmail({
    subject: `Neues Dokument im Arztportal: ${DOCUMENT_KINDS[data.kind]}`,
    to: { name: data.physicianName, email: '' },
    sender: ARZTPORTAL,
    blocks: [
      `in Ihrem Arztportal liegt ein neues Dokument für Sie bereit: „${data.title}“ ` +
        `(${DOCUMENT_KINDS[data.kind]}, Dokument-Nr. ${data.documentId}).`,
      'Aus Datenschutzgründen senden wir den Inhalt nicht per E-Mail. Melden Sie sich bitte im ' +
        'Arztportal an und laden Sie das Dokument dort herunter; dafür erhalten Sie eine mTAN ' +
        'per SMS an Ihre hinterlegte Mobilfunknummer.',
      'Das Dokument steht 24 Monate zur Verfügung und wird danach gelöscht.',
    ],
  });
}

/** The SMS with the mTAN: short, the TAN first, the document named so it cannot be reused. */
export function downloadTanSms(data: {
  readonly tan: string;
  readonly documentId: string;
  readonly validMinutes: number;
}): { readonly subject: string; readonly text: string } {
  return {
    subject: `mTAN für Dokument ${data.documentId}`,
    text:
      `${data.tan} ist Ihre mTAN für den Download von Dokument ${data.documentId} im Arztportal. ` +
      `Gültig ${data.validMinutes} Minuten. Geben Sie sie nicht weiter.`,
  };
}

/** The association as a letter's sender (head, footer, return address). */
const ARZTPORTAL_LETTER = {
  returnAddress: 'Hausärzteverband · Arztportal · Postfach 20 02 00 · 50968 Köln',
  sender: {
    name: 'Arztportal',
    organisation: 'Hausärzteverband – Arztportal',
    contact: ['Telefon 0221 2002-0', 'E-Mail arztportal@hausaerzteverband.example'],
  },
} as const satisfies Pick<LetterDocument, 'returnAddress' | 'sender'>;

/**
 * The credentials letter: user name and initial password, each framed to type in. The subject
 * (also the PDF's title) names neither.
 */
export function credentialsLetter(data: {
  readonly holderName: string;
  readonly to: PostalAddress;
  readonly userName: string;
  readonly password: string;
  /** 1: the first letter; more: after „Zugangsdaten vergessen“. */
  readonly letter: number;
  readonly loginUrl: string;
  readonly date: string;
  readonly createdAt: number;
}): LetterDocument {
  const subject =
    data.letter === 1
      ? 'Ihre Zugangsdaten zum Arztportal'
      : 'Ihre neuen Zugangsdaten zum Arztportal';
  return {
    ...ARZTPORTAL_LETTER,
    to: data.to,
    subject,
    fileReference: data.userName,
    date: data.date,
    createdAt: data.createdAt,
    salutation: `Guten Tag ${data.holderName},`,
    blocks: [
      data.letter === 1
        ? 'Ihr Zugang zum Arztportal ist eingerichtet. Mit diesen Zugangsdaten melden Sie sich an:'
        : 'Sie haben neue Zugangsdaten für das Arztportal angefordert. Mit diesen melden Sie sich an:',
      { code: data.userName, label: 'Benutzername' },
      { code: data.password, label: 'Initialpasswort' },
      `Anmeldung: ${data.loginUrl}. Bei der ersten Anmeldung wählen Sie ein eigenes Passwort.`,
      data.letter === 1
        ? 'Bewahren Sie diesen Brief sicher auf und geben Sie die Zugangsdaten nicht weiter.'
        : 'Die Zugangsdaten aus früheren Briefen gelten ab sofort nicht mehr.',
      'Nach fünf falschen Eingaben wird der Zugang gesperrt; neue Zugangsdaten können Sie dann ' +
        'über „Zugangsdaten vergessen“ anfordern.',
    ],
  };
}
