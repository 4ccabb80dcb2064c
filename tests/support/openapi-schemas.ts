import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { OpenApiDocument } from '../../api/openapi/document.js';

type Json = Record<string, unknown>;

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default;

/** `#/components/schemas/X` → `urn:praxisflow:schema:X`, so each component is its own schema. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' && typeof child === 'string'
        ? child.replace('#/components/schemas/', 'urn:praxisflow:schema:')
        : absoluteRefs(child),
    ]),
  );
}

/** An ajv (JSON Schema 2020-12, strict) that knows every component schema of the document. */
export function schemaValidator(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    ajv.addSchema({ ...(absoluteRefs(schema) as Json), $id: `urn:praxisflow:schema:${name}` });
  }
  return {
    ajv,
    compile: (schema: unknown) => ajv.compile(absoluteRefs(schema) as Json),
  };
}
