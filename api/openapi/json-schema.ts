import { z } from 'zod';

export type JsonSchema = { [keyword: string]: unknown };

/** Requests are documented as what the API accepts, responses as what it sends. */
export type Direction = 'input' | 'output';

const COMPONENTS = '#/components/schemas/';

const componentRef = (name: string): JsonSchema => ({ $ref: `${COMPONENTS}${name}` });

export const isZodSchema = (value: unknown): value is z.ZodType =>
  typeof value === 'object' && value !== null && '_zod' in value;

/** Deep copy with every `#/$defs/X` reference pointed at `#/components/schemas/X`. */
function withComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withComponentRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' && typeof child === 'string' && child.startsWith('#/$defs/')
        ? `${COMPONENTS}${child.slice('#/$defs/'.length)}`
        : withComponentRefs(child),
    ]),
  );
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, child: unknown) =>
    child !== null && typeof child === 'object' && !Array.isArray(child)
      ? Object.fromEntries(Object.entries(child).sort(([a], [b]) => a.localeCompare(b)))
      : child,
  );

/**
 * The `components.schemas` of the document, filled as operations ask for schemas. A zod schema
 * whose metadata has an `id` becomes the component of that name and is referenced, wherever it
 * appears; the rest is inlined. Schemas zod cannot express in JSON Schema (`z.unknown()`,
 * `z.date()`, custom checks) become `{}` or lose only that check, never fail the document.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /** The JSON Schema of `schema` as request (`input`) or response (`output`). */
  of(schema: z.ZodType, direction: Direction): JsonSchema {
    const generated = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: direction,
      unrepresentable: 'any',
      cycles: 'ref',
      reused: 'inline',
    }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = generated;
    for (const [name, definition] of Object.entries((withComponentRefs($defs) ?? {}) as object)) {
      this.add(name, definition as JsonSchema);
    }
    return withComponentRefs(root) as JsonSchema;
  }

  /**
   * Adds a component built by hand. A name is one schema: the same name with another schema
   * (a zod id used for a request and a response that differ, say) is a mistake, and throws.
   */
  add(name: string, schema: JsonSchema): JsonSchema {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`OpenAPI: bad component name ${name}`);
    const existing = this.schemas[name];
    if (existing && canonical(existing) !== canonical(schema)) {
      throw new Error(
        `OpenAPI: two different schemas are named ${name} (a request and a response?); give them separate ids`,
      );
    }
    this.schemas[name] = schema;
    return componentRef(name);
  }
}
