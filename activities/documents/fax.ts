import { drawBlocks } from './blocks.js';
import { createPdf, eachPage, finishPdf, FONT, mm, pageLabel, placeLine } from './document.js';
import type { FaxDocument } from './types.js';
import { toWinAnsiDeep } from './win-ansi.js';

/** Fax machines print at ~200 dpi and cut the edges: 11 pt and more, black, wide margins. */
const SIZE = { title: 24, text: 11, small: 9, code: 24 } as const;
const MARGIN = { top: mm(20), right: mm(20), bottom: mm(30), left: mm(20) };
const LABEL_WIDTH = mm(32);
const MISDIRECTED =
  'Irrtümlich erhalten? Bitte benachrichtigen Sie den Absender und vernichten Sie dieses Fax.';

/**
 * A fax as PDF for the email-to-fax gateway: header block "Telefax" (Empfänger, Faxnummer,
 * Absender, Datum, Seiten, Betreff), the body blocks, and "Seite n von N" on every page.
 */
export async function renderFaxPdf(input: FaxDocument): Promise<Buffer> {
  const fax = toWinAnsiDeep(input);
  const doc = createPdf({
    title: input.subject,
    author: input.sender,
    createdAt: input.createdAt,
    margins: MARGIN,
  });
  const left = MARGIN.left;
  const right = doc.page.width - MARGIN.right;
  const valueWidth = right - left - LABEL_WIDTH;

  doc.font(FONT.bold).fontSize(SIZE.title).text('Telefax', left, MARGIN.top, { lineBreak: false });
  doc.y = MARGIN.top + mm(14);

  /** One header line; answers where its value starts. */
  const field = (label: string, value: string, font: string = FONT.regular) => {
    const at = { x: left + LABEL_WIDTH, y: doc.y };
    doc.font(FONT.bold).fontSize(SIZE.text);
    placeLine(doc, `${label}:`, { x: left, y: at.y });
    doc.font(font).text(value, at.x, at.y, { width: valueWidth });
    doc.y += mm(1.5);
    return at;
  };
  field('Empfänger', fax.to.name);
  field('Faxnummer', fax.to.number);
  field('Absender', fax.sender);
  field('Datum', fax.date);
  // The page count is known once the body is laid out; it is filled in below.
  const pagesAt = field('Seiten', ' ');
  field('Betreff', fax.subject, FONT.bold);

  doc.y += mm(2);
  doc.lineWidth(1.5).moveTo(left, doc.y).lineTo(right, doc.y).stroke();
  doc.y += mm(6);
  drawBlocks(doc, fax.blocks, { fontSize: SIZE.text, codeSize: SIZE.code, gap: SIZE.text * 0.8 });

  eachPage(doc, (page, pages) => {
    const bottom = doc.page.height;
    doc.font(FONT.regular);
    if (page === 1) {
      doc.fontSize(SIZE.text);
      placeLine(doc, String(pages), pagesAt);
    } else {
      doc.fontSize(SIZE.small);
      placeLine(doc, `Telefax an ${fax.to.name}, ${fax.date}`, { x: left, y: mm(12) });
    }
    doc.fontSize(SIZE.small);
    placeLine(doc, MISDIRECTED, { x: doc.page.width / 2, y: bottom - mm(22), align: 'center' });
    doc.fontSize(SIZE.text);
    placeLine(doc, pageLabel(page, pages), {
      x: doc.page.width / 2,
      y: bottom - mm(16),
      align: 'center',
    });
  });
  return finishPdf(doc);
}
