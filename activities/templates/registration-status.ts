import type { Invitee, Inviter } from '../../machines/invitation.schema.js';
import { personName, renderEmail, SERVICE_NAME, type RenderedEmail } from './layout.js';

export function registrationRequestedEmail(data: { readonly to: Invitee }): RenderedEmail {
  return renderEmail({
    subject: 'Registrierung beantragt',
    to: data.to,
    blocks: [
      `Ihre Registrierung im ${SERVICE_NAME} ist beantragt. Ihre Praxis prüft sie nun.`,
      'Sobald die Registrierung freigegeben ist, erhalten Sie eine E-Mail mit dem Link zur Anmeldung.',
    ],
  });
}

export function registrationCompletedEmail(data: {
  readonly to: Invitee;
  readonly loginUrl: string;
}): RenderedEmail {
  return renderEmail({
    subject: 'Registrierung erfolgreich abgeschlossen',
    to: data.to,
    blocks: [
      `Ihre Registrierung im ${SERVICE_NAME} ist abgeschlossen. Sie können sich ab sofort mit ` +
        'Ihrem registrierten Gerät und Ihrer PIN anmelden.',
      { link: data.loginUrl, label: 'Zur Anmeldung' },
      'Bei der ersten Anmeldung bitten wir Sie um Ihre Einwilligung in die Verarbeitung Ihrer ' +
        'Daten; danach steht Ihnen das Postfach Ihrer Praxis zur Verfügung.',
    ],
  });
}

export function registrationRejectedEmail(data: {
  readonly to: Invitee;
  readonly reason: string;
}): RenderedEmail {
  return renderEmail({
    subject: 'Registrierung abgelehnt',
    to: data.to,
    blocks: [
      `Ihre Registrierung im ${SERVICE_NAME} wurde leider abgelehnt. Begründung:`,
      { quote: data.reason },
      'Bei Fragen wenden Sie sich bitte an Ihre Praxis.',
    ],
  });
}

/** To the inviting administrator. */
export function invitationExpiredEmail(data: {
  readonly to: Inviter;
  readonly invitee: Invitee;
}): RenderedEmail {
  return renderEmail({
    subject: 'Einladung abgelaufen',
    to: data.to,
    blocks: [
      `die Einladung von ${personName(data.invitee)} (${data.invitee.email}) in den ${SERVICE_NAME} ` +
        'ist abgelaufen, ohne dass die Registrierung abgeschlossen wurde.',
      'Falls die Person weiterhin Zugang benötigt, laden Sie sie bitte erneut ein.',
    ],
  });
}

/** To the inviting administrator. */
export function registrationLockedEmail(data: {
  readonly to: Inviter;
  readonly invitee: Invitee;
}): RenderedEmail {
  return renderEmail({
    subject: 'Registrierung gesperrt',
    to: data.to,
    blocks: [
      `die Registrierung von ${personName(data.invitee)} (${data.invitee.email}) im ${SERVICE_NAME} ` +
        'wurde gesperrt, weil der Aktivierungscode zu oft falsch eingegeben wurde.',
      'Falls die Person weiterhin Zugang benötigt, laden Sie sie bitte erneut ein.',
    ],
  });
}
