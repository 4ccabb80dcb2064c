/**
 * The inputs of the fax and letter PDFs. Plain data (strings, numbers, arrays), so they
 * travel through Temporal's payload codec unchanged. Every text is German, ready to print:
 * the renderer formats nothing but page numbers.
 */

/**
 * One piece of a document's body, in reading order:
 * - a string: a paragraph (`\n` breaks the line, the text wraps by itself);
 * - `{ code }`: a code to type in (confirmation code `K7PM 3QXA`, Transport-PIN, initial
 *   user name or password), large, monospace, letter-spaced, in a frame; `label` is printed
 *   small above it in the frame ("Benutzername", "Initialpasswort");
 * - `{ table }`: a simple ruled table, e.g. the nightly digest (Zeit, Patient/Vorgang, Art);
 *   the head is repeated on every page the table runs onto.
 */
export type DocumentBlock =
  | string
  | { readonly code: string; readonly label?: string }
  | {
      readonly table: {
        readonly head: readonly string[];
        readonly rows: readonly (readonly string[])[];
      };
    };

/** What both documents share. */
interface DocumentBase {
  /**
   * Betreff; also the PDF's Title, which many viewers, gateways and archives show: never
   * put a code or other secret here.
   */
  readonly subject: string;
  /** Printed as given, e.g. `formatBerlinTime(…)` or `23.12.2026`. */
  readonly date: string;
  /**
   * Epoch ms written as the PDF's CreationDate. Pass a value fixed in the workflow (e.g. the
   * time the message was queued), not `Date.now()`: the same input then renders the same
   * bytes, so a retried activity sends exactly what it sent before.
   */
  readonly createdAt: number;
  readonly blocks: readonly DocumentBlock[];
}

/** A fax: header block "Telefax", body, "Seite n von N" on every page. */
export interface FaxDocument extends DocumentBase {
  readonly to: {
    readonly name: string;
    /** Printed as given; E.164 (`+493012345678`) or formatted (`030 123 456 78`). */
    readonly number: string;
  };
  /** Absender, also the PDF's Author: the portal's name, e.g. "Praxisportal der KV". */
  readonly sender: string;
}

/** A postal address as the window of a DIN 5008 letter shows it (at most 5 lines). */
export interface PostalAddress {
  /** "Frau Dr. Anna Müller" or "Praxis Dr. Müller". */
  readonly name: string;
  /** Zusatz below the name: "Praxis am Markt", "c/o …", "z. Hd. …". */
  readonly addition?: string;
  /** Street and number, or "Postfach 12 34". */
  readonly street: string;
  readonly postcode: string;
  readonly city: string;
  /** Only for mail abroad; printed in capitals ("ÖSTERREICH"), as DIN 5008 asks. */
  readonly country?: string;
}

/** A print-ready letter, DIN 5008 form B, for the letter shop's envelope window. */
export interface LetterDocument extends DocumentBase {
  readonly to: PostalAddress;
  /** Rücksendeangabe, one line: "KV Musterland · Postfach 12 34 · 10115 Berlin". */
  readonly returnAddress: string;
  readonly sender: {
    /**
     * Letterhead (one line, shrunk to fit 65 mm), signature below the closing, and the PDF's
     * Author: "Gesundheitspartnerservice der KV Musterland".
     */
    readonly name: string;
    /** Footer line: organisation, address, register data. */
    readonly organisation: string;
    /**
     * Information block lines: "Telefon 030 1234-0", "E-Mail service@kv.example". Keep it to a
     * handful: the block ends above the Betreff at 103 mm.
     */
    readonly contact?: readonly string[];
    /** Lines below the closing; default the letterhead's name. */
    readonly signature?: readonly string[];
  };
  /** Ihr Zeichen, when the letter answers one. */
  readonly yourReference?: string;
  /** Aktenzeichen (our reference), e.g. the Antragsnummer `A-2026-000123`. */
  readonly fileReference?: string;
  /** "Sehr geehrte Frau Müller," — see `greeting` in activities/templates/layout.ts. */
  readonly salutation: string;
  /** Default "Mit freundlichen Grüßen". */
  readonly closing?: string;
}
