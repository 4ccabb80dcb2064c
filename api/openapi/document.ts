import { isZodSchema, SchemaComponents, type JsonSchema } from './json-schema.js';
import { operations, TAGS } from './operations.js';
import { documentProcessTypes } from './process-types.js';
import type { OperationSpec, RequestBodySpec, ResponseSpec, SchemaSource } from './spec.js';
import { idempotencyKeyParameter, withIdempotencyResponses } from './idempotency.js';
import { processEventPayload } from '../event-stream-schemas.js';

export interface OpenApiOptions {
  /** Base URL of the API as clients reach it; default `/` (where the document is served). */
  readonly serverUrl?: string;
}

/** An OpenAPI 3.1 document, as plain JSON. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: readonly { readonly url: string }[];
  readonly security: readonly Record<string, readonly string[]>[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly securitySchemes: Readonly<Record<string, JsonSchema>>;
  };
}

/** The version of the API contract, not of the package: `/api/v1`. */
const API_VERSION = '1.0.0';

const DESCRIPTION = `praxisflow runs the long-running back-office processes of healthcare portals as durable state machines: each process is an XState machine running as a Temporal workflow. This API starts processes, sends them events, shows their state and lists them.

**Authentication.** Every call under \`/api/v1\` (except this document and its page) needs an API key: \`Authorization: Bearer <key>\`. A key has a role: \`admin\` (everything), \`operator\` (reads everything, sends back-office events, cancels) or \`client\` (starts processes and sends events for its own practices only). A process of another practice answers 404, not 403, so that ids are not confirmed to strangers. Writes are rate limited per key (429 with \`Retry-After\`).

**Retries.** Every POST behind the API key takes an \`Idempotency-Key\` header (1–255 printable ASCII characters, e.g. a UUID per logical request): a retry with the same key and the same body from the same API key within 24 h gets the first answer again, and nothing is done twice. Another body with the same key is a 422, a retry while the first request still runs a 409 with \`Retry-After\`. A first answer of 5xx or 429 is not kept, so its retry runs again.

**Errors.** Every error is RFC 9457 \`application/problem+json\` with \`type\`, \`title\`, \`status\` and \`detail\`; 422 adds \`errors: [{ path, message }]\` naming every invalid field, and 409 on an event adds \`allowedEvents\`. 503 means a dependency (Temporal, Postgres) is unreachable: retry after \`Retry-After\` seconds.`;

const JSON_TYPE = 'application/json';

const schemaOf = (
  components: SchemaComponents,
  schema: SchemaSource,
  direction: 'input' | 'output',
): JsonSchema => (isZodSchema(schema) ? components.of(schema, direction) : schema);

/** The first example a schema (or the component it refers to) carries. */
function schemaExample(components: SchemaComponents, schema: JsonSchema): unknown {
  const ref = typeof schema.$ref === 'string' ? schema.$ref : '';
  const target = ref.startsWith('#/components/schemas/')
    ? components.schemas[ref.slice('#/components/schemas/'.length)]
    : schema;
  return Array.isArray(target?.examples) ? target.examples[0] : undefined;
}

function parameters(components: SchemaComponents, spec: OperationSpec): JsonSchema[] {
  const from = (where: 'path' | 'query', object: OperationSpec['pathParameters']) => {
    if (!object) return [];
    const json = components.of(object, 'input');
    const required = new Set(Array.isArray(json.required) ? (json.required as string[]) : []);
    return Object.entries((json.properties ?? {}) as Record<string, JsonSchema>).map(
      ([name, schema]) => {
        const example = spec.queryExamples?.[name] ?? schemaExample(components, schema);
        const { description, ...rest } = schema;
        return {
          name,
          in: where,
          required: where === 'path' || (required.has(name) && !('default' in schema)),
          ...(typeof description === 'string' ? { description } : {}),
          schema: rest,
          ...(example === undefined ? {} : { example }),
        };
      },
    );
  };
  return [...from('path', spec.pathParameters), ...from('query', spec.queryParameters)];
}

function requestBody(components: SchemaComponents, body: RequestBodySpec): JsonSchema {
  const schema = schemaOf(components, body.schema, 'input');
  const example = body.examples ? undefined : (body.example ?? schemaExample(components, schema));
  return {
    required: true,
    ...(body.description ? { description: body.description } : {}),
    content: {
      [body.contentType ?? JSON_TYPE]: {
        schema,
        ...(body.encoding ? { encoding: body.encoding } : {}),
        ...(body.examples ? { examples: body.examples } : {}),
        ...(example === undefined ? {} : { example }),
      },
    },
  };
}

function response(components: SchemaComponents, spec: ResponseSpec): JsonSchema {
  const schema = spec.schema && schemaOf(components, spec.schema, 'output');
  const example = spec.example ?? (schema && schemaExample(components, schema));
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(schema
      ? {
          content: {
            [spec.contentType ?? JSON_TYPE]: {
              schema,
              ...(example === undefined ? {} : { example }),
            },
          },
        }
      : {}),
  };
}

function operation(components: SchemaComponents, spec: OperationSpec): JsonSchema {
  const roles = spec.roles
    ? `\n\nAPI key roles: ${spec.roles.map((r) => `\`${r}\``).join(', ')}.`
    : '';
  // Every POST behind the API key takes an Idempotency-Key (api/idempotency.ts).
  const idempotent = spec.method === 'post' && spec.security === 'apiKey';
  const params = [
    ...parameters(components, spec),
    ...(idempotent ? [idempotencyKeyParameter] : []),
  ];
  const responses = idempotent
    ? withIdempotencyResponses(spec.responses, spec.path)
    : spec.responses;
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description + roles,
    security: spec.security === 'apiKey' ? [{ apiKey: [] }] : [],
    ...(params.length ? { parameters: params } : {}),
    ...(spec.requestBody ? { requestBody: requestBody(components, spec.requestBody) } : {}),
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, answer]) => [status, response(components, answer)]),
    ),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function build(options: OpenApiOptions): OpenApiDocument {
  const components = new SchemaComponents();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of operations(documentProcessTypes(components))) {
    const item = (paths[spec.path] ??= {});
    if (item[spec.method]) throw new Error(`OpenAPI: ${spec.method} ${spec.path} twice`);
    item[spec.method] = operation(components, spec);
  }
  // The `data:` of each event of the stream (text/event-stream has no schema of its own).
  components.of(processEventPayload, 'output');
  return deepFreeze({
    openapi: '3.1.0',
    info: { title: 'praxisflow', version: API_VERSION, description: DESCRIPTION },
    servers: [{ url: options.serverUrl ?? '/' }],
    security: [{ apiKey: [] }],
    tags: TAGS.map((tag) => ({ ...tag })),
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(components.schemas).sort(([a], [b]) => a.localeCompare(b)),
      ),
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key of this deployment (`npm run keys`), as a bearer token.',
        },
      },
    },
  });
}

const built = new Map<string, OpenApiDocument>();

/** The OpenAPI 3.1 document of the API, built once per server URL; frozen. */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const key = options.serverUrl ?? '/';
  let document = built.get(key);
  if (!document) {
    document = build(options);
    built.set(key, document);
  }
  return document;
}
