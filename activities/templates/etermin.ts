import type { DigestItem } from '../../machines/nightly-digest.schema.js';
import type { DocumentBlock } from '../documents/pdf.js';
import { escapeHtml, type RenderedEmail } from './layout.js';

/** The header every message of the appointment service carries. */
export const ETERMIN_HEADER = 'eTerminservice der Kassenärztlichen Vereinigungen';

const FOOTER =
  'Diese Nachricht wurde automatisch erstellt. Bitte antworten Sie nicht darauf. Den ' +
  'Benachrichtigungskanal ändern Sie im Praxisportal.';

const germanDateTime = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  weekday: 'short',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const germanDate = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** `Mi., 25.11.2026, 09:30 Uhr`, German time. */
const appointmentTime = (iso: string): string => `${germanDateTime.format(Date.parse(iso))} Uhr`;

/** `25.11.2026`, German date. */
export const germanDay = (epochMs: number): string => germanDate.format(epochMs);

const KIND = { booked: 'Buchung', cancelled: 'Absage' } as const;

const DIGEST_HEAD = ['Termin', 'Art', 'Patient', 'Fachrichtung', 'Vermittlungscode'];

/** One row per booking or cancellation, in the order given (sorted by the machine). */
const digestRows = (items: readonly DigestItem[]): string[][] =>
  items.map((item) => [
    appointmentTime(item.at),
    KIND[item.kind],
    item.patientInitials ?? '–',
    item.specialty ?? '–',
    item.urgencyCode ?? '–',
  ]);

const summary = (items: readonly DigestItem[]): string => {
  const booked = items.filter((item) => item.kind === 'booked').length;
  const cancelled = items.length - booked;
  return `${booked} ${booked === 1 ? 'Buchung' : 'Buchungen'}, ${cancelled} ${cancelled === 1 ? 'Absage' : 'Absagen'}`;
};

export interface DigestMessage {
  readonly practiceName: string;
  readonly items: readonly DigestItem[];
  /** The night the overview is for (epoch ms of sending). */
  readonly sentAt: number;
}

export const digestSubject = (data: DigestMessage): string =>
  `eTerminservice: Terminübersicht vom ${germanDay(data.sentAt)} (${summary(data.items)})`;

const intro = (data: DigestMessage): string =>
  `Guten Tag, für ${data.practiceName} wurden seit der letzten Übersicht über den ` +
  `eTerminservice folgende Termine gebucht oder abgesagt (${summary(data.items)}):`;

/** The nightly overview as email: HTML with a table, and the same as plain text. */
export function digestEmail(data: DigestMessage): RenderedEmail {
  const rows = digestRows(data.items);
  const widths = DIGEST_HEAD.map((head, column) =>
    Math.max(head.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const text = [
    ETERMIN_HEADER,
    '',
    intro(data),
    '',
    line(DIGEST_HEAD),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    `-- \n${FOOTER}`,
  ].join('\n');
  const cell = (tag: 'th' | 'td', value: string) =>
    `<${tag} style="text-align:left;padding:4px 10px;border-bottom:1px solid #dddddd">${escapeHtml(value)}</${tag}>`;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="de"><head><meta charset="utf-8"><title>${escapeHtml(digestSubject(data))}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">',
    `<h1 style="font-size:18px;color:#004b87">${escapeHtml(ETERMIN_HEADER)}</h1>`,
    `<p>${escapeHtml(intro(data))}</p>`,
    '<table style="border-collapse:collapse">',
    `<thead><tr>${DIGEST_HEAD.map((head) => cell('th', head)).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((row) => `<tr>${row.map((value) => cell('td', value)).join('')}</tr>`),
    '</tbody></table>',
    `<p style="font-size:12px;color:#777777">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: digestSubject(data), text, html };
}

/** The body of the overview as fax: the same table, its head repeated on every page. */
export const digestFaxBlocks = (data: DigestMessage): DocumentBlock[] => [
  intro(data),
  { table: { head: DIGEST_HEAD, rows: digestRows(data.items) } },
  FOOTER,
];

export interface ConfirmationMessage {
  readonly practiceName: string;
  /** `K7PM 3QXA`. */
  readonly code: string;
  readonly validUntil: string;
  readonly maxAttempts: number;
}

export const CONFIRMATION_SUBJECT = 'eTerminservice: Bestätigung Ihres Benachrichtigungskanals';

const confirmationLines = (data: ConfirmationMessage) => ({
  before:
    `Guten Tag, für ${data.practiceName} soll die nächtliche Terminübersicht des ` +
    'eTerminservice künftig an diese Adresse gehen. Bitte geben Sie zur Bestätigung diesen ' +
    'Code im Praxisportal ein:',
  after:
    `Der Code gilt bis ${data.validUntil}; nach ${data.maxAttempts} falschen Eingaben wird er ` +
    'gesperrt. Falls Sie das nicht veranlasst haben, ignorieren Sie diese Nachricht: ohne ' +
    'Bestätigung geht keine Übersicht an diese Adresse.',
});

export function confirmationEmail(data: ConfirmationMessage): RenderedEmail {
  const { before, after } = confirmationLines(data);
  const text = [
    ETERMIN_HEADER,
    '',
    before,
    '',
    `    ${data.code}`,
    '',
    after,
    '',
    `-- \n${FOOTER}`,
  ].join('\n');
  const html = [
    '<!DOCTYPE html>',
    `<html lang="de"><head><meta charset="utf-8"><title>${escapeHtml(CONFIRMATION_SUBJECT)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">',
    `<h1 style="font-size:18px;color:#004b87">${escapeHtml(ETERMIN_HEADER)}</h1>`,
    `<p>${escapeHtml(before)}</p>`,
    `<p style="font-size:24px;font-family:monospace;letter-spacing:2px"><strong>${escapeHtml(data.code)}</strong></p>`,
    `<p>${escapeHtml(after)}</p>`,
    `<p style="font-size:12px;color:#777777">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: CONFIRMATION_SUBJECT, text, html };
}

export const confirmationFaxBlocks = (data: ConfirmationMessage): DocumentBlock[] => {
  const { before, after } = confirmationLines(data);
  return [before, { code: data.code, label: 'Bestätigungscode' }, after];
};
