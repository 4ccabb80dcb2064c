import { useEffect, useState, type FormEvent } from 'react';
import {
  api,
  ApiError,
  cached,
  type EventPreview,
  type Problem,
  type ProcessView,
} from '../api.js';
import { formatTime } from '../format.js';
import { actionLabel, CHANNEL_LABELS, EVENT_LABELS, fieldLabel, timerLabel } from '../labels.js';

/**
 * An action on a process: the form of its event, generated from the event's JSON Schema in the
 * API's OpenAPI document; irreversible events (Sperrung, Ablehnung, Widerruf, …) ask for
 * confirmation first. A refusal (409, 422) is explained in the page. „Vorschau“ shows what the
 * event would do (state, timers, messages) before anything is sent.
 */

type Schema = {
  $ref?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  maxLength?: number;
  /** Set by praxisflow itself (a hash, a sealed letter's id): never a field of a form. */
  readOnly?: boolean;
};

interface OpenApi {
  readonly components: { readonly schemas: Record<string, Schema> };
}

/** Events that cannot be undone: they ask „wirklich?“ first. */
export const IRREVERSIBLE = /(BLOCKED|REJECTED|REVOKED|WITHDRAWN|CLOSED)$/;

const pascal = (type: string) => type.charAt(0).toUpperCase() + type.slice(1);

/** One object schema from refs, allOf and oneOf: properties merged, variant constants as choices. */
function flatten(schema: Schema, all: Record<string, Schema>): Schema {
  if (schema.$ref) return flatten(all[schema.$ref.split('/').pop()!] ?? {}, all);
  const parts = [...(schema.allOf ?? []), ...(schema.oneOf ?? schema.anyOf ?? [])].map((part) =>
    flatten(part, all),
  );
  const properties: Record<string, Schema> = { ...(schema.properties ?? {}) };
  const required = new Set(schema.required ?? []);
  for (const part of parts) {
    for (const [name, property] of Object.entries(part.properties ?? {})) {
      const existing = properties[name];
      if (existing?.const !== undefined && property.const !== undefined) {
        properties[name] = { type: 'string', enum: [existing.const, property.const] };
      } else if (existing?.enum && property.const !== undefined) {
        properties[name] = { ...existing, enum: [...existing.enum, property.const] };
      } else if (!existing) {
        properties[name] = property;
      }
    }
    for (const name of part.required ?? []) required.add(name);
  }
  return { ...schema, properties, required: [...required] };
}

type Values = Record<string, unknown>;

