/** Whom a process is about, from the few context fields that name a person or practice. */

/** The few context fields that name whom a process is about (see ABOUT_SQL). */
export interface AboutFields {
  readonly person?: {
    readonly title?: string | null;
    readonly firstName?: string;
    readonly lastName?: string;
    readonly name?: string;
    readonly email?: string;
  } | null;
  readonly name?: string | null;
}

/**
 * Only the context fields that name the person or practice (invitee, applicant, holder,
 * physician; holder or practice name), not the whole context: lists stay cheap.
 */
export const ABOUT_SQL = `jsonb_build_object(
    'person', coalesce(context->'invitee', context->'applicant', context->'holder', context->'physician'),
    'name', coalesce(context->>'holderName', context->>'practiceName')) as about`;

/** „Dr. med. Erika Mustermann <erika@praxis.example>“, „Praxis am Markt“, or null. */
export function aboutText(about: AboutFields | null): string | null {
  const person = about?.person;
  if (person && typeof person === 'object') {
    const name =
      person.name ??
      [person.title, person.firstName, person.lastName].filter((part) => part).join(' ');
    const text = [name, person.email ? `<${person.email}>` : ''].filter((part) => part).join(' ');
    if (text) return text;
  }
  return about?.name ?? null;
}
