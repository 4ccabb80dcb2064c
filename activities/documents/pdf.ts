/**
 * The PDFs of the fax and letter channels: `renderFaxPdf` for the email-to-fax gateway,
 * `renderLetterPdf` for the letter shop (DIN 5008 form B, window envelope DL).
 */
export { renderFaxPdf } from './fax.js';
export { renderLetterPdf } from './letter.js';
export type { DocumentBlock, FaxDocument, LetterDocument, PostalAddress } from './types.js';
