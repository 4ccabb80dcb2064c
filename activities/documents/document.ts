import PDFDocument from 'pdfkit';

export type Pdf = PDFKit.PDFDocument;

/** Millimetres to PDF points (1/72 inch). */
export const mm = (millimetres: number): number => (millimetres * 72) / 25.4;

export const FONT = {
  regular: 'Helvetica',
  bold: 'Helvetica-Bold',
  code: 'Courier-Bold',
} as const;

/**
 * A4 document with pages buffered (headers and footers need the page count). Everything that
 * could vary between two runs is fixed: CreationDate comes from the input, and pdfkit derives
 * the file ID from the info dictionary, so the same input gives the same bytes. The metadata
 * holds title, author and dates only, nothing from the body.
 */
export function createPdf(meta: {
  readonly title: string;
  readonly author: string;
  readonly createdAt: number;
  readonly margins: { top: number; right: number; bottom: number; left: number };
}): Pdf {
  const createdAt = new Date(meta.createdAt);
  if (Number.isNaN(createdAt.getTime())) throw new RangeError('createdAt is not a valid time');
  const doc = new PDFDocument({
    size: 'A4',
    margins: meta.margins,
    bufferPages: true,
    lang: 'de-DE',
    displayTitle: true,
    pdfVersion: '1.4',
    info: {
      Title: meta.title,
      Author: meta.author,
      Creator: 'praxisflow',
      Producer: 'praxisflow (PDFKit)',
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  doc.font(FONT.regular).fillColor('black').strokeColor('black');
  return doc;
}

/** Ends the document and resolves with its bytes. */
export function finishPdf(doc: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/**
 * One line at a fixed place, also inside the margins (headers, footers, the address field):
 * without a `width` pdfkit neither wraps nor starts a new page. `align` positions by
 * measuring; x is the left edge, the centre or the right edge accordingly.
 */
export function placeLine(
  doc: Pdf,
  line: string,
  at: { x: number; y: number; align?: 'left' | 'center' | 'right' },
  options: PDFKit.Mixins.TextOptions = {},
): void {
  const width = doc.widthOfString(line, options);
  const x = at.align === 'right' ? at.x - width : at.align === 'center' ? at.x - width / 2 : at.x;
  doc.text(line, x, at.y, { ...options, lineBreak: false });
}

/**
 * Runs `draw` on every page, numbered from 1, once the body is laid out. The bottom margin is
 * lifted first: footers live in it, and text below it would start a new page.
 */
export function eachPage(doc: Pdf, draw: (page: number, pages: number) => void): void {
  const { start, count } = doc.bufferedPageRange();
  for (let index = start; index < start + count; index += 1) {
    doc.switchToPage(index);
    doc.page.margins.bottom = 0;
    draw(index - start + 1, count);
  }
}

/** "Seite 2 von 3". */
export const pageLabel = (page: number, pages: number): string => `Seite ${page} von ${pages}`;
