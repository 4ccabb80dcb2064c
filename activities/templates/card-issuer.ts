import type {
  Applicant,
  CardType,
  MissingDocument,
  Rejection,
} from '../../machines/ehba-application.schema.js';
import { renderEmail, type Block, type RenderedEmail } from './layout.js';
import { salutationLine } from './salutation.js';
import type { TransportPinLetterContent } from '../../machines/card-v2.schema.js';
import type { DocumentBlock } from '../documents/pdf.js';

/** The card after „einen“ / „Ihren“ (accusative). */
export const CARD_NAMES: Readonly<Record<CardType, string>> = {
  eHBA: 'elektronischen Heilberufsausweis (eHBA)',
  'SMC-B': 'Praxis- bzw. Institutionsausweis (SMC-B)',
};

/** The card after „Ihr“ (nominative). */
const CARD_NAMES_NOMINATIVE: Readonly<Record<CardType, string>> = {
  eHBA: 'elektronischer Heilberufsausweis (eHBA)',
  'SMC-B': 'Praxis- bzw. Institutionsausweis (SMC-B)',
};

const germanDate = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** `14.03.1975` from `1975-03-14`, or from an ISO instant (German calendar day). */
export function formatDate(value: string): string {
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) return `${plain[3]}.${plain[2]}.${plain[1]}`;
  return germanDate.format(Date.parse(value));
}

/** „Sehr geehrte Frau Dr. Mustermann,“; without an Anrede „Guten Tag Dr. Erika Mustermann,“. */
export const applicantGreeting = (applicant: Applicant): string => salutationLine(applicant);

// Sender, signature, support contact and legal footer: the card issuer's organisation profile.
const email = (applicant: Applicant, subject: string, blocks: readonly Block[]): RenderedEmail =>
  renderEmail({ subject, salutation: applicantGreeting(applicant), blocks });

interface ApplicationData {
  readonly applicationNumber: string;
  readonly cardType: CardType;
  readonly applicant: Applicant;
}

const applicationLine = (data: ApplicationData) =>
  `Ihr Antrag auf einen ${CARD_NAMES[data.cardType]}, Antragsnummer ${data.applicationNumber}`;

/** Where the seed asks applicants to look for the issuer's emails. */
const CHECK_INBOX = 'Bitte prüfen Sie regelmäßig Ihr E-Mail-Postfach und auch Ihren Spam-Ordner.';

/** POSTIDENT results reach the issuer electronically: nobody posts a proof of identification. */
const POSTIDENT_ELECTRONIC =
  'Sofern für Ihren Antrag eine Identifikation erforderlich ist, übermittelt die Deutsche Post ' +
  'Ihre Daten aus dem POSTIDENT-Verfahren elektronisch an uns; dafür müssen Sie nichts einsenden.';

export function applicationSubmittedEmail(
  data: ApplicationData & { readonly couponValidUntil: string; readonly deadline: string },
): RenderedEmail {
  return email(
    data.applicant,
    `Antrag ${data.applicationNumber}: Bearbeitung beendet – bitte unterschreiben`,
    [
      `${applicationLine(data)}, ist mit „Jetzt verbindlich beantragen“ abgeschlossen ` +
        '(Stand: Bearbeitung beendet).',
      'So geht es weiter:',
      '1. Drucken Sie den beigefügten Antrag (PDF) aus, prüfen Sie Ihre Angaben und ' +
        'unterschreiben Sie ihn an den gekennzeichneten Stellen.\n' +
        '2. Senden Sie den unterschriebenen Antrag per Post an die Kartenausgabe (Anschrift im ' +
        'Antrag).\n' +
        '3. Sofern erforderlich, lassen Sie sich mit dem POSTIDENT-Coupon im Antrag in einer ' +
        `Filiale der Deutschen Post identifizieren. Der Coupon gilt bis ${data.couponValidUntil}.`,
      POSTIDENT_ELECTRONIC,
      `Liegt der unterschriebene Antrag bis ${data.deadline} nicht vor, verfällt er. ` +
        CHECK_INBOX,
    ],
  );
}

