import { FONT, mm, placeLine, type Pdf } from './document.js';
import type { DocumentBlock } from './types.js';

/** Sizes in points; black only, so a fax machine's threshold keeps every stroke. */
export interface BlockStyle {
  readonly fontSize: number;
  readonly codeSize: number;
  /** Space after each block. */
  readonly gap: number;
}

type Table = Extract<DocumentBlock, { table: unknown }>['table'];

const CELL_PADDING = mm(1.5);
const CODE_PADDING = mm(3);

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Starts a new page unless `height` more points fit on this one. */
function ensureSpace(doc: Pdf, height: number): void {
  if (doc.y + height > doc.page.maxY()) doc.addPage();
}

/**
 * Natural widths if they fit, the slack going to the widest column (the digest's
 * "Patient/Vorgang"); otherwise narrow columns keep theirs and the wide ones share the rest.
 */
function fitColumns(natural: readonly number[], available: number): number[] {
  const total = sum(natural);
  if (total <= available) {
    const widest = natural.indexOf(Math.max(...natural));
    return natural.map((width, index) => (index === widest ? width + available - total : width));
  }
  const fair = available / natural.length;
  const narrow = sum(natural.filter((width) => width <= fair));
  const scale = (available - narrow) / (total - narrow);
  return natural.map((width) => (width <= fair ? width : width * scale));
}

function drawParagraph(doc: Pdf, text: string, style: BlockStyle, left: number, width: number) {
  doc.font(FONT.regular).fontSize(style.fontSize);
  doc.text(text, left, doc.y, { width, lineGap: style.fontSize * 0.2 });
}

function drawCode(
  doc: Pdf,
  block: { readonly code: string; readonly label?: string },
  style: BlockStyle,
  left: number,
  width: number,
) {
  // Courier is 0.6 em wide; with the spacing a character takes 0.85 em. Long codes shrink.
  const size = Math.min(style.codeSize, (width - 2 * CODE_PADDING) / (0.85 * block.code.length));
  const spacing = size * 0.25;
  doc.font(FONT.code).fontSize(size);
  const codeWidth = doc.widthOfString(block.code, { characterSpacing: spacing });
  const codeHeight = doc.currentLineHeight();
  doc.font(FONT.regular).fontSize(style.fontSize);
  const labelWidth = block.label ? doc.widthOfString(block.label) : 0;
  const labelHeight = block.label ? doc.currentLineHeight() + mm(1.5) : 0;
  const box = {
    width: Math.min(Math.max(codeWidth, labelWidth, mm(50)) + 2 * CODE_PADDING, width),
    height: labelHeight + codeHeight + 2 * CODE_PADDING,
  };
  ensureSpace(doc, box.height);
  const top = doc.y;
  doc.lineWidth(1).rect(left, top, box.width, box.height).stroke();
  if (block.label) placeLine(doc, block.label, { x: left + CODE_PADDING, y: top + CODE_PADDING });
  doc.font(FONT.code).fontSize(size);
  placeLine(
    doc,
    block.code,
    { x: left + CODE_PADDING, y: top + CODE_PADDING + labelHeight },
    { characterSpacing: spacing },
  );
  doc.font(FONT.regular);
  doc.x = left;
  doc.y = top + box.height;
}

function drawTable(doc: Pdf, table: Table, style: BlockStyle, left: number, width: number) {
  if (table.head.length === 0) return;
  const cellsOf = (row: readonly string[]) => table.head.map((_, index) => row[index] ?? '');
  doc.fontSize(style.fontSize);
  const natural = table.head.map((head, index) => {
    const headWidth = doc.font(FONT.bold).widthOfString(head);
    doc.font(FONT.regular);
    const cellWidths = table.rows.map((row) => doc.widthOfString(row[index] ?? ''));
    return Math.max(headWidth, ...cellWidths) + 2 * CELL_PADDING;
  });
  const widths = fitColumns(natural, width);
  const rule = (y: number, thickness: number) =>
    doc
      .lineWidth(thickness)
      .moveTo(left, y)
      .lineTo(left + width, y)
      .stroke();

  const measure = (cells: readonly string[], font: string): number => {
    doc.font(font).fontSize(style.fontSize);
    const heights = cells.map((cell, index) =>
      doc.heightOfString(cell || ' ', { width: (widths[index] ?? 0) - 2 * CELL_PADDING }),
    );
    return Math.max(...heights) + 2 * CELL_PADDING;
  };
  const drawRow = (cells: readonly string[], font: string, ruleBelow: number): void => {
    const height = measure(cells, font);
    const top = doc.y;
    let x = left;
    cells.forEach((cell, index) => {
      const cellWidth = widths[index] ?? 0;
      doc.text(cell, x + CELL_PADDING, top + CELL_PADDING, {
        width: cellWidth - 2 * CELL_PADDING,
      });
      x += cellWidth;
    });
    doc.y = top + height;
    rule(doc.y, ruleBelow);
  };
  const drawHead = () => {
    rule(doc.y, 1);
    drawRow(table.head, FONT.bold, 1);
  };

  const first = table.rows[0];
  ensureSpace(
    doc,
    measure(table.head, FONT.bold) + (first ? measure(cellsOf(first), FONT.regular) : 0),
  );
  drawHead();
  for (const row of table.rows) {
    const cells = cellsOf(row);
    if (doc.y + measure(cells, FONT.regular) > doc.page.maxY()) {
      doc.addPage();
      drawHead();
    }
    drawRow(cells, FONT.regular, 0.5);
  }
  doc.x = left;
}

/** Lays the blocks out from the current position, onto new pages as needed. */
export function drawBlocks(doc: Pdf, blocks: readonly DocumentBlock[], style: BlockStyle): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  for (const block of blocks) {
    if (typeof block === 'string') drawParagraph(doc, block, style, left, width);
    else if ('code' in block) drawCode(doc, block, style, left, width);
    else drawTable(doc, block.table, style, left, width);
    doc.y += style.gap;
  }
}
