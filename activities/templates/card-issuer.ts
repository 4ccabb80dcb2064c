import type {
  Applicant,
  CardType,
  MissingDocument,
  Rejection,
} from '../../machines/ehba-application.schema.js';
import { renderEmail, type Block, type RenderedEmail } from './layout.js';
import { salutationLine } from './salutation.js';

/** The card after „einen“ / „Ihren“ (accusative). */
export const CARD_NAMES: Readonly<Record<CardType, string>> = {
  eHBA: 'elektronischen Heilberufsausweis (eHBA)',
  'SMC-B': 'Praxisausweis (SMC-B)',
};

/** The card after „Ihr“ (nominative). */
const CARD_NAMES_NOMINATIVE: Readonly<Record<CardType, string>> = {
  eHBA: 'elektronischer Heilberufsausweis (eHBA)',
  'SMC-B': 'Praxisausweis (SMC-B)',
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

export function applicationSubmittedEmail(
  data: ApplicationData & { readonly couponValidUntil: string; readonly deadline: string },
): RenderedEmail {
  return email(
    data.applicant,
    `Antrag ${data.applicationNumber}: Bearbeitung beendet – bitte unterschreiben`,
    [
      `${applicationLine(data)}, ist vollständig erfasst (Stand: Bearbeitung beendet).`,
      'So geht es weiter:',
      '1. Drucken Sie den beigefügten Antrag (PDF) aus, prüfen Sie Ihre Angaben und ' +
        'unterschreiben Sie ihn im Unterschriftsfeld.\n' +
        '2. Lassen Sie sich mit dem POSTIDENT-Coupon auf der zweiten Seite in einer Filiale der ' +
        `Deutschen Post identifizieren. Der Coupon gilt bis ${data.couponValidUntil}.\n` +
        '3. Senden Sie den unterschriebenen Antrag mit den verlangten Nachweisen an die ' +
        'Kartenausgabe (Anschrift im Antrag).',
      `Liegen die Unterlagen bis ${data.deadline} nicht vor, verfällt der Antrag.`,
    ],
  );
}

export function documentsReminderEmail(
  data: ApplicationData & { readonly reminder: number; readonly deadline: string },
): RenderedEmail {
  return email(
    data.applicant,
    `Erinnerung: Ihre Antragsunterlagen zu ${data.applicationNumber} fehlen noch`,
    [
      `${applicationLine(data)}: Ihre unterschriebenen Antragsunterlagen liegen uns noch nicht vor` +
        ` (${data.reminder}. Erinnerung).`,
      'Bitte senden Sie den unterschriebenen Antrag und den Nachweis Ihrer Identifikation ' +
        '(POSTIDENT) an die Kartenausgabe.',
      `Liegen die Unterlagen bis ${data.deadline} nicht vor, verfällt der Antrag und Sie ` +
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
  blocks.push('Bitte reichen Sie die Unterlagen unter Angabe Ihrer Antragsnummer nach.');
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
    'Sobald die Karte versandt ist, erhalten Sie eine E-Mail mit der Sendungsnummer; die ' +
      'Transport-PIN kommt getrennt davon per Brief.',
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

const cardLine = (data: CardData) =>
  `Ihr ${CARD_NAMES_NOMINATIVE[data.cardType]}, Kartennummer ${data.cardNumber}`;

export function cardShippedEmail(data: CardData & { readonly trackingId: string }): RenderedEmail {
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist versandt`, [
    `${cardLine(data)}, ist versandt.`,
    `Sendungsnummer: ${data.trackingId}`,
    'Die Transport-PIN erhalten Sie aus Sicherheitsgründen getrennt per Brief. Mit ihr ' +
      'schalten Sie die Karte frei.',
  ]);
}

export function cardActivatedEmail(
  data: CardData & { readonly validUntil: string },
): RenderedEmail {
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist freigeschaltet`, [
    `${cardLine(data)}, ist freigeschaltet.`,
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

export function exchangeRequestedEmail(data: CardData): RenderedEmail {
  return email(data.holder, `Austauschkarte für ${data.cardNumber} beantragt`, [
    `${cardLine(data)}: Sie haben Ihr Aktivierungspasswort vergessen. Da die Karte vor ` +
      'weniger als 6 Monaten versandt wurde, erhalten Sie kostenlos eine Austauschkarte.',
    'Die Austauschkarte wird produziert; mit ihrem Versand wird die bisherige Karte ungültig.',
  ]);
}

export function cardBlockedEmail(data: CardData & { readonly reason: string }): RenderedEmail {
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist gesperrt`, [
    `${cardLine(data)}, ist gesperrt. Die Sperrung kann nicht aufgehoben werden.`,
    'Grund:',
    { quote: data.reason },
    'Für eine neue Karte stellen Sie bitte einen neuen Antrag.',
  ]);
}

export function cardExpiredEmail(data: CardData & { readonly validUntil: string }): RenderedEmail {
  return email(data.holder, `Ihre Karte ${data.cardNumber} ist abgelaufen`, [
    `${cardLine(data)}: Die Zertifikate sind am ${formatDate(data.validUntil)} abgelaufen; ` +
      'die Karte kann nicht mehr verwendet werden.',
    'Falls Sie noch keine Folgekarte beantragt haben, stellen Sie bitte einen neuen Antrag.',
  ]);
}
