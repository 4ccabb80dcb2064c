import { DOCUMENT_KINDS, type DocumentKind } from '../../machines/document-delivery.schema.js';
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