export function documentsReminderEmail(
  data: ApplicationData & { readonly reminder: number; readonly deadline: string },
): RenderedEmail {
  return email(
    data.applicant,
    `Erinnerung: Ihr unterschriebener Antrag ${data.applicationNumber} fehlt noch`,
    [
      `${applicationLine(data)}: Die unterschriebene Ausfertigung Ihres Antrags liegt uns noch ` +
        `nicht vor (${data.reminder}. Erinnerung).`,
      'Bitte drucken Sie den Antrag ggf. erneut aus – er liegt dieser E-Mail noch einmal bei –, ' +
        'unterschreiben Sie ihn an den gekennzeichneten Stellen und senden Sie ihn per Post an ' +
        'die Kartenausgabe.',
      POSTIDENT_ELECTRONIC,
      `Liegt der unterschriebene Antrag bis ${data.deadline} nicht vor, verfällt er und Sie ` +
        'müssten einen neuen stellen.',
    ],
  );
}

const missingList = (missing: readonly MissingDocument[]): string =>
  missing.map((document) => `– ${document}`).join('\n');

export function resubmissionEmail(
  data: ApplicationData & {
    readonly reminder: boolean;
    readonly missing: readonly MissingDocument[];
    readonly note: string | null;
  },
): RenderedEmail {
  const blocks: Block[] = [
    `${applicationLine(data)}: Bei der Prüfung fehlen noch folgende Unterlagen ` +
      '(Nachreichung angefordert):',
    missingList(data.missing),
  ];
  if (data.note) blocks.push('Hinweis der Kartenausgabe:', { quote: data.note });
  if (data.missing.includes('Meldebescheinigung')) {
    blocks.push('Die Meldebescheinigung darf höchstens 3 Monate alt sein.');
  }
  if (data.missing.includes('Lichtbild: Qualität reicht nicht aus')) {
    blocks.push(
      'Die Qualität des Lichtbilds reicht für die Karte nicht aus: Bitte senden Sie ein neues ' +
        'Lichtbild.',
    );
  }
  blocks.push(
    'Bitte reichen Sie die Unterlagen unter Angabe Ihrer Antragsnummer auf dem Postweg nach.',
    CHECK_INBOX,
  );
  return email(
    data.applicant,
    data.reminder
      ? `Erinnerung: Nachreichung zu Antrag ${data.applicationNumber}`
      : `Antrag ${data.applicationNumber}: Nachreichung angefordert`,
    blocks,
  );
}

export function applicationApprovedEmail(
  data: ApplicationData & { readonly cardNumber: string },
): RenderedEmail {
  return email(data.applicant, `Antrag freigegeben: ${data.applicationNumber}`, [
    `${applicationLine(data)}, ist freigegeben. Ihre Karte wird produziert.`,
    `Kartennummer: ${data.cardNumber}`,
    'Sobald die Karte versandt ist, erhalten Sie eine E-Mail mit der Sendungsnummer; den ' +
      'Transport-PIN-Brief erhalten Sie getrennt davon per Post.',
    CHECK_INBOX,
  ]);
}

const REJECTION_TEXT: Readonly<Record<Rejection['reason'], string>> = {
  signatureMismatch:
    'Die Unterschrift auf dem Antrag stimmt nicht mit der Unterschrift auf dem Identitätsnachweis überein.',
  identityNotConfirmed: 'Ihre Identität konnte nicht bestätigt werden.',
  notEntitled: 'Sie sind für diesen Kartentyp nicht antragsberechtigt.',
  incompleteDocuments: 'Die Antragsunterlagen waren unvollständig.',
  other: 'Der Antrag konnte nicht bewilligt werden.',
  chamber: 'Die Kammer hat den Antrag abgelehnt.',
};

export function applicationRejectedEmail(
  data: ApplicationData & { readonly rejection: Rejection },
): RenderedEmail {
  const blocks: Block[] = [
    `${applicationLine(data)}, wurde abgelehnt.`,
    REJECTION_TEXT[data.rejection.reason],
  ];
  if (data.rejection.note) blocks.push('Begründung:', { quote: data.rejection.note });
  blocks.push(
    data.rejection.reason === 'signatureMismatch'
      ? 'Dieser Antrag kann nicht mehr geändert werden. Bitte stellen Sie einen neuen Antrag.'
      : 'Bei Fragen wenden Sie sich bitte unter Angabe der Antragsnummer an die Kartenausgabe.',
  );
  return email(data.applicant, `Antrag ${data.applicationNumber} abgelehnt`, blocks);
}

