import type { Invitee, Inviter } from '../../machines/invitation.schema.js';
import { renderEmail, type RenderedEmail } from './layout.js';
import { personName, salutationLine } from './salutation.js';

interface StatusMail {
  readonly to: Invitee;
  /** The organisation profile's portal: „Mein AOK Gesundheitspartnerservice“. */
  readonly portal: string;
}

/**
 * „Ihre Registrierung“ (seed 002), once device registration is done and the access waits for
 * its approval („Beantragt“). Who approves is the portal operator's business, not the
 * person's: the text names nobody.
 */
export function registrationRequestedEmail(
  data: StatusMail & {
    /** Null for registrations whose link was one-time (machine version 1). */
    readonly link: string | null;
  },
): RenderedEmail {
  return renderEmail({
    subject: 'Ihre Registrierung',
    salutation: salutationLine(data.to),
    blocks: [
      `Ihre Registrierung für „${data.portal}“ ist beantragt: Ihre persönlichen Informationen ` +
        'und die Geräteregistrierung mit der AOK 2-Faktor App sind vollständig.',
      'Sobald Ihr Zugang freigeschaltet ist, erhalten Sie eine weitere E-Mail.',
      ...(data.link
        ? [
            'Den Stand Ihrer Registrierung sehen Sie jederzeit hier:',
            { link: data.link, label: 'Registrierung fortsetzen' },
          ]
        : []),
    ],
  });
}

export function registrationCompletedEmail(
  data: StatusMail & { readonly loginUrl: string },
): RenderedEmail {
  return renderEmail({
    subject: 'Registrierung erfolgreich abgeschlossen',
    salutation: salutationLine(data.to),
    blocks: [
      `Ihre Registrierung für „${data.portal}“ ist erfolgreich abgeschlossen. Sie melden sich ` +
        'ab sofort mit Ihrer E-Mail-Adresse und der AOK 2-Faktor App an.',
      { link: data.loginUrl, label: 'Jetzt einloggen' },
      'Beim erstmaligen Login stimmen Sie bitte der Datenschutzerklärung sowie den Teilnahme- ' +
        'und Nutzungsbedingungen zu und willigen in die Verarbeitung Ihrer Daten ein. Danach ' +
        'steht Ihnen das Postfach des Leistungserbringers zur Verfügung.',
    ],
  });
}

export function registrationRejectedEmail(
  data: StatusMail & { readonly reason: string },
): RenderedEmail {
  return renderEmail({
    subject: 'Registrierung abgelehnt',
    salutation: salutationLine(data.to),
    blocks: [
      `Ihre Registrierung für „${data.portal}“ wurde leider abgelehnt. Die Begründung lautet:`,
      { quote: data.reason },
      'Bei Fragen wenden Sie sich bitte an die Person, die Sie eingeladen hat.',
    ],
  });
}

/** To the inviting administrator. */
export function invitationExpiredEmail(data: {
  readonly to: Inviter;
  readonly invitee: Invitee;
  readonly portal: string;
}): RenderedEmail {
  return renderEmail({
    subject: 'Einladung abgelaufen',
    salutation: salutationLine({ name: data.to.name }),
    blocks: [
      `die Einladung an ${personName(data.invitee, true)} (${data.invitee.email}) für ` +
        `„${data.portal}“ ist abgelaufen, ohne dass die Registrierung abgeschlossen wurde.`,
      'Falls die Person weiterhin Zugang benötigt, laden Sie sie bitte erneut ein.',
    ],
  });
}

/** To the inviting administrator. */
export function registrationLockedEmail(data: {
  readonly to: Inviter;
  readonly invitee: Invitee;
  readonly portal: string;
  readonly maxAttempts: number;
}): RenderedEmail {
  return renderEmail({
    subject: 'Registrierung gesperrt',
    salutation: salutationLine({ name: data.to.name }),
    blocks: [
      `die Registrierung von ${personName(data.invitee, true)} (${data.invitee.email}) für ` +
        `„${data.portal}“ wurde gesperrt, weil der Aktivierungscode ${data.maxAttempts}-mal ` +
        'falsch eingegeben wurde.',
      'Falls die Person weiterhin Zugang benötigt, laden Sie sie bitte erneut ein.',
    ],
  });
}
