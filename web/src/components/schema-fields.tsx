import { useEffect, useState } from 'react';
import { cached } from '../api.js';
import { fieldLabel } from '../labels.js';

/**
 * The fields of an event's payload, generated from the event's JSON Schema in the API's OpenAPI
 * document: the single process's event form and the bulk action's form both ask with them.
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

export type Values = Record<string, unknown>;

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
export function nest(values: Values): Values {
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

type Entry = readonly [name: string, schema: Schema];

/** The payload fields of a process type's event (not `type`, nothing praxisflow sets itself). */
function useEventFields(type: string, event: string) {
  const [schemas, setSchemas] = useState<Record<string, Schema> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    cached<OpenApi>('/openapi.json')
      .then((doc) => live && setSchemas(doc.components.schemas))
      .catch((caught: unknown) => live && setError(`Formular nicht ladbar: ${String(caught)}`));
    return () => {
      live = false;
    };
  }, []);
  const eventSchema = schemas?.[`${pascal(type)}Event.${event}`];
  const flat = schemas && eventSchema ? flatten(eventSchema, schemas) : undefined;
  const fields: Entry[] = Object.entries(flat?.properties ?? {}).filter(
    ([name, property]) => name !== 'type' && !property.readOnly,
  );
  return { schemas, error, fields, required: flat?.required ?? [] };
}

/** An event's payload as form fields; „Keine Angaben nötig.“ for an event without any. */
export function EventFields({
  type,
  event,
  values,
  onChange,
}: {
  type: string;
  event: string;
  values: Values;
  onChange: (path: string, value: unknown) => void;
}) {
  const { schemas, error, fields, required } = useEventFields(type, event);
  if (error) {
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  }
  if (!schemas) return <p className="loading">Formular lädt …</p>;
  if (fields.length === 0) return <p className="muted">Keine Angaben nötig.</p>;
  return (
    <>
      {fields.map(([name, schema]) => (
        <Field
          key={name}
          name={name}
          path={name}
          schema={schema}
          required={required.includes(name)}
          all={schemas}
          values={values}
          onChange={onChange}
        />
      ))}
    </>
  );
}
