import type { DigestItem } from '../../machines/nightly-digest.schema.js';
import type { DocumentBlock } from '../documents/pdf.js';
import { escapeHtml, type RenderedEmail } from './layout.js';
import { salutationLine } from './salutation.js';

/** The header every message of the appointment service carries (seed 001: „Überschrieben …“). */
const ETERMIN_HEADER = 'eTerminservice der Kassenärztlichen Vereinigungen';

/** The practice is written to as an organisation. */
const SALUTATION = salutationLine(null);

const channelHint = (portal: string): string =>
  `Den Benachrichtigungskanal ändern Sie im ${portal} unter Profil › Praxisanschrift und ` +
  'Kontaktdaten › Kontaktinformationen.';

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
  /** The KV profile's portal: „Webportal eTerminservice“. */
  readonly portal: string;
  readonly practiceName: string;
  readonly items: readonly DigestItem[];
  /** The night the overview is for (epoch ms of sending). */
  readonly sentAt: number;
}

export const digestSubject = (data: DigestMessage): string =>
  `eTerminservice: Terminübersicht vom ${germanDay(data.sentAt)} (${summary(data.items)})`;

/** A report older than a day was held back while the practice had no confirmed channel. */
const HELD_FOR = 24 * 3_600_000;

const introLines = (data: DigestMessage): string[] => [
  SALUTATION,
  `für ${data.practiceName} wurden seit der letzten Übersicht über den eTerminservice ` +
    `folgende Termine gebucht oder abgesagt (${summary(data.items)}):`,
];

/** Said when the overview carries reports from before the channel was confirmed. */
const heldNote = (data: DigestMessage): string[] =>
  data.items.some((item) => data.sentAt - Date.parse(item.receivedAt) > HELD_FOR)
    ? [
        'Diese Übersicht enthält auch frühere Buchungen und Absagen: Sie wurden aufbewahrt, ' +
          'bis Ihr Benachrichtigungskanal bestätigt war, und folgen nun mit dieser Übersicht.',
      ]
    : [];

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
    introLines(data).join('\n\n'),
    '',
    ...heldNote(data).flatMap((note) => [note, '']),
    line(DIGEST_HEAD),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    channelHint(data.portal),
  ].join('\n');
  const cell = (tag: 'th' | 'td', value: string) =>
    `<${tag} style="text-align:left;padding:4px 10px;border-bottom:1px solid #dddddd">${escapeHtml(value)}</${tag}>`;
  const html = [
    `<h1 style="font-size:18px;color:#004b87">${escapeHtml(ETERMIN_HEADER)}</h1>`,
    ...introLines(data).map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...heldNote(data).map((note) => `<p>${escapeHtml(note)}</p>`),
    '<table style="border-collapse:collapse">',
    `<thead><tr>${DIGEST_HEAD.map((head) => cell('th', head)).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((row) => `<tr>${row.map((value) => cell('td', value)).join('')}</tr>`),
    '</tbody></table>',
    `<p>${escapeHtml(channelHint(data.portal))}</p>`,
  ].join('\n');
  return { subject: digestSubject(data), text, html };
}

/** The body of the overview as fax: the same table, its head repeated on every page. */
export const digestFaxBlocks = (data: DigestMessage): DocumentBlock[] => [
  ...introLines(data),
  ...heldNote(data),
  { table: { head: DIGEST_HEAD, rows: digestRows(data.items) } },
  channelHint(data.portal),
];

export interface ConfirmationMessage {
  /** The KV profile's portal: „Webportal eTerminservice“. */
  readonly portal: string;
  readonly practiceName: string;
  /** `K7PM 3QXA`. */
  readonly code: string;
  readonly validUntil: string;
  readonly maxAttempts: number;
  readonly channel: 'email' | 'fax';
}

export const CONFIRMATION_SUBJECT = 'eTerminservice: Bestätigung Ihres Benachrichtigungskanals';

const confirmationLines = (data: ConfirmationMessage) => ({
  before: [
    SALUTATION,
    `für ${data.practiceName} wurde im ${data.portal} ` +
      (data.channel === 'email' ? 'diese E-Mail-Adresse' : 'diese Faxnummer') +
      ' als Benachrichtigungskanal ausgewählt. Über ihn erhalten Sie einmal pro Nacht die ' +
      'Buchungen und Absagen der Terminservicestelle. Bitte geben Sie zur Bestätigung diesen ' +
      `Bestätigungscode im ${data.portal} ein:`,
  ],
  after: [
    `Der Code gilt bis ${data.validUntil}; nach ${data.maxAttempts} falschen Eingaben wird er ` +
      'gesperrt. Buchungen und Absagen, die bis zur Bestätigung eingehen, bewahren wir auf: ' +
      'Sie folgen mit der ersten Übersicht nach der Bestätigung.',
    'Falls Sie das nicht veranlasst haben, ignorieren Sie diese Nachricht: Ohne Bestätigung ' +
      'geht keine Übersicht an diese Adresse.',
  ],
});

export function confirmationEmail(data: ConfirmationMessage): RenderedEmail {
  const { before, after } = confirmationLines(data);
  const text = [ETERMIN_HEADER, ...before, `    ${data.code}`, ...after].join('\n\n');
  const html = [
    `<h1 style="font-size:18px;color:#004b87">${escapeHtml(ETERMIN_HEADER)}</h1>`,
    ...before.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p style="font-size:24px;font-family:monospace;letter-spacing:2px"><strong>${escapeHtml(data.code)}</strong></p>`,
    ...after.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
  ].join('\n');
  return { subject: CONFIRMATION_SUBJECT, text, html };
}

export const confirmationFaxBlocks = (data: ConfirmationMessage): DocumentBlock[] => {
  const { before, after } = confirmationLines(data);
  return [...before, { code: data.code, label: 'Bestätigungscode' }, ...after];
};
