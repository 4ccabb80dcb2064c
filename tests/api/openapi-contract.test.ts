import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, type OpenApiDocument } from '../../api/openapi/document.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { schemaValidator } from '../support/openapi-schemas.js';

/**
 * The document against the real thing: every documented operation is called once with its
 * documented example (every named example, for events) and must answer a documented status,
 * with a body that passes the schema documented for that status.
 */

type Json = Record<string, unknown>;

const document: OpenApiDocument = openApiDocument();
const { compile } = schemaValidator(document);

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operation: Json;
}

const operations: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
);

const secured = (operation: Json): boolean =>
  Array.isArray(operation.security) && operation.security.length > 0;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

let api: ApiStack;
/** A running invitation for reads and events, one to cancel, and a stored document. */
const ids = { read: '', cancel: '', document: '', bulk: '', webhook: '', delivery: '' };

async function call(
  method: string,
  path: string,
  options: { body?: unknown; form?: FormData; key?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? api.adminKey : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(api.baseUrl + path, {
    method: method.toUpperCase(),
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.form ? { body: options.form } : {}),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The status is documented, and so are its content type, headers and body. */
function expectDocumented(where: string, operation: Json, answer: Answer): void {
  const responses = operation.responses as Record<string, Json>;
  expect(
    Object.keys(responses),
    `${where}: ${answer.status} ${answer.text.slice(0, 300)}`,
  ).toContain(String(answer.status));
  const documented = responses[String(answer.status)]!;
  const contentType = answer.headers.get('content-type') ?? '';
  // Every error of the API is problem+json; only /healthz (its 503) and the pages differ.
  if (answer.status >= 400 && where.includes('/api/')) {
    expect(contentType, where).toContain('application/problem+json');
  }
  for (const header of Object.keys((documented.headers ?? {}) as Json)) {
    expect(answer.headers.get(header), `${where}: header ${header}`).not.toBeNull();
  }
  const content = (documented.content ?? {}) as Record<string, Json>;
  const [mediaType, media] = Object.entries(content)[0] ?? [];
  if (!mediaType || !media) return;
  expect(contentType, where).toContain(mediaType);
  const body: unknown = /json/.test(mediaType) ? JSON.parse(answer.text) : answer.text;
  const validate = compile(media.schema);
  expect(validate(body) ? [] : validate.errors, `${where}: ${answer.text.slice(0, 500)}`).toEqual(
    [],
  );
}

function parameterValue(operation: Json, name: string): string | undefined {
  const parameter = ((operation.parameters ?? []) as Json[]).find((p) => p.name === name);
  return parameter?.example === undefined ? undefined : String(parameter.example);
}

/** The concrete URL of an operation from its parameters' examples and the ids of this run. */
function urlOf({ method, path, operation }: Operation): string {
  const concrete = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (name === 'id' && path.startsWith('/api/v1/documents/')) return ids.document;
    if (name === 'id' && path.startsWith('/api/v1/bulk-actions/')) return ids.bulk;
    if (name === 'id' && path.startsWith('/api/v1/webhooks/')) return ids.webhook;
    if (name === 'deliveryId') return ids.delivery;
    if (name === 'id') return encodeURIComponent(method === 'delete' ? ids.cancel : ids.read);
    return encodeURIComponent(parameterValue(operation, name) ?? name);
  });
  const query = new URLSearchParams();
  for (const parameter of (operation.parameters ?? []) as Json[]) {
    if (parameter.in === 'query' && parameter.example !== undefined) {
      query.set(String(parameter.name), String(parameter.example));
    }
  }
  return query.size ? `${concrete}?${query}` : concrete;
}

/**
 * A multipart upload from its documented example: each part as the example has it, the
 * metadata as JSON, and as the file a small PDF (the example shows only its first bytes).
 */
function formOf(example: Json): FormData {
  const form = new FormData();
  form.set('metadata', JSON.stringify(example.metadata));
  form.set(
    'file',
    new Blob([`%PDF-1.7\n${randomBytes(64).toString('hex')}`], { type: 'application/pdf' }),
    'example.pdf',
  );
  return form;
}

/** The documented request bodies: the example, or each named example. */
function bodiesOf(operation: Json): { name: string; body?: unknown; form?: () => FormData }[] {
  const content = ((operation.requestBody as Json | undefined)?.content ?? {}) as Record<
    string,
    Json
  >;
  const multipart = content['multipart/form-data'];
  if (multipart) {
    expect(multipart.example, 'a documented multipart example').toBeDefined();
    return [{ name: 'example', form: () => formOf(multipart.example as Json) }];
  }
  const media = content['application/json'];
  if (!media) return [{ name: 'no body' }];
  if (media.examples) {
    return Object.entries(media.examples as Record<string, Json>).map(([name, example]) => ({
      name,
      body: example.value,
    }));
  }
  expect(media.example, 'a documented request example').toBeDefined();
  return [{ name: 'example', body: media.example }];
}

/** A start body from the documented example, made unique so that it starts a new process. */
function uniqueStart(): unknown {
  const start = document.paths['/api/v1/processes/invitation']?.post as Json;
  const media = ((start.requestBody as Json).content as Record<string, Json>)['application/json']!;
  const example = structuredClone(media.example) as { input: Json };
  example.input.email = `erika.${randomBytes(4).toString('hex')}@praxis.example`;
  return example;
}

beforeAll(async () => {
  // Every example is one call: more writes than a key's burst, which is not what this tests.
  api = await startApiStack({
    rateLimit: { perMinute: 100_000, burst: 100_000 },
    // The examples' hosts resolve to a public (documentation) address; nothing is delivered.
    webhooks: {
      targets: { allowHttpLocalhost: false, allowedRanges: [] },
      resolve: async () => [{ address: '203.0.113.10', family: 4 }],
    },
  });
  // A webhook to read, rotate and remove, with a delivery (of the first start) to redeliver.
  const hook = await call('post', '/api/v1/webhooks', {
    body: { url: 'https://portal.example.org/praxisflow/webhooks', events: ['process.started'] },
  });
  expect(hook.status, hook.text).toBe(201);
  ids.webhook = (JSON.parse(hook.text) as { id: string }).id;
  for (const which of ['read', 'cancel'] as const) {
    const created = await call('post', '/api/v1/processes/invitation', { body: uniqueStart() });
    expect(created.status, created.text).toBe(201);
    ids[which] = (JSON.parse(created.text) as { id: string }).id;
  }
  const owed = await call('get', `/api/v1/webhooks/${ids.webhook}/deliveries`);
  ids.delivery = (JSON.parse(owed.text) as { items: { id: string }[] }).items[0]?.id ?? '';
  const uploaded = await call('post', '/api/v1/documents', {
    form: formOf({
      metadata: {
        practiceId: 'BSNR-123456789',
        kind: 'abrechnungsnachweis',
        title: 'Abrechnungsnachweis',
        physician: { name: 'Dr. A', email: 'a@praxis.example', haevgId: 'H-1', lanr: '123456789' },
      },
    }),
  });
  expect(uploaded.status, uploaded.text).toBe(201);
  ids.document = (JSON.parse(uploaded.text) as { document: { id: string } }).document.id;
  // A bulk action to read and cancel: a retry of the one invitation, which has no incident.
  const bulk = await call('post', '/api/v1/bulk-actions', {
    body: { filter: { q: ids.read }, action: { kind: 'retry' } },
  });
  expect(bulk.status, bulk.text).toBe(202);
  ids.bulk = (JSON.parse(bulk.text) as { id: string }).id;
  // The list and the history read the read model, which the projection fills shortly after.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const history = await call('get', `/api/v1/processes/${ids.read}/history`);
    if (history.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

afterAll(async () => {
  await api?.stop();
});

// The cancel last: a run reads like the life of a process.
const ordered = [...operations].sort(
  (a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'),
);

describe('the OpenAPI document against the running API', () => {
  it.each(
    ordered.map(
      (operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation] as const,
    ),
  )(
    'when %s is called with its documented example, then it answers a documented status with a body of the documented schema',
    async (where, operation) => {
      for (const { name, body, form } of bodiesOf(operation.operation)) {
        const answer = await call(operation.method, urlOf(operation), {
          ...(body === undefined ? {} : { body }),
          ...(form ? { form: form() } : {}),
          key: secured(operation.operation) ? api.adminKey : null,
        });
        expectDocumented(`${where} (${name})`, operation.operation, answer);
        // Its own example must work (an event example, or its preview, may meet a state that
        // refuses it, a timer example one that has fired or ended with the process, a
        // process without an incident has nothing to retry: 409, and the example Antragsnummer
        // of the public lookup belongs to no application here: 404, nor does the example
        // registration link: its German page with 404; the example mTAN and download token
        // open nothing: 409/410; a bulk action's example filter may select nothing here: 422,
        // and the bulk action to cancel may have ended: 409; the example process already runs
        // the newest version, so a migration to it has no way: 409).
        if (
          !/\/(events|preview|fire|move|retry|application-status|download-token|content|registrierung|bulk-actions|cancel|migrations)$/.test(
            operation.path,
          )
        ) {
          expect(answer.status, `${where} (${name}): ${answer.text.slice(0, 300)}`).toBeLessThan(
            300,
          );
        }
      }
    },
  );

  it.each(
    operations
      .filter(({ operation }) => secured(operation))
      .map(
        (operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation] as const,
      ),
  )(
    'when %s is called without an API key, then it answers the documented 401',
    async (where, operation) => {
      const { body, form } = bodiesOf(operation.operation)[0] ?? {};
      const answer = await call(operation.method, urlOf(operation), {
        ...(body === undefined ? {} : { body }),
        ...(form ? { form: form() } : {}),
        key: null,
      });
      expect(answer.status, where).toBe(401);
      expectDocumented(where, operation.operation, answer);
    },
  );

  it('when openapi.json is fetched, then it is the document the code builds', async () => {
    const answer = await call('get', '/api/v1/openapi.json', { key: null });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('when the docs page is fetched, then its CSP allows nothing but its inline style', async () => {
    const answer = await call('get', '/api/v1/docs', { key: null });
    expect(answer.status).toBe(200);
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(answer.text).not.toMatch(/<script|\bsrc=/i);
  });
});
