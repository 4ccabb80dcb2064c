import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { latestDefinition, processTypes } from '../../machines/registry.js';
import { openApiDocument, type OpenApiDocument } from '../../api/openapi/document.js';
import { SchemaComponents } from '../../api/openapi/json-schema.js';
import { processExamples } from '../../api/openapi/process-examples.js';
import { DOCS_PAGE_CSP, docsRoutes } from '../../api/routes/docs.js';
import * as schemas from '../../api/schemas.js';
import { schemaValidator } from '../support/openapi-schemas.js';

type Json = Record<string, unknown>;

const document: OpenApiDocument = openApiDocument();

/** Every object in the document with the JSON-pointer-ish place it sits at. */
function* walk(value: unknown, at = ''): Generator<[string, Json]> {
  if (Array.isArray(value)) {
    for (const [i, child] of value.entries()) yield* walk(child, `${at}/${i}`);
  } else if (value !== null && typeof value === 'object') {
    yield [at, value as Json];
    for (const [key, child] of Object.entries(value)) yield* walk(child, `${at}/${key}`);
  }
}

const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

const contract: [method: string, path: string, statuses: number[]][] = [
  ['get', '/healthz', [200, 503]],
  ['get', '/metrics', [200]],
  ['get', '/api/v1/machines', [200]],
  ['get', '/api/v1/machines/{type}', [200, 404]],
  ...processTypes()
    .filter((type) => !latestDefinition(type)?.startRoute)
    .map((type): [string, string, number[]] => [
      'post',
      `/api/v1/processes/${type}`,
      [201, 409, 422],
    ]),
  ['get', '/api/v1/processes', [200, 422]],
  ['get', '/api/v1/processes/{id}', [200, 404]],
  ['post', '/api/v1/processes/{id}/events', [200, 404, 409, 422]],
  ['delete', '/api/v1/processes/{id}', [200, 404, 409]],
  ['get', '/api/v1/processes/{id}/history', [200, 404]],
  ['get', '/api/v1/openapi.json', [200]],
  ['get', '/api/v1/docs', [200]],
];

const PUBLIC = [
  '/healthz',
  '/metrics',
  '/api/v1/openapi.json',
  '/api/v1/docs',
  '/registrierung',
  '/folgeantrag',
  '/api/v1/public/application-status',
  '/api/v1/documents/{id}/content',
];

