import { drawBlocks } from './blocks.js';
import {
  createPdf,
  eachPage,
  finishPdf,
  FONT,
  mm,
  pageLabel,
  placeLine,
  type Pdf,
} from './document.js';
import type { LetterDocument, PostalAddress } from './types.js';
import { toWinAnsiDeep } from './win-ansi.js';

/** DIN 5008 form B, in millimetres from the top left corner of the sheet. */
const DIN_5008_B = {
  marginLeft: 25,
  marginRight: 20,
  /** Anschriftfeld: 85 × 45 mm; its first 17.7 mm hold the Rücksendeangabe. */
  addressField: { x: 20, y: 45, width: 85, height: 45, returnZone: 17.7 },
  /** Informationsblock: Zeichen, contact, Datum. */
  infoBlock: { x: 125, y: 50 },
  subjectY: 103.46,
  foldMarks: [105, 210],
  holeMark: 148.5,
} as const;

const SIZE = { text: 11, address: 10, info: 9, returnLine: 7, small: 8, code: 16 } as const;
const ADDRESS_LINE_PITCH = mm(4.23);
const MACHINE_MADE = 'Dieses Schreiben wurde maschinell erstellt und ist ohne Unterschrift gültig.';

const regionNames = new Intl.DisplayNames('de-DE', { type: 'region' });

/**
 * The country line: none for Germany (a letter posted here), otherwise the German name in
 * capitals, whether given as ISO code (`AT`) or name (`Österreich`).
 */
function countryLine(country: string | undefined): string | undefined {
  if (!country) return undefined;
  const name = /^[A-Za-z]{2}$/.test(country)
    ? (regionNames.of(country.toUpperCase()) ?? country)
    : country;
  return name === 'Deutschland' ? undefined : name.toLocaleUpperCase('de-DE');
}

/** The window's lines, name first, at most 6 (DIN 5008 Anschriftzone); each on one line. */
function addressLines(to: PostalAddress): string[] {
  const lines = [
    to.name,
    to.addition,
    to.street,
    `${to.postcode} ${to.city}`,
    countryLine(to.country),
  ];
  return lines
    .map((line) => line?.replace(/\s+/g, ' ').trim() ?? '')
    .filter((line) => line !== '')
    .slice(0, 6);
}

/** Sets the largest size from `max` down to `min` at which every line fits `width`. */
function fittingSize(
  doc: Pdf,
  lines: readonly string[],
  width: number,
  max: number,
  min: number,
): void {
  let size = max;
  while (size > min && lines.some((line) => doc.fontSize(size).widthOfString(line) > width)) {
    size -= 0.5;
  }
  doc.fontSize(size);
}

