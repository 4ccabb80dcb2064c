import { formatTime } from '../format.js';
import { fieldLabel } from '../labels.js';

/** The process's context as people read it: labelled values, nested lists, no JSON. */

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const regions = new Intl.DisplayNames('de-DE', { type: 'region' });

/** A value as people read it: `1975-03-14` → 14.03.1975, `AT` as a country → Österreich. */
function Value({ value, name }: { value: unknown; name?: string }) {
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
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) return <time dateTime={text}>{`${day[3]}.${day[2]}.${day[1]}`}</time>;
  if (name === 'country' && /^[A-Za-z]{2}$/.test(text)) {
    return <span title={text}>{regions.of(text.toUpperCase()) ?? text}</span>;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    return <time dateTime={text}>{formatTime(text)}</time>;
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
          <dt title={key}>{fieldLabel(key)}</dt>
          <dd>
            <Value value={value} name={key} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
