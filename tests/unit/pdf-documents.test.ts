import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import {
  renderFaxPdf,
  renderLetterPdf,
  type DocumentBlock,
  type FaxDocument,
  type LetterDocument,
  type PostalAddress,
} from '../../activities/documents/pdf.js';

const POINTS_PER_MM = 72 / 25.4;
const A4_HEIGHT = 841.89;

/** The text of each page, as a PDF reader extracts it. */
async function pagesOf(pdf: Buffer): Promise<string[]> {
  const document = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(document, { mergePages: false });
  return text;
}

/** Text runs of a page with their baseline start in mm from the sheet's top left corner. */
async function runsOf(pdf: Buffer, pageNumber = 1) {
  const document = await getDocumentProxy(new Uint8Array(pdf));
  const content = await (await document.getPage(pageNumber)).getTextContent();
  return content.items.flatMap((item) =>
    'str' in item && item.str.trim() !== ''
      ? [
          {
            text: item.str,
            x: Number(item.transform[4]) / POINTS_PER_MM,
            right: (Number(item.transform[4]) + item.width) / POINTS_PER_MM,
            baseline: (A4_HEIGHT - Number(item.transform[5])) / POINTS_PER_MM,
            height: item.height / POINTS_PER_MM,
          },
        ]
      : [],
  );
}

/** What stands right of `label` on its line: the fills a renderer draws after the body. */
async function valueBeside(pdf: Buffer, label: string): Promise<string | undefined> {
  const runs = await runsOf(pdf);
  const labelRun = runs.find((run) => run.text === label);
  if (!labelRun) return undefined;
  return runs
    .filter((run) => Math.abs(run.baseline - labelRun.baseline) < 0.5 && run.x > labelRun.x)
    .sort((a, b) => a.x - b.x)[0]?.text;
}

const digestTable: DocumentBlock = {
  table: {
    head: ['Zeit', 'Patient/Vorgang', 'Art'],
    rows: [
      ['22.12.2026, 08:15 Uhr', 'M. S., Kardiologie, Dringlichkeit B', 'Buchung'],
      ['22.12.2026, 09:40 Uhr', 'K. L., Dermatologie', 'Absage'],
    ],
  },
};

const digestFax: FaxDocument = {
  to: { name: 'Praxis Dr. Jürgen Weiß', number: '+49 30 12345678' },
  sender: 'eTerminservice der Kassenärztlichen Vereinigungen',
  date: '23.12.2026, 01:30 Uhr',
  createdAt: Date.UTC(2026, 11, 23, 0, 30),
  subject: 'Nächtliche Übersicht Ihrer Termine',
  blocks: [
    'Guten Tag, über den eTerminservice wurden diese Termine gebucht oder abgesagt:',
    digestTable,
    'Ihr Bestätigungscode für die Faxnummer:',
    { code: 'K7PM 3QXA' },
  ],
};

const annaMueller: PostalAddress = {
  name: 'Frau Dr. Anna Müller',
  addition: 'Praxis am Schloßpark',
  street: 'Große Straße 12',
  postcode: '10115',
  city: 'Berlin',
};

const credentialsLetter: LetterDocument = {
  to: annaMueller,
  returnAddress: 'KV Musterland · Postfach 12 34 · 10001 Berlin',
  sender: {
    name: 'Gesundheitspartnerservice der KV Musterland',
    organisation: 'Kassenärztliche Vereinigung Musterland, Körperschaft des öffentlichen Rechts',
    contact: ['Telefon 030 1234-0', 'E-Mail service@kv.example'],
  },
  fileReference: 'A-2026-000123',
  date: '23.12.2026',
  createdAt: Date.UTC(2026, 11, 23, 9, 0),
  subject: 'Ihre Zugangsdaten für das Arztportal',
  salutation: 'Sehr geehrte Frau Dr. Müller,',
  blocks: [
    'mit diesem Schreiben erhalten Sie Ihre Zugangsdaten. Bitte ändern Sie das Passwort gleich bei der ersten Anmeldung.',
    { label: 'Benutzername', code: 'anna.mueller' },
    { label: 'Initialpasswort', code: 'Rq7-Xm2-Lp9' },
  ],
};