export function applicationEndedEmail(
  data: ApplicationData & {
    readonly why: 'applicationWithdrawn' | 'applicationAbandoned' | 'applicationExpired';
    /** How long a draft is kept (the deployment's `draftExpiry`), in whole days. */
    readonly draftDays: number;
  },
): RenderedEmail {
  const texts = {
    applicationWithdrawn: {
      subject: `Antrag ${data.applicationNumber} zurückgezogen`,
      body: 'haben Sie zurückgezogen. Er wird nicht weiter bearbeitet.',
    },
    applicationAbandoned: {
      subject: `Antrag ${data.applicationNumber} verworfen`,
      body: `wurde innerhalb von ${data.draftDays} Tagen nicht abgeschlossen und ist deshalb verworfen.`,
    },
    applicationExpired: {
      subject: `Antrag ${data.applicationNumber} abgelaufen`,
      // Reached when the signed papers or the documents asked for later did not arrive.
      body: 'ist abgelaufen: Die angeforderten Unterlagen sind nicht rechtzeitig eingegangen.',
    },
  }[data.why];
  // „haben Sie zurückgezogen“ takes the application as its object: „Ihren Antrag …“.
  const line =
    data.why === 'applicationWithdrawn'
      ? applicationLine(data).replace(/^Ihr Antrag/, 'Ihren Antrag')
      : applicationLine(data);
  return email(data.applicant, texts.subject, [
    `${line}, ${texts.body}`,
    'Wenn Sie weiterhin eine Karte benötigen, stellen Sie bitte einen neuen Antrag.',
  ]);
}

interface CardData {
  readonly cardNumber: string;
  readonly cardType: CardType;
  readonly holder: Applicant;
}

/** Two secrets, never confused (seed 003): what each one is for. */
const USING_THE_CARD =
  'Freigeschaltet wird die Karte mit dem Kennwort für die Freischaltung, das Sie bei der ' +
  'Antragstellung selbst festgelegt haben. Mit der Transport-PIN aus dem Brief setzen Sie ' +
  'danach in Ihrer Praxis- bzw. Apothekensoftware (Primärsystem) oder mit dem DGN PINtool Ihre ' +
  'eigenen PINs.';

const cardLine = (data: CardData) =>
  `Ihr ${CARD_NAMES_NOMINATIVE[data.cardType]}, Kartennummer ${data.cardNumber}`;

export function cardShippedEmail(data: CardData & { readonly trackingId: string }): RenderedEmail {
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist versandt`, [
    `${cardLine(data)}, ist versandt.`,
    `Sendungsnummer: ${data.trackingId}`,
    'Den Transport-PIN-Brief erhalten Sie aus Sicherheitsgründen getrennt per Post. ' +
      USING_THE_CARD,
  ]);
}

export function cardActivatedEmail(
  data: CardData & { readonly validUntil: string },
): RenderedEmail {
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist freigeschaltet`, [
    `${cardLine(data)}, ist freigeschaltet. Mit der Freischaltung sind die Zertifikate der ` +
      'Karte im Statusdienst veröffentlicht.',
    'Ihre eigenen PINs setzen Sie mit der Transport-PIN in Ihrer Praxis- bzw. ' +
      'Apothekensoftware (Primärsystem) oder mit dem DGN PINtool. Bewahren Sie den ' +
      'Transport-PIN-Brief gut auf: Er kann nach der Freischaltung nicht mehr erneut zugesandt ' +
      'werden.',
    `Die Zertifikate der Karte gelten bis ${formatDate(data.validUntil)}. Rechtzeitig vorher ` +
      'erinnern wir Sie an den Antrag auf eine Folgekarte.',
  ]);
}

export function renewalReminderEmail(
  data: CardData & { readonly validUntil: string; readonly followUpLink: string },
): RenderedEmail {
  return email(
    data.holder,
    `Folgekarte beantragen: Ihre Karte läuft am ${formatDate(data.validUntil)} ab`,
    [
      `${cardLine(data)}: Die Zertifikate der Karte enden am ${formatDate(data.validUntil)}.`,
      'Bitte beantragen Sie jetzt Ihre Folgekarte. Ihre Angaben sind im Folgeantrag schon ' +
        'eingetragen; Sie prüfen sie nur noch.',
      { link: data.followUpLink, label: 'Folgekarte beantragen' },
    ],
  );
}

