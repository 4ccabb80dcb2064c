import { z } from 'zod';

/**
 * Secret fields of inputs and events (a PIN, an mTAN, a code, a token, a password). A schema
 * declares them with `secret(...)`; the API checks the clear value against the whole schema at
 * the edge (format, "not trivial", equal confirmation), then seals every secret field under a
 * key of the API and the workers that the payload codec — and so `/codec/decode` — never holds.
 * The workflow takes the sealed form, machines hand it on to their activities as it is, and the
 * activity that needs the value opens it inside the worker. History never holds the clear value.
 *
 * Only top-level fields of an object schema can be secret (optional, nullable or with a default
 * alike); the sealed form drops the object's own refinements, which need the clear values and
 * ran at the edge.
 */

const secretSchemas = z.registry<{ readonly secret: true }>();

/** Marks a field schema as secret: the API seals its value before it reaches Temporal. */
export function secret<T extends z.ZodType>(schema: T): T {
  secretSchemas.add(schema, { secret: true });
  return schema;
}

/** `sealed:v1:` then base64url of IV, ciphertext and tag (AES-256-GCM). */
export const SEALED_PREFIX = 'sealed:v1:';
const SEALED_PATTERN = /^sealed:v1:[A-Za-z0-9_-]{38,2800}$/;

/** A value the API sealed (the clear one is inside, under a key the workflow does not hold). */
export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && SEALED_PATTERN.test(value);

const sealedValue = z.string().regex(SEALED_PATTERN, { error: 'Must be sealed by praxisflow.' });

/** The schema itself or what it wraps (optional, nullable, default, readonly). */
function* layersOf(schema: z.ZodType): Generator<z.ZodType> {
  for (let layer: z.ZodType | undefined = schema; layer;) {
    yield layer;
    layer = (layer._zod.def as { innerType?: z.ZodType }).innerType;
  }
}

const isSecret = (schema: z.ZodType): boolean =>
  [...layersOf(schema)].some((layer) => secretSchemas.has(layer));

const keysCache = new WeakMap<z.ZodType, readonly string[]>();

/** The secret fields of an input or event schema; none for most. */
export function secretKeysOf(schema: z.ZodType): readonly string[] {
  let keys = keysCache.get(schema);
  if (!keys) {
    keys =
      schema instanceof z.ZodObject
        ? Object.entries(schema.shape as Record<string, z.ZodType>)
            .filter(([, field]) => isSecret(field))
            .map(([key]) => key)
        : [];
    keysCache.set(schema, keys);
  }
  return keys;
}

const sealedFormCache = new WeakMap<z.ZodType, z.ZodType>();

/** The schema of a payload whose secret fields arrive sealed: the rest as before. */
function sealedFormOf(schema: z.ZodObject): z.ZodType {
  let sealed = sealedFormCache.get(schema);
  if (!sealed) {
    const shape = schema.shape as Record<string, z.ZodType>;
    sealed = z.object(
      Object.fromEntries(
        Object.entries(shape).map(([key, field]) => {
          if (!isSecret(field)) return [key, field];
          return [key, field.safeParse(undefined).success ? sealedValue.optional() : sealedValue];
        }),
      ),
    );
    sealedFormCache.set(schema, sealed);
  }
  return sealed;
}

/**
 * The schema a payload (an event's, or a process's input) is checked with inside the workflow:
 * the sealed form once any secret field arrives sealed (then all must be), else the schema
 * itself (histories recorded before secrets were sealed replay with it).
 */
export function schemaForPayload(schema: z.ZodType, payload: unknown): z.ZodType {
  if (!(schema instanceof z.ZodObject) || typeof payload !== 'object' || payload === null) {
    return schema;
  }
  const fields = payload as Readonly<Record<string, unknown>>;
  return secretKeysOf(schema).some((key) => isSealed(fields[key])) ? sealedFormOf(schema) : schema;
}