/** The line as is if it fits `width` at the current size, else cut with "…": never wrapped. */
function cutToWidth(doc: Pdf, line: string, width: number): string {
  if (doc.widthOfString(line) <= width) return line;
  let cut = line;
  while (cut.length > 0 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

function drawAddressField(doc: Pdf, letter: LetterDocument): void {
  const field = DIN_5008_B.addressField;
  const x = mm(DIN_5008_B.marginLeft);
  const width = mm(field.x + field.width - DIN_5008_B.marginLeft) - mm(5);
  doc.font(FONT.regular);
  fittingSize(doc, [letter.returnAddress], width, SIZE.returnLine, 5.5);
  const returnLine = cutToWidth(doc, letter.returnAddress, width);
  placeLine(
    doc,
    returnLine,
    { x, y: mm(field.y + field.returnZone) - doc.currentLineHeight() - mm(1) },
    { underline: true },
  );

  const lines = addressLines(letter.to);
  fittingSize(doc, lines, width, SIZE.address, 8);
  lines.forEach((line, index) => {
    const y = mm(field.y + field.returnZone) + index * ADDRESS_LINE_PITCH;
    placeLine(doc, cutToWidth(doc, line, width), { x, y });
  });
}

function drawHeadAndInfoBlock(doc: Pdf, letter: LetterDocument): void {
  const x = mm(DIN_5008_B.infoBlock.x);
  const width = doc.page.width - mm(DIN_5008_B.marginRight) - x;
  doc.font(FONT.bold);
  fittingSize(doc, [letter.sender.name], width, 14, 9);
  placeLine(doc, cutToWidth(doc, letter.sender.name, width), { x, y: mm(20) });

  const lines = [
    letter.yourReference ? `Ihr Zeichen: ${letter.yourReference}` : undefined,
    letter.fileReference ? `Aktenzeichen: ${letter.fileReference}` : undefined,
    ...(letter.sender.contact ?? []),
  ].filter((line): line is string => line !== undefined && line !== '');
  doc.font(FONT.regular).fontSize(SIZE.info);
  doc.y = mm(DIN_5008_B.infoBlock.y);
  for (const line of lines) doc.text(line, x, doc.y, { width });
  if (lines.length > 0) doc.y += doc.currentLineHeight();
  doc.text(`Datum: ${letter.date}`, x, doc.y, { width });
}

function drawMarksAndFooter(doc: Pdf, letter: LetterDocument, page: number, pages: number) {
  const mark = (y: number, length: number) =>
    doc
      .lineWidth(0.5)
      .moveTo(mm(5), mm(y))
      .lineTo(mm(5 + length), mm(y))
      .stroke();
  for (const y of DIN_5008_B.foldMarks) mark(y, 5);
  mark(DIN_5008_B.holeMark, 8);

  const x = mm(DIN_5008_B.marginLeft);
  const right = doc.page.width - mm(DIN_5008_B.marginRight);
  const bottom = doc.page.height;
  doc.font(FONT.regular).fontSize(SIZE.small);
  doc
    .lineWidth(0.5)
    .moveTo(x, bottom - mm(19))
    .lineTo(right, bottom - mm(19))
    .stroke();
  doc.text(letter.sender.organisation, x, bottom - mm(17), { width: right - x });
  if (page > 1) {
    doc.fontSize(SIZE.info);
    placeLine(doc, pageLabel(page, pages), { x: right, y: bottom - mm(25), align: 'right' });
  }
}

/**
 * A print-ready letter, DIN 5008 form B: sender in the head, Rücksendeangabe and address in
 * the window field, information block with Datum, Betreff, salutation, body, closing,
 * folding and hole marks, the sender's organisation in the footer and "Seite n von N" from
 * page 2 on.
 */
export async function renderLetterPdf(input: LetterDocument): Promise<Buffer> {
  const letter = toWinAnsiDeep(input);
  const left = mm(DIN_5008_B.marginLeft);
  const doc = createPdf({
    title: input.subject,
    author: input.sender.name,
    createdAt: input.createdAt,
    margins: { top: mm(20), right: mm(DIN_5008_B.marginRight), bottom: mm(32), left },
  });
  const width = doc.page.width - left - mm(DIN_5008_B.marginRight);
  const line = SIZE.text * 1.2;

  drawHeadAndInfoBlock(doc, letter);
  drawAddressField(doc, letter);
  doc.font(FONT.bold).fontSize(SIZE.text);
  doc.text(letter.subject, left, mm(DIN_5008_B.subjectY), { width });
  doc.y += 2 * line;
  doc.font(FONT.regular).text(letter.salutation, left, doc.y, { width });
  doc.y += line;
  drawBlocks(doc, letter.blocks, { fontSize: SIZE.text, codeSize: SIZE.code, gap: line });

  // Closing and name stay together: no page with a lone "Mit freundlichen Grüßen".
  if (doc.y + 5 * line > doc.page.maxY()) doc.addPage();
  doc.font(FONT.regular).fontSize(SIZE.text);
  doc.text(letter.closing ?? 'Mit freundlichen Grüßen', left, doc.y, { width });
  doc.y += line;
  for (const signature of letter.sender.signature ?? [letter.sender.name]) {
    doc.text(signature, left, doc.y, { width });
  }
  doc.y += line / 2;
  doc.fontSize(SIZE.small).text(MACHINE_MADE, left, doc.y, { width });

  eachPage(doc, (page, pages) => drawMarksAndFooter(doc, letter, page, pages));
  return finishPdf(doc);
}