function Field({
  name,
  path,
  schema,
  required,
  all,
  values,
  onChange,
}: {
  name: string;
  path: string;
  schema: Schema;
  required: boolean;
  all: Record<string, Schema>;
  values: Values;
  onChange: (path: string, value: unknown) => void;
}) {
  const resolved = schema.$ref || schema.allOf || schema.oneOf ? flatten(schema, all) : schema;
  const label = `${fieldLabel(name)}${required ? ' *' : ''}`;
  const id = `field-${path}`;
  const value = values[path];
  if (resolved.type === 'object' && resolved.properties) {
    return (
      <fieldset>
        <legend>{label}</legend>
        {Object.entries(resolved.properties).map(([child, childSchema]) => (
          <Field
            key={child}
            name={child}
            path={`${path}.${child}`}
            schema={childSchema}
            required={(resolved.required ?? []).includes(child)}
            all={all}
            values={values}
            onChange={onChange}
          />
        ))}
      </fieldset>
    );
  }
  if (resolved.type === 'array' && resolved.items?.enum) {
    const chosen = (value as string[] | undefined) ?? [];
    return (
      <fieldset>
        <legend>{label}</legend>
        {resolved.items.enum.map((option) => (
          <label key={String(option)} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(String(option))}
              onChange={(e) =>
                onChange(
                  path,
                  e.target.checked
                    ? [...chosen, String(option)]
                    : chosen.filter((c) => c !== option),
                )
              }
            />
            {String(option)}
          </label>
        ))}
      </fieldset>
    );
  }
  if (resolved.enum) {
    return (
      <label htmlFor={id}>
        {label}
        <select
          id={id}
          required={required}
          value={String(value ?? '')}
          onChange={(e) => onChange(path, e.target.value || undefined)}
        >
          <option value="">– bitte wählen –</option>
          {resolved.enum.map((option) => (
            <option key={String(option)} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </select>
      </label>
    );
  }
  if (resolved.type === 'boolean') {
    return (
      <label className="check" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(path, e.target.checked)}
        />
        {label}
      </label>
    );
  }
  const type =
    resolved.format === 'date'
      ? 'date'
      : resolved.type === 'integer' || resolved.type === 'number'
        ? 'number'
        : 'text';
  const long = (resolved.maxLength ?? 0) > 200;
  return (
    <label htmlFor={id}>
      {label}
      {long ? (
        <textarea
          id={id}
          required={required}
          value={String(value ?? '')}
          onChange={(e) => onChange(path, e.target.value || undefined)}
        />
      ) : (
        <input
          id={id}
          type={type}
          required={required}
          value={String(value ?? '')}
          onChange={(e) =>
            onChange(
              path,
              e.target.value === ''
                ? undefined
                : type === 'number'
                  ? Number(e.target.value)
                  : e.target.value,
            )
          }
        />
      )}
      {resolved.description && <span className="hint">{resolved.description}</span>}
    </label>
  );
}

/** `{ 'address.city': 'Bonn' }` → `{ address: { city: 'Bonn' } }`, empty values left out. */
function nest(values: Values): Values {
  const out: Values = {};
  for (const [path, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const keys = path.split('.');
    let target = out;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Values;
    target[keys.at(-1)!] = value;
  }
  return out;
}

export function EventForm({
  process,
  event,
  onDone,
  onCancel,
}: {
  process: ProcessView;
  event: string;
  onDone: (view: ProcessView) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Values>({});
  const [confirmed, setConfirmed] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<EventPreview | null>(null);
  const [schemas, setSchemas] = useState<Record<string, Schema> | null>(null);
  useEffect(() => {
    let live = true;
    cached<OpenApi>('/openapi.json')
      .then((doc) => live && setSchemas(doc.components.schemas))
      .catch((caught: unknown) =>
        setProblem({ status: 0, detail: `Formular nicht ladbar: ${String(caught)}` }),
      );
    return () => {
      live = false;
    };
  }, []);
  const eventSchema = schemas?.[`${pascal(process.type)}Event.${event}`];
  const flat = schemas && eventSchema ? flatten(eventSchema, schemas) : undefined;
  const fields = Object.entries(flat?.properties ?? {}).filter(
    ([name, property]) => name !== 'type' && !property.readOnly,
  );
  const irreversible = IRREVERSIBLE.test(event);
  const title = EVENT_LABELS[event] ?? event;

  const showPreview = async () => {
    setBusy(true);
    setProblem(null);
    setPreview(null);
    try {
      setPreview(
        await api<EventPreview>(`/processes/${encodeURIComponent(process.id)}/events/preview`, {
          method: 'POST',
          body: { type: event, ...nest(values) },
        }),
      );
    } catch (caught) {
      setProblem(
        caught instanceof ApiError ? caught.problem : { status: 0, detail: String(caught) },
      );
    } finally {
      setBusy(false);
    }
  };

  const submit = async (formEvent: FormEvent) => {
    formEvent.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const view = await api<ProcessView>(`/processes/${encodeURIComponent(process.id)}/events`, {
        method: 'POST',
        body: { type: event, ...nest(values) },
      });
      onDone(view);
    } catch (caught) {
      setProblem(
        caught instanceof ApiError ? caught.problem : { status: 0, detail: String(caught) },
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="event-form" onSubmit={(e) => void submit(e)} aria-labelledby={`form-${event}`}>
      <h3 id={`form-${event}`}>
        {title} <code className="muted">{event}</code>
      </h3>
      {!schemas && <p className="loading">Formular lädt …</p>}
      {schemas && fields.length === 0 && <p className="muted">Keine Angaben nötig.</p>}
      {fields.map(([name, schema]) => (
        <Field
          key={name}
          name={name}
          path={name}
          schema={schema}
          required={(flat?.required ?? []).includes(name)}
          all={schemas ?? {}}
          values={values}
          onChange={(path, value) => {
            setPreview(null);
            setValues((v) => ({ ...v, [path]: value }));
          }}
        />
      ))}
      {irreversible && (
        <label className="check confirm">
          <input
            type="checkbox"
            checked={confirmed}
            onChange={(e) => setConfirmed(e.target.checked)}
          />
          Ja, „{title}“ ausführen. Das kann nicht rückgängig gemacht werden.
        </label>
      )}
      {preview && <PreviewPanel preview={preview} />}
      {problem && (
        <div role="alert" className="error">
          <p>
            <strong>
              {problem.status === 409
                ? 'Das geht in diesem Zustand nicht.'
                : problem.status === 422
                  ? 'Die Angaben sind nicht gültig.'
                  : problem.status === 403
                    ? 'Dieser Schlüssel darf das nicht.'
                    : 'Fehler.'}
            </strong>{' '}
            {problem.detail}
          </p>
          {problem.errors && (
            <ul>
              {problem.errors.map((error) => (
                <li key={`${error.path}-${error.message}`}>
                  {fieldLabel(error.path)}: {error.message}
                </li>
              ))}
            </ul>
          )}
          {problem.allowedEvents && (
            <p>
              Möglich sind jetzt:{' '}
              {problem.allowedEvents.length
                ? problem.allowedEvents.map((name) => EVENT_LABELS[name] ?? name).join(', ')
                : 'keine Aktionen'}
              .
            </p>
          )}
        </div>
      )}
      <div className="buttons">
        <button
          type="submit"
          disabled={busy || (irreversible && !confirmed)}
          className={irreversible ? 'danger' : ''}
        >
          {busy ? 'Wird ausgeführt …' : title}
        </button>
        <button type="button" disabled={busy} onClick={() => void showPreview()}>
          Vorschau
        </button>
        <button type="button" onClick={onCancel}>
          Abbrechen
        </button>
      </div>
    </form>
  );
}

/** What the event would do, as the operator reads it before confirming. */
function PreviewPanel({ preview }: { preview: EventPreview }) {
  const { from, to, effects } = preview;
  return (
    <section className="preview" aria-label="Vorschau">
      <h4>Vorschau – noch nichts ausgeführt</h4>
      <p>
        {from.state === to.state
          ? `Der Vorgang bliebe in „${to.stateLabel}“.`
          : `Der Vorgang ginge von „${from.stateLabel}“ nach „${to.stateLabel}“.`}
        {to.status === 'done' && ' Danach ist er abgeschlossen.'}
      </p>
      <p>
        Ausgelöst würde:{' '}
        {effects.length === 0
          ? 'keine Nachricht und keine Aktion.'
          : effects
              .map((effect) => {
                const action = actionLabel(effect.name);
                const channel = effect.channel ? CHANNEL_LABELS[effect.channel] : undefined;
                return (
                  action +
                  (effect.template ? ` (Vorlage ${effect.template})` : '') +
                  (channel && !action.includes(channel) ? ` per ${channel}` : '')
                );
              })
              .join(', ') + '.'}
      </p>
      {to.timers.length > 0 && (
        <ul>
          {to.timers.map((timer) => (
            <li key={`${timer.name}-${timer.dueAt}`}>
              {timerLabel(timer.name)}: {formatTime(timer.dueAt)}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        Möglich wären danach:{' '}
        {to.allowedEvents.length
          ? to.allowedEvents.map((name) => EVENT_LABELS[name] ?? name).join(', ')
          : 'keine Aktionen'}
        .
      </p>
    </section>
  );
}