describe('renderFaxPdf', () => {
  it('when a confirmation fax with a digest table is rendered, then recipient, Betreff, code, cells and page count can be read', async () => {
    const pdf = await renderFaxPdf(digestFax);

    const pages = await pagesOf(pdf);
    expect(pages).toHaveLength(1);
    const text = pages[0] ?? '';
    expect(text).toContain('Telefax');
    expect(text).toContain('Praxis Dr. Jürgen Weiß');
    expect(text).toContain('+49 30 12345678');
    expect(text).toContain('eTerminservice der Kassenärztlichen Vereinigungen');
    expect(text).toContain('Nächtliche Übersicht Ihrer Termine');
    expect(await valueBeside(pdf, 'Seiten:')).toBe('1');
    expect(text).toMatch(/K\s?7\s?P\s?M\s+3\s?Q\s?X\s?A/);
    for (const cell of ['Patient/Vorgang', 'M. S., Kardiologie, Dringlichkeit B', 'Absage']) {
      expect(text).toContain(cell);
    }
    expect(text.indexOf('08:15')).toBeLessThan(text.indexOf('09:40'));
    expect(text).toContain('Seite 1 von 1');
  });

  it('when the digest runs over a page, then every page is numbered, the head repeats and "Seiten" counts them all', async () => {
    const rows = Array.from({ length: 80 }, (_, index) => [
      `${String(index % 24).padStart(2, '0')}:00 Uhr`,
      `Vorgang ${index + 1}`,
      index % 2 === 0 ? 'Buchung' : 'Absage',
    ]);
    const pdf = await renderFaxPdf({
      ...digestFax,
      blocks: [{ table: { head: ['Zeit', 'Patient/Vorgang', 'Art'], rows } }],
    });

    const pages = await pagesOf(pdf);
    expect(pages.length).toBeGreaterThan(1);
    expect(await valueBeside(pdf, 'Seiten:')).toBe(String(pages.length));
    expect(pages[1]).toContain(`Seite 2 von ${pages.length}`);
    expect(pages[1]).toContain('Patient/Vorgang');
    expect(pages.join('\n')).toContain('Vorgang 80');
  });

  it('when a code is too long for the line, then it shrinks to stay inside the margins', async () => {
    const code = 'ABCD EFGH JKLM NPQR STUV WXYZ 2345 6789 ABCD EFGH';
    const pdf = await renderFaxPdf({ ...digestFax, blocks: [{ code }] });

    const runs = await runsOf(pdf);
    const codeRuns = runs.filter((run) => /^[A-Z2-9](?: [A-Z2-9])*$/.test(run.text));
    expect(codeRuns.map((run) => run.text.replace(/ /g, '')).join('')).toBe(code.replace(/ /g, ''));
    expect(Math.max(...codeRuns.map((run) => run.right))).toBeLessThanOrEqual(210 - 20);
  });

  it('when the fax is rendered, then its metadata names Betreff, sender and language and nothing of the body', async () => {
    const pdf = await renderFaxPdf(digestFax);

    const document = await getDocumentProxy(new Uint8Array(pdf));
    const info: Record<string, unknown> = Object.fromEntries(
      Object.entries((await document.getMetadata()).info),
    );
    expect(info.Title).toBe('Nächtliche Übersicht Ihrer Termine');
    expect(info.Author).toBe('eTerminservice der Kassenärztlichen Vereinigungen');
    expect(info.Language).toBe('de-DE');
    expect(JSON.stringify(info)).not.toMatch(/K7PM|Kardiologie/);
  });

  it('when the same fax is rendered twice, then the bytes are identical; another creation time changes them', async () => {
    const first = await renderFaxPdf(digestFax);
    const second = await renderFaxPdf(digestFax);
    const later = await renderFaxPdf({ ...digestFax, createdAt: digestFax.createdAt + 1000 });

    expect(second.equals(first)).toBe(true);
    expect(later.equals(first)).toBe(false);
  });
});

