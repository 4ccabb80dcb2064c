/**
 * How letters and emails address people, as German business letters do:
 * „Sehr geehrte Frau Dr. Weiß-Müller,“ / „Sehr geehrter Herr Prof. Dr. Berger,“, and without
 * an Anrede (none given, or „Divers“) the neutral „Guten Tag Dr. Jürgen Weiß-Müller,“.
 */
export interface Addressee {
  readonly salutation?: 'Herr' | 'Frau' | 'Divers' | null;
  /** As entered: „Dr. med.“, „Prof. Dr. rer. nat.“. */
  readonly title?: string | null;
  readonly firstName: string;
  readonly lastName: string;
}

/** Someone known by one name only (an inviting admin, a physician as the back office wrote it). */
export interface NamedAddressee {
  readonly name: string | null;
}

/**
 * The part of a title that goes into an Anrede: the academic grades „Prof.“ and „Dr.“; the
 * faculty („med.“, „rer. nat.“) and honours stay in the address only.
 */
export function salutationTitle(title: string | null | undefined): string {
  return (title ?? '')
    .split(/\s+/)
    .filter((part) => /^(Prof\.|Dr\.|PD)$/i.test(part))
    .join(' ');
}

const joined = (...parts: readonly (string | null | undefined)[]): string =>
  parts
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');

const isNamed = (to: Addressee | NamedAddressee): to is NamedAddressee => 'name' in to;

/** The first line of a letter or email; an organisation or nobody known: „Sehr geehrte Damen und Herren,“. */
export function salutationLine(to: Addressee | NamedAddressee | null): string {
  if (to === null) return 'Sehr geehrte Damen und Herren,';
  if (isNamed(to)) {
    const name = to.name?.trim() ?? '';
    if (name === '') return 'Sehr geehrte Damen und Herren,';
    // Leading abbreviations are the title („Dr. med. Jonas Berger“): its grades stay.
    const words = name.split(/\s+/);
    const titleLength = words.findIndex((word) => !word.endsWith('.'));
    const cut = titleLength === -1 ? 0 : titleLength;
    return `Guten Tag ${joined(salutationTitle(words.slice(0, cut).join(' ')), ...words.slice(cut))},`;
  }
  const title = salutationTitle(to.title);
  if (to.salutation === 'Frau') return `Sehr geehrte Frau ${joined(title, to.lastName)},`;
  if (to.salutation === 'Herr') return `Sehr geehrter Herr ${joined(title, to.lastName)},`;
  return `Guten Tag ${joined(title, to.firstName, to.lastName)},`;
}

/**
 * A person as a sentence or an address names them: „Frau Dr. med. Anna Weiß-Müller“, „Alex Kim“
 * (the full title, the Anrede only where one was given). After a preposition („an“, „von“)
 * „Herr“ becomes „Herrn“.
 */
export function personName(person: Addressee, afterPreposition = false): string {
  const anrede =
    person.salutation === 'Frau'
      ? 'Frau'
      : person.salutation === 'Herr'
        ? afterPreposition
          ? 'Herrn'
          : 'Herr'
        : null;
  return joined(anrede, person.title, person.firstName, person.lastName);
}