const EXCHANGE_REASONS = {
  activationPasswordForgotten:
    'Sie haben angegeben, dass Sie das Kennwort für die Freischaltung vergessen haben. Es lässt ' +
    'sich nach der Produktion der Karte weder ändern noch wiederherstellen; ohne das Kennwort ' +
    'kann die Karte nicht freigeschaltet werden.',
  transportPinLetterLost:
    'Sie haben angegeben, dass Ihr Transport-PIN-Brief nicht mehr auffindbar ist. Nach der ' +
    'Freischaltung sind die Zertifikate der Karte im Statusdienst veröffentlicht; der Brief ' +
    'kann dann nicht mehr erneut zugesandt werden.',
} as const;

export function exchangeRequestedEmail(
  data: CardData & { readonly reason?: keyof typeof EXCHANGE_REASONS },
): RenderedEmail {
  const blocks: Block[] = [
    `${cardLine(data)}: Sie haben eine Austausch-/Ersatzkarte beantragt.`,
    EXCHANGE_REASONS[data.reason ?? 'activationPasswordForgotten'],
  ];
  if (data.reason === 'activationPasswordForgotten') {
    blocks.push(
      'Die neue Karte wird mit dem neuen Kennwort produziert, das Sie dabei festgelegt haben.',
    );
  }
  blocks.push(
    'Sobald die neue Karte versandt ist, erhalten Sie eine E-Mail mit der Sendungsnummer und ' +
      'getrennt davon einen neuen Transport-PIN-Brief. Mit dem Versand der neuen Karte wird die ' +
      'bisherige ungültig.',
  );
  return email(data.holder, `Austausch-/Ersatzkarte für ${data.cardNumber} beantragt`, blocks);
}

export function cardBlockedEmail(data: CardData & { readonly reason: string }): RenderedEmail {
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist gesperrt`, [
    `${cardLine(data)}, ist gesperrt. Die Sperrung kann nicht aufgehoben werden.`,
    'Grund:',
    { quote: data.reason },
    'Für eine neue Karte stellen Sie bitte einen neuen Antrag.',
  ]);
}

export function cardExpiredEmail(
  data: CardData & { readonly validUntil: string; readonly activated?: boolean },
): RenderedEmail {
  const ended = `die Zertifikate sind am ${formatDate(data.validUntil)} abgelaufen`;
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist abgelaufen`, [
    data.activated === false
      ? `${cardLine(data)}, wurde nicht freigeschaltet; ${ended}. Die Karte kann nicht mehr ` +
        'verwendet werden.'
      : `${cardLine(data)}: Die Zertifikate sind am ${formatDate(data.validUntil)} abgelaufen; ` +
        'die Karte kann nicht mehr verwendet werden.',
    'Falls Sie noch keine Folgekarte beantragt haben, stellen Sie bitte einen neuen Antrag.',
  ]);
}

/** The Transport-PIN letter's body: production's PINs and PUK, and what they are for. */
export function transportPinLetterBlocks(
  data: CardData & { readonly content: TransportPinLetterContent; readonly resend: boolean },
): DocumentBlock[] {
  return [
    `für Ihren ${CARD_NAMES[data.cardType]} mit der Kartennummer ${data.cardNumber} erhalten ` +
      'Sie hier die Transport-PIN aus der Kartenproduktion.',
    ...data.content.pins.map((pin) => ({
      code: pin.transportPin,
      label: `Transport-PIN ${pin.name}`,
    })),
    ...(data.content.puk ? [{ code: data.content.puk, label: 'PUK' }] : []),
    'Mit der Transport-PIN setzen Sie Ihre eigenen PINs: in Ihrer Praxis- bzw. ' +
      'Apothekensoftware (Primärsystem) oder mit dem DGN PINtool. Bei Fragen zur Inbetriebnahme ' +
      'in Ihrem Primärsystem hilft Ihr Softwareanbieter.',
    'Freigeschaltet wird die Karte mit dem Kennwort für die Freischaltung, das Sie bei der ' +
      'Antragstellung selbst festgelegt haben. Mit der Freischaltung werden die Zertifikate im ' +
      'Statusdienst veröffentlicht; danach kann dieser Brief nicht mehr erneut zugesandt werden.',
    data.resend
      ? 'Dies ist der erneute Versand Ihres Transport-PIN-Briefs (Einschreiben Einwurf); die ' +
        'Transport-PIN ist dieselbe.'
      : 'Bewahren Sie diesen Brief getrennt von der Karte auf und geben Sie die PINs nicht weiter.',
    'War der Umschlag geöffnet oder beschädigt, lassen Sie die Karte bitte sperren.',
  ];
}
