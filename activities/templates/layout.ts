import type { Invitee, Inviter } from '../../machines/invitation.schema.js';

/**
 * One email, written once as blocks and rendered twice: plain text and HTML. Every value is
 * HTML-escaped here, so templates interpolate freely.
 */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export const SERVICE_NAME = 'Gesundheitspartnerservice';

export type Block =
  | string
  | { readonly link: string; readonly label: string }
  | { readonly code: string }
  | { readonly quote: string };

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

/** „Sehr geehrte Frau Müller,“ / „Sehr geehrter Herr Weber,“ / „Guten Tag Alex Kim,“. */
export function greeting(to: Invitee | Inviter): string {
  if (!('lastName' in to)) return to.name ? `Guten Tag ${to.name},` : 'Guten Tag,';
  if (to.salutation === 'Frau') return `Sehr geehrte Frau ${to.lastName},`;
  if (to.salutation === 'Herr') return `Sehr geehrter Herr ${to.lastName},`;
  return `Guten Tag ${to.firstName} ${to.lastName},`;
}

/** „Frau Anna Müller“, „Herr Jan Weber“, „Alex Kim“. */
export function personName(invitee: Invitee): string {
  const name = `${invitee.firstName} ${invitee.lastName}`;
  return invitee.salutation === 'Frau' || invitee.salutation === 'Herr'
    ? `${invitee.salutation} ${name}`
    : name;
}

const berlinTime = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** `23.12.2026, 11:00 Uhr`, German time whatever the server's zone. */
export function formatBerlinTime(epochMs: number): string {
  return `${berlinTime.format(epochMs)} Uhr`;
}

const CLOSING = ['Mit freundlichen Grüßen', `Ihr ${SERVICE_NAME}`];
const FOOTER = 'Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.';

function blockText(block: Block): string {
  if (typeof block === 'string') return block;
  if ('link' in block) return `${block.label}:\n${block.link}`;
  if ('code' in block) return `    ${block.code}`;
  return block.quote
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

const lines = (value: string) => escapeHtml(value).replace(/\n/g, '<br>');

function blockHtml(block: Block): string {
  if (typeof block === 'string') return `<p>${lines(block)}</p>`;
  if ('link' in block) {
    const href = escapeHtml(block.link);
    return (
      `<p><a href="${href}" style="display:inline-block;padding:10px 18px;background:#004b87;` +
      `color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(block.label)}</a></p>` +
      `<p style="font-size:13px;color:#555555">Falls die Schaltfläche nicht funktioniert, ` +
      `kopieren Sie diesen Link in Ihren Browser:<br>${href}</p>`
    );
  }
  if ('code' in block) {
    return `<p style="font-size:24px;font-family:monospace;letter-spacing:2px"><strong>${escapeHtml(block.code)}</strong></p>`;
  }
  return `<blockquote style="margin:0 0 1em 0;padding-left:12px;border-left:3px solid #cccccc">${lines(block.quote)}</blockquote>`;
}

export function renderEmail(email: {
  readonly subject: string;
  readonly to: Invitee | Inviter;
  readonly blocks: readonly Block[];
  /** Who signs: default the Gesundheitspartnerservice. */
  readonly sender?: string;
}): RenderedEmail {
  const salutation = greeting(email.to);
  const closing = email.sender ? ['Mit freundlichen Grüßen', `Ihr ${email.sender}`] : CLOSING;
  const text = [
    salutation,
    ...email.blocks.map(blockText),
    closing.join('\n'),
    `-- \n${FOOTER}`,
  ].join('\n\n');
  const html = [
    '<!DOCTYPE html>',
    `<html lang="de"><head><meta charset="utf-8"><title>${escapeHtml(email.subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">',
    `<p>${escapeHtml(salutation)}</p>`,
    ...email.blocks.map(blockHtml),
    `<p>${closing.map(escapeHtml).join('<br>')}</p>`,
    `<p style="font-size:12px;color:#777777">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: email.subject, text, html };
}
