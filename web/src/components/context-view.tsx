/** The process's context as people read it: labelled values, nested lists, no JSON. */

/** German names of the context fields operators meet most; others are spelt out from camelCase. */
const KEY_LABELS: Readonly<Record<string, string>> = {
  invitee: 'Eingeladene Person',
  inviter: 'Einladende Person',
  salutation: 'Anrede',
  title: 'Titel',
  firstName: 'Vorname',
  lastName: 'Nachname',
  name: 'Name',
  email: 'E-Mail',
  phone: 'Telefon',
  mobile: 'Mobilfunknummer',
  birthDate: 'Geburtsdatum',
  practiceId: 'Praxis',
  practiceName: 'Praxisname',
  personalData: 'Persönliche Daten',
  failedActivationAttempts: 'Fehlversuche Aktivierung',
  failedAttempts: 'Fehlversuche',
  revocationReason: 'Grund des Widerrufs',
  rejectionReason: 'Ablehnungsgrund',
  consents: 'Einwilligungen',
  postfachAccess: 'Postfachzugang',
  applicant: 'Antragsteller/in',
  holder: 'Karteninhaber/in',
  applicationNumber: 'Antragsnummer',
  cardNumber: 'Kartennummer',
  cardType: 'Kartenart',
  chamber: 'Kammer',
  address: 'Anschrift',
  addition: 'Zusatz',
  street: 'Straße',
  postcode: 'PLZ',
  city: 'Ort',
  country: 'Land',
  documentId: 'Dokument-Nr.',
  kind: 'Art',
  fileName: 'Dateiname',
  contentType: 'Dateityp',
  size: 'Größe (Bytes)',
  uploadedAt: 'Hochgeladen',
  physician: 'Ärztin/Arzt',
  downloads: 'Downloads',
  lastDownloadedAt: 'Zuletzt heruntergeladen',
  notice: 'Hinweis',
  purgedAt: 'Gelöscht am',
  validUntil: 'Gültig bis',
  shippedAt: 'Versandt am',
  trackingId: 'Sendungsnummer',
  userName: 'Benutzername',
  holderName: 'Inhaber/in',
  letters: 'Briefe',
};

const labelOfKey = (key: string): string =>
  KEY_LABELS[key] ??
  key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (first) => first.toUpperCase());

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '')
    return <span className="muted">–</span>;
  if (typeof value === 'boolean') return <>{value ? 'ja' : 'nein'}</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">keine</span>;
    return (
      <ul>
        {value.map((item, index) => (
          <li key={index}>
            <Value value={item} />
          </li>
        ))}
      </ul>
    );
  }
  if (isPlainObject(value)) return <ContextView context={value} />;
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    return (
      <time dateTime={text}>
        {new Date(text).toLocaleString('de-DE', { timeZone: 'Europe/Berlin' })}
      </time>
    );
  }
  return <>{text}</>;
}

export function ContextView({ context }: { context: Record<string, unknown> }) {
  const entries = Object.entries(context);
  if (entries.length === 0) return <p className="muted">Keine Angaben.</p>;
  return (
    <dl className="context">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt title={key}>{labelOfKey(key)}</dt>
          <dd>
            <Value value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