describe('renderLetterPdf', () => {
  it('when the country is Germany, then no country line is printed; an ISO code abroad is printed by name', async () => {
    const linesOf = async (country: string) =>
      (
        await runsOf(
          await renderLetterPdf({ ...credentialsLetter, to: { ...annaMueller, country } }),
        )
      ).map((run) => run.text);
    const german = await linesOf('DE');
    expect(german).toContain('10115 Berlin');
    expect(german).not.toContain('DE');
    expect(german).not.toContain('DEUTSCHLAND');
    expect(await linesOf('AT')).toContain('ÖSTERREICH');
  });

  it('when a letter is rendered, then return line and address stand in order inside the 85 × 45 mm window at 20 mm / 45 mm', async () => {
    const pdf = await renderLetterPdf({
      ...credentialsLetter,
      to: { ...annaMueller, country: 'Österreich' },
    });

    const runs = await runsOf(pdf);
    const expected = [
      'KV Musterland · Postfach 12 34 · 10001 Berlin',
      'Frau Dr. Anna Müller',
      'Praxis am Schloßpark',
      'Große Straße 12',
      '10115 Berlin',
      'ÖSTERREICH',
    ];
    const found = expected.map((line) => runs.find((run) => run.text === line));
    expect(found.map((run) => run?.text)).toEqual(expected);
    const placed = found.flatMap((run) => (run ? [run] : []));
    for (const run of placed) {
      expect(run.x).toBeGreaterThanOrEqual(20);
      expect(run.x).toBeLessThan(20 + 85);
      expect(run.baseline - run.height).toBeGreaterThanOrEqual(45);
      expect(run.baseline).toBeLessThanOrEqual(45 + 45);
    }
    const [returnLine, name] = placed;
    // Form B: Zusatz- und Vermerkzone 45–62.7 mm, then the Anschriftzone, name on its first line.
    expect(returnLine?.baseline).toBeLessThanOrEqual(62.7);
    expect(name?.baseline).toBeGreaterThan(62.7);
    expect(name?.baseline).toBeLessThan(62.7 + 4.23);
    const baselines = placed.map((run) => run.baseline);
    expect(baselines).toEqual([...baselines].sort((a, b) => a - b));
    expect(new Set(baselines).size).toBe(baselines.length);
  });

  it('when an address line is too long for the window, then it is shrunk or cut, never wider than the window', async () => {
    const name = 'Frau Prof. Dr. med. Annegret Müller-Lüdenscheidt-Oberhausen-Wanne-Eickel';
    const pdf = await renderLetterPdf({
      ...credentialsLetter,
      to: { ...annaMueller, name },
    });

    const runs = await runsOf(pdf);
    const nameRun = runs.find((run) => run.text.startsWith('Frau Prof. Dr. med.'));
    expect(nameRun?.right).toBeLessThanOrEqual(20 + 85);
    expect(nameRun?.baseline).toBeLessThan(62.7 + 4.23);
    expect(runs.find((run) => run.text === 'Praxis am Schloßpark')?.baseline).toBeLessThan(90);
  });

  it('when a letter is rendered, then umlauts and ß, Betreff, codes and closing come out as written', async () => {
    const pdf = await renderLetterPdf(credentialsLetter);

    const [text = ''] = await pagesOf(pdf);
    for (const part of ['Müller', 'Schloßpark', 'Große Straße', 'Mit freundlichen Grüßen']) {
      expect(text).toContain(part);
    }
    expect(text).toContain('Ihre Zugangsdaten für das Arztportal');
    expect(text).toContain('Aktenzeichen: A-2026-000123');
    expect(text).toContain('Datum: 23.12.2026');
    expect(text).toContain('Initialpasswort');
    expect(text.replace(/\s/g, '')).toContain('Rq7-Xm2-Lp9');
    expect(text).toContain('Kassenärztliche Vereinigung Musterland');
    expect(text).not.toContain('Seite 1 von');
  });

  it('when a name has letters beyond WinAnsi, then those lose their accents instead of printing garbage', async () => {
    const pdf = await renderLetterPdf({
      ...credentialsLetter,
      to: { ...annaMueller, name: 'Herrn Łukasz Dvořák' },
    });

    const runs = await runsOf(pdf);
    expect(runs.map((run) => run.text)).toContain('Herrn Lukasz Dvorák');
  });

  it('when the body is long, then the letter runs onto more pages numbered "Seite 2 von N" from page 2 on', async () => {
    const paragraph =
      'Dieser Absatz ist absichtlich lang, damit der Brief über mehrere Seiten läuft und ' +
      'jede Folgeseite ihre Seitenzahl trägt. Größere Schreiben kommen in der Praxis vor.';
    const pdf = await renderLetterPdf({
      ...credentialsLetter,
      blocks: Array.from({ length: 30 }, (_, index) => `${index + 1}. ${paragraph}`),
    });

    const pages = await pagesOf(pdf);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]).not.toContain('Seite 1 von');
    expect(pages[1]).toContain(`Seite 2 von ${pages.length}`);
    expect(pages.at(-1)).toContain('Mit freundlichen Grüßen');
    expect(pages.join('\n')).toContain('30. Dieser Absatz');
  });

  it('when the same letter is rendered twice, then the bytes are identical', async () => {
    const first = await renderLetterPdf(credentialsLetter);
    const second = await renderLetterPdf(credentialsLetter);

    expect(second.equals(first)).toBe(true);
  });
});
