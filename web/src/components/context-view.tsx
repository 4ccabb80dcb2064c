import { fieldLabel } from '../labels.js';

/** The process's context as people read it: labelled values, nested lists, no JSON. */

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
          <dt title={key}>{fieldLabel(key)}</dt>
          <dd>
            <Value value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