describe('the OpenAPI document', () => {
  it('when validated against the OpenAPI 3.1 schema, then it is valid', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Json);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('when every schema in it is compiled with ajv (2020-12), then each compiles', () => {
    const { ajv, compile } = schemaValidator(document);
    for (const name of Object.keys(document.components.schemas)) {
      expect(ajv.getSchema(`urn:praxisflow:schema:${name}`), name).toBeDefined();
    }
    let inline = 0;
    for (const [at, object] of walk(document.paths)) {
      if (object.schema !== undefined) {
        expect(() => compile(object.schema), at).not.toThrow();
        inline += 1;
      }
    }
    expect(inline).toBeGreaterThan(50);
  });

  it('when its examples are checked against their schemas, then every one is valid', () => {
    const { compile } = schemaValidator(document);
    // Many operations share one schema object (a parameter, a problem): compile each once.
    const compiled = new Map<unknown, ReturnType<typeof compile>>();
    const failures: string[] = [];
    const check = (at: string, schema: unknown, example: unknown) => {
      const validate = compiled.get(schema) ?? compile(schema);
      compiled.set(schema, validate);
      if (!validate(example)) failures.push(`${at}: ${JSON.stringify(validate.errors)}`);
    };
    let checked = 0;
    for (const [at, object] of walk(document)) {
      // Schemas carry `examples: [...]`; parameters and media types `example` or named `examples`.
      if (Array.isArray(object.examples)) {
        for (const example of object.examples) check(at, object, example);
        checked += object.examples.length;
      } else if (object.schema !== undefined) {
        if (object.example !== undefined) {
          check(at, object.schema, object.example);
          checked += 1;
        }
        for (const [name, named] of Object.entries((object.examples ?? {}) as Json)) {
          check(`${at}/examples/${name}`, object.schema, (named as Json).value);
          checked += 1;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  }, 30_000);

  it('when the examples of the zod schemas are parsed by those schemas, then each passes', () => {
    for (const [name, schema] of Object.entries(schemas)) {
      if (!(schema instanceof z.ZodType)) continue;
      const examples = z.globalRegistry.get(schema)?.examples;
      for (const example of Array.isArray(examples) ? examples : []) {
        expect(schema.safeParse(example).error, name).toBeUndefined();
      }
    }
  });

  it('when a process type is registered, then its start and event examples pass its own zod schemas', () => {
    for (const type of processTypes()) {
      const definition = latestDefinition(type)!;
      const examples = processExamples[type];
      expect(examples, `examples of ${type} in api/openapi/process-examples.ts`).toBeDefined();
      const body = schemas.startBody.parse({ input: examples!.input });
      expect(definition.input.safeParse(body.input).error).toBeUndefined();
      for (const [event, payloadSchema] of Object.entries(definition.events)) {
        const payload = examples!.events[event];
        expect(payload, `example of ${type} ${event}`).toBeDefined();
        expect(schemas.eventBody.safeParse({ type: event, ...payload }).error).toBeUndefined();
        expect(payloadSchema.safeParse(payload).error, `${type} ${event}`).toBeUndefined();
      }
    }
  });

  it('when the contract lists a route, then the document has it with the contract’s answers', () => {
    for (const [method, path, statuses] of contract) {
      const operation = document.paths[path]?.[method] as Json | undefined;
      expect(operation, `${method} ${path}`).toBeDefined();
      const documented = Object.keys(operation!.responses as Json).map(Number);
      expect(documented, `${method} ${path}`).toEqual(expect.arrayContaining(statuses));
    }
    expect(document.paths['/registrierung']?.get).toBeDefined();
  });

  it('when an operation needs an API key, then it documents 401; when it is public, then it says so', () => {
    for (const { path, method, operation } of operationsOf(document)) {
      const where = `${method} ${path}`;
      const responses = operation.responses as Json;
      if (PUBLIC.includes(path)) {
        expect(operation.security, where).toEqual([]);
        continue;
      }
      expect(operation.security, where).toEqual([{ apiKey: [] }]);
      for (const status of ['401', '503']) {
        const content = (responses[status] as Json | undefined)?.content as Json | undefined;
        expect(content?.['application/problem+json'], `${where} ${status}`).toBeDefined();
      }
      if (method !== 'get') expect(responses['429'], `${where} 429`).toBeDefined();
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const types = Object.keys(((response as Json).content ?? {}) as Json);
        expect(types, `${where} ${status}`).toEqual(['application/problem+json']);
      }
    }
    expect(document.components.securitySchemes.apiKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('when an operation is a POST behind the API key, then it documents the Idempotency-Key header and its 409 and 422', () => {
    const posts = operationsOf(document).filter(
      ({ method, operation }) =>
        method === 'post' && Array.isArray(operation.security) && operation.security.length > 0,
    );

    expect(posts.length).toBeGreaterThan(10);
    for (const { path, operation } of posts) {
      const header = ((operation.parameters ?? []) as Json[]).find(
        (parameter) => parameter.name === 'Idempotency-Key',
      );
      expect(header, path).toMatchObject({ in: 'header', required: false });
      const responses = operation.responses as Record<string, Json>;
      expect(String(responses['409']?.description), path).toContain('Idempotency-Key');
      expect(String(responses['422']?.description), path).toContain('Idempotency-Key');
    }
  });

  it('when the invitation start is documented, then its input is the invitation input schema', () => {
    const { ajv } = schemaValidator(document);
    const media = (document.paths['/api/v1/processes/invitation']?.post as Json)
      .requestBody as Json;
    const schema = ((media.content as Json)['application/json'] as Json).schema as Json;
    expect(schema).toEqual({ $ref: '#/components/schemas/InvitationStartRequest' });
    const start = document.components.schemas.InvitationStartRequest!;
    const input = (start.properties as Json).input as Json;
    expect(input.$ref).toBe('#/components/schemas/InvitationInput');
    const { $schema: _dialect, ...expected } = z.toJSONSchema(
      latestDefinition('invitation')!.input,
      {
        target: 'draft-2020-12',
        io: 'input',
        unrepresentable: 'any',
      },
    );
    expect(document.components.schemas.InvitationInput).toEqual(expected);
    // The business key of an invitation is derived from its input: the body may not name one.
    const validate = ajv.getSchema('urn:praxisflow:schema:InvitationStartRequest')!;
    const example = processExamples.invitation!.input;
    expect(validate({ input: example })).toBe(true);
    expect(validate({ input: example, businessKey: '4711' })).toBe(false);
  });

  it('when the events are documented, then each event of each type is one branch of the body', () => {
    const operation = document.paths['/api/v1/processes/{id}/events']?.post as Json;
    const examples = (((operation.requestBody as Json).content as Json)['application/json'] as Json)
      .examples as Json;
    for (const type of processTypes()) {
      for (const event of Object.keys(latestDefinition(type)!.events)) {
        expect(examples[`${type}.${event}`], `${type}.${event}`).toBeDefined();
      }
    }
    const { compile } = schemaValidator(document);
    const body = compile(
      (((operation.requestBody as Json).content as Json)['application/json'] as Json).schema,
    );
    expect(body({ type: 'NO_SUCH_EVENT' })).toBe(false);
    expect(body({ type: 'DEVICE_ACTIVATED', pin: '274913' })).toBe(false);
  });

  it('when a schema cannot be expressed in JSON Schema, then it is documented loosely, not thrown', () => {
    const components = new SchemaComponents();
    const odd = z.object({
      at: z.date(),
      custom: z.custom<string>(() => true),
      big: z.bigint(),
      mapped: z.string().transform((value) => value.length),
    });
    expect(() => components.of(odd, 'input')).not.toThrow();
    expect(() => components.of(odd, 'output')).not.toThrow();
  });

  it('when it is built twice, then the same frozen document is answered', () => {
    expect(openApiDocument()).toBe(document);
    expect(Object.isFrozen(document.paths)).toBe(true);
    expect(openApiDocument({ serverUrl: 'https://api.example' }).servers).toEqual([
      { url: 'https://api.example' },
    ]);
  });
});

describe('the docs routes', () => {
  async function serve<T>(use: (baseUrl: string) => Promise<T>): Promise<T> {
    const app = express();
    app.use(docsRoutes());
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('when openapi.json is asked for, then it is the document', async () => {
    await serve(async (baseUrl) => {
      const response = await fetch(`${baseUrl}/api/v1/openapi.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
    });
  });

  it('when the docs page is asked for, then it is self-contained, escaped HTML of every operation', async () => {
    await serve(async (baseUrl) => {
      const response = await fetch(`${baseUrl}/api/v1/docs`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('content-security-policy')).toBe(DOCS_PAGE_CSP);
      const page = await response.text();
      expect(page).not.toMatch(
        /<script|<link|<img|<iframe|\bsrc=|\son[a-z]+=|href="(https?:)?\/\//i,
      );
      // The 401 example says `Bearer <key>`: escaped, never markup.
      expect(page).not.toContain('<key>');
      expect(page).toContain('Bearer &lt;key&gt;');
      for (const { path, method, operation } of operationsOf(document)) {
        expect(page).toContain(`id="op-${String(operation.operationId)}"`);
        expect(page).toContain(`${method.toUpperCase()}</span> <code>${path}</code>`);
      }
      for (const name of Object.keys(document.components.schemas)) {
        expect(page).toContain(`id="schema-${name}"`);
      }
    });
  });
});
