import type { OrganisationProfile } from '../../config/organisations.js';

/**
 * One email, written once as blocks and rendered twice: plain text and HTML. Every value is
 * HTML-escaped here, so templates interpolate freely. A template writes the body (salutation
 * and content); `frameEmail` adds what the sending organisation's profile says: closing and
 * signature, support contact, legal footer.
 */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

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

const AUTOMATIC = 'Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.';

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

/** The body of an email: the salutation line (see `salutationLine`), then the blocks. */
export function renderEmail(email: {
  readonly subject: string;
  readonly salutation: string;
  readonly blocks: readonly Block[];
}): RenderedEmail {
  return {
    subject: email.subject,
    text: [email.salutation, ...email.blocks.map(blockText)].join('\n\n'),
    html: [`<p>${escapeHtml(email.salutation)}</p>`, ...email.blocks.map(blockHtml)].join('\n'),
  };
}

/** The body in the organisation's frame: closing, signature, support block, legal footer. */
export function frameEmail(body: RenderedEmail, profile: OrganisationProfile): RenderedEmail {
  const closing = ['Mit freundlichen Grüßen', ...profile.signature];
  const footer = [profile.support.join('\n'), profile.legal.join('\n'), AUTOMATIC];
  const text = [body.text, closing.join('\n'), `-- \n${footer.join('\n\n')}`].join('\n\n');
  const html = [
    '<!DOCTYPE html>',
    `<html lang="de"><head><meta charset="utf-8"><title>${escapeHtml(body.subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">',
    body.html,
    `<p>${closing.map(escapeHtml).join('<br>')}</p>`,
    '<hr style="border:0;border-top:1px solid #dddddd">',
    ...footer.map((part) => `<p style="font-size:12px;color:#777777">${lines(part)}</p>`),
    '</body></html>',
  ].join('\n');
  return { subject: body.subject, text, html };
}

/**
 * The organisation as a letter's or fax's sender: letterhead, information block (its contact
 * lines, without the introducing sentence), signature, legal footer, return address.
 */
export function letterhead(profile: OrganisationProfile) {
  return {
    returnAddress: profile.returnAddress,
    sender: {
      name: profile.sender.name,
      organisation: profile.legal.join(' · '),
      contact: profile.support.filter((line) => !line.trimEnd().endsWith(':')),
      signature: profile.signature,
    },
  } as const;
}

/** The end of a fax: closing, signature, support contact and legal footer of the organisation. */
export function faxClosing(profile: OrganisationProfile): string[] {
  return [
    ['Mit freundlichen Grüßen', ...profile.signature].join('\n'),
    profile.support.join('\n'),
    profile.legal.join('\n'),
  ];
}
