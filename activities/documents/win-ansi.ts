/**
 * pdfkit's standard fonts (Helvetica, Courier) speak WinAnsi only: Latin-1 plus a few
 * typographic signs. It covers ä ö ü Ä Ö Ü ß, „…“, – and €, but a character beyond it (Ł, ő,
 * ș in a name) would be written as garbage bytes. Such characters lose their accent instead
 * ("Łukasz Dvořák" prints as "Lukasz Dvorak"); what has no Latin base prints as "?".
 */

/** The signs WinAnsi places in 0x80–0x9F, where Unicode has control characters. */
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Latin letters that do not decompose into base letter + accent. */
const NO_DECOMPOSITION: Readonly<Record<string, string>> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  ẞ: 'SS',
  '\u2010': '-',
  '\u2011': '-',
  '\u2212': '-',
  '\u2009': ' ',
  '\u202f': ' ',
  '\u2007': ' ',
};

const isWinAnsi = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0;
  return (
    (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char)
  );
};

function toWinAnsiChar(char: string): string {
  if (isWinAnsi(char) || char === '\n') return char;
  if (char === '\t') return ' ';
  const mapped = NO_DECOMPOSITION[char];
  if (mapped !== undefined) return mapped;
  const base = char.normalize('NFD').replace(/\p{M}/gu, '');
  if (base.length > 0 && [...base].every(isWinAnsi)) return base;
  // Control characters (CR, BEL, …) vanish; anything else stays visible as a gap.
  return /\p{C}/u.test(char) ? '' : '?';
}

/** The text as the standard fonts can print it; line breaks (`\n`) are kept. */
function toWinAnsi(text: string): string {
  return Array.from(text.normalize('NFC'), toWinAnsiChar).join('');
}

/** Every string inside a plain data value (objects, arrays) made printable. */
export function toWinAnsiDeep<T>(value: T): T {
  if (typeof value === 'string') return toWinAnsi(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => toWinAnsiDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, toWinAnsiDeep(item)]),
    ) as T;
  }
  return value;
}
