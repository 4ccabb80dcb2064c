import type { Invitee } from '../../machines/invitation.schema.js';
import { renderEmail, SERVICE_NAME, type RenderedEmail } from './layout.js';

/** The only email that carries the registration link: the clear token exists nowhere else. */
export function invitationEmail(data: {
  readonly to: Invitee;
  readonly practiceId: string;
  readonly inviterName: string | null;
  readonly link: string;
  readonly validUntil: string;
}): RenderedEmail {
  const who = data.inviterName ? `${data.inviterName} hat Sie eingeladen` : 'Sie wurden eingeladen';
  return renderEmail({
    subject: `Einladung zur Registrierung im ${SERVICE_NAME}`,
    to: data.to,
    blocks: [
      `${who}, sich für die Praxis ${data.practiceId} im ${SERVICE_NAME} zu registrieren. ` +
        'Danach können Sie das Postfach Ihrer Praxis nutzen.',
      { link: data.link, label: 'Registrierung starten' },
      `Der Link ist nur einmal verwendbar und gültig bis ${data.validUntil}.`,
      'Für die Anmeldung registrieren Sie im Lauf der Registrierung ein Gerät und wählen eine ' +
        'PIN; den Aktivierungscode dafür erhalten Sie in einer gesonderten E-Mail.',
      'Falls Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.',
    ],
  });
}

/** Carries no link: the token is stored only as a hash, so the reminder points to the invitation. */
export function invitationReminderEmail(data: {
  readonly to: Invitee;
  readonly inviterName: string | null;
  readonly validUntil: string;
}): RenderedEmail {
  return renderEmail({
    subject: 'Erinnerung: Ihre Einladung läuft bald ab',
    to: data.to,
    blocks: [
      `Ihre Einladung zur Registrierung im ${SERVICE_NAME} läuft am ${data.validUntil} ab.`,
      'Bitte beginnen Sie Ihre Registrierung vorher über den Link aus der Einladungs-E-Mail. ' +
        'Aus Sicherheitsgründen senden wir den Link nicht noch einmal.',
      `Finden Sie die Einladung nicht mehr, bitten Sie ${data.inviterName ?? 'Ihre Praxis'} um eine neue.`,
    ],
  });
}

export function activationCodeEmail(data: {
  readonly to: Invitee;
  /** Formatted for reading: `2748 0323`. */
  readonly code: string;
  readonly maxAttempts: number;
}): RenderedEmail {
  return renderEmail({
    subject: 'Ihr Aktivierungscode für die Geräteregistrierung',
    to: data.to,
    blocks: [
      'um Ihr Gerät für die Anmeldung zu registrieren, geben Sie bitte diesen Aktivierungscode ein:',
      { code: data.code },
      `Nach ${data.maxAttempts} falschen Eingaben wird die Registrierung aus Sicherheitsgründen gesperrt.`,
      'Geben Sie den Code an niemanden weiter. Wir fragen Sie nie danach, weder am Telefon noch per E-Mail.',
    ],
  });
}
