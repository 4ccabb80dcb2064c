import type { Invitee } from '../../machines/invitation.schema.js';
import { renderEmail, type Block, type RenderedEmail } from './layout.js';
import { salutationLine } from './salutation.js';

/** What every email of a registration knows: to whom, in which portal. */
interface RegistrationMail {
  readonly to: Invitee;
  /** The organisation profile's portal: „Mein AOK Gesundheitspartnerservice“. */
  readonly portal: string;
}

/** The button of the seed; the link takes the person to the step they are at. */
const CONTINUE = 'Registrierung fortsetzen';

const continueBlocks = (link: string | null, validUntil?: string): Block[] =>
  link
    ? [
        { link, label: CONTINUE },
        'Über diesen Link kehren Sie bis zum Ende Ihrer Registrierung jederzeit zu dem Schritt ' +
          `zurück, bei dem Sie stehen${validUntil ? ` (längstens bis ${validUntil})` : ''}. ` +
          'Geben Sie ihn bitte nicht weiter.',
      ]
    : [];

/** The invitation, in the words of the portal's own email. */
export function invitationEmail(
  data: RegistrationMail & {
    readonly inviterName: string | null;
    readonly link: string;
    /** The registration window in hours (720 unless the deployment says otherwise). */
    readonly hours: number;
    readonly validUntil: string;
  },
): RenderedEmail {
  return renderEmail({
    subject: `Einladung zu „${data.portal}“`,
    salutation: salutationLine(data.to),
    blocks: [
      `Sie wurden erfolgreich für „${data.portal}“ als Leistungserbringer (Mitarbeiter) ` +
        `eingeladen. Sie haben ${data.hours} ${data.hours === 1 ? 'Stunde' : 'Stunden'} Zeit, den Registrierungsprozess ` +
        'fortzusetzen. Klicken Sie hierzu auf den nachfolgenden Button:',
      ...continueBlocks(data.link, data.validUntil),
      'Zuerst vervollständigen Sie Ihre persönlichen Informationen; im Anschluss registrieren ' +
        'Sie Ihr Gerät mit der AOK 2-Faktor App.',
      ...(data.inviterName ? [`Eingeladen hat Sie ${data.inviterName}.`] : []),
      'Falls Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.',
    ],
  });
}

/** 24 hours before the end of the registration window. */
export function invitationReminderEmail(
  data: RegistrationMail & {
    readonly inviterName: string | null;
    readonly validUntil: string;
    /** Null for registrations whose link was one-time (machine version 1). */
    readonly link: string | null;
  },
): RenderedEmail {
  return renderEmail({
    subject: `Erinnerung: Ihre Einladung zu „${data.portal}“ läuft bald ab`,
    salutation: salutationLine(data.to),
    blocks: [
      `Ihre Registrierung für „${data.portal}“ ist noch nicht abgeschlossen. Die Einladung ` +
        `läuft am ${data.validUntil} ab.`,
      ...(data.link
        ? ['Bitte setzen Sie Ihre Registrierung vorher fort:', ...continueBlocks(data.link)]
        : [
            'Bitte setzen Sie Ihre Registrierung vorher über den Button „Registrierung ' +
              'fortsetzen“ in der Einladungs-E-Mail fort.',
          ]),
      `Finden Sie die Einladung nicht mehr, bitten Sie ${data.inviterName ?? 'die Person, die Sie eingeladen hat,'} um eine neue.`,
    ],
  });
}

/**
 * „Status Ihrer Registrierung: Aktivierung Ihres Zugangs“ (seed 002): on the way into the
 * Geräteregistrierung. The activation code is on the registration page, never in an email.
 */
export function activationStatusEmail(
  data: RegistrationMail & { readonly link: string },
): RenderedEmail {
  return renderEmail({
    subject: 'Status Ihrer Registrierung: Aktivierung Ihres Zugangs',
    salutation: salutationLine(data.to),
    blocks: [
      `Ihre persönlichen Informationen für „${data.portal}“ sind gespeichert. Als Nächstes ` +
        'registrieren Sie Ihr Gerät mit der AOK 2-Faktor App.',
      'Laden Sie die AOK 2-Faktor App herunter und installieren Sie sie. Geben Sie in der App ' +
        'Ihren Benutzernamen bzw. Ihre E-Mail-Adresse und den Aktivierungscode ein, der Ihnen ' +
        'auf der Registrierungsseite angezeigt wird, und legen Sie einen 6-stelligen PIN-Code ' +
        'fest. Diesen brauchen Sie künftig für jede Anmeldung in der AOK 2-Faktor App.',
      'Haben Sie die Registrierung unterbrochen, setzen Sie sie hier fort:',
      ...continueBlocks(data.link),
      'Aus Sicherheitsgründen steht der Aktivierungscode nicht in dieser E-Mail.',
    ],
  });
}

/**
 * Machine version 1 emailed the activation code; registrations started under it still get it
 * this way until they end.
 */
export function activationCodeEmail(
  data: RegistrationMail & {
    /** Formatted for reading: `2748 0323`. */
    readonly code: string;
    readonly maxAttempts: number;
  },
): RenderedEmail {
  return renderEmail({
    subject: 'Ihr Aktivierungscode für die Geräteregistrierung',
    salutation: salutationLine(data.to),
    blocks: [
      'um Ihr Gerät zu registrieren, geben Sie in der AOK 2-Faktor App Ihre E-Mail-Adresse und ' +
        'diesen Aktivierungscode ein:',
      { code: data.code },
      `Nach ${data.maxAttempts} falschen Eingaben wird die Registrierung aus Sicherheitsgründen gesperrt.`,
      'Geben Sie den Code an niemanden weiter. Wir fragen Sie nie danach, weder am Telefon noch per E-Mail.',
    ],
  });
}
