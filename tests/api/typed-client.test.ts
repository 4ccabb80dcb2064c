import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPraxisflowClient } from '../../clients/typescript/src/index.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

/** The TypeScript client (clients/typescript) against the real API. */

let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack();
});

afterAll(async () => {
  await api?.stop();
});

const invitation = () => ({
  input: {
    salutation: 'Frau' as const,
    firstName: 'Erika',
    lastName: 'Mustermann',
    email: `erika.${randomBytes(4).toString('hex')}@praxis.example`,
    practiceId: 'BSNR-123456789',
  },
});

describe('the TypeScript client', () => {
  it('when it starts an invitation, reads it and sends an event, then each answer is the typed view', async () => {
    const client = createPraxisflowClient({ baseUrl: api.baseUrl, apiKey: api.adminKey });

    const started = await client.POST('/api/v1/processes/invitation', { body: invitation() });
    const id = started.data?.id ?? '';
    const read = await client.GET('/api/v1/processes/{id}', { params: { path: { id } } });
    const resent = await client.POST('/api/v1/processes/{id}/events', {
      params: { path: { id } },
      body: { type: 'INVITATION_RESENT' },
    });

    expect(started.response.status).toBe(201);
    expect(started.response.headers.get('location')).toBe(`/api/v1/processes/${id}`);
    expect(started.data).toMatchObject({ type: 'invitation', stateLabel: 'Eingeladen' });
    expect(read.response.status).toBe(200);
    expect(read.data).toMatchObject({ id, state: 'registration.invited', status: 'active' });
    expect(resent.response.status).toBe(200);
    expect(resent.data).toMatchObject({ id, stateLabel: 'Eingeladen' });
  });

  it('when a start is sent again with the same idempotency key, then it returns the same process', async () => {
    const client = createPraxisflowClient({ baseUrl: api.baseUrl, apiKey: api.adminKey });
    const body = invitation();
    const header = { 'Idempotency-Key': randomUUID() };

    const first = await client.POST('/api/v1/processes/invitation', { params: { header }, body });
    const again = await client.POST('/api/v1/processes/invitation', { params: { header }, body });

    expect(first.response.status).toBe(201);
    expect(again.response.status).toBe(201);
    expect(again.data?.id).toBe(first.data?.id);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
  });

  it('when the network loses the answer of a start, then the client sends it again with the same key and gets the process it started', async () => {
    const sent: Request[] = [];
    let lose = true;
    const client = createPraxisflowClient({
      baseUrl: api.baseUrl,
      apiKey: api.adminKey,
      retryDelayMs: 10,
      // The request arrives and runs; its answer is lost once on the way back.
      fetch: async (request) => {
        sent.push(request.clone());
        const response = await fetch(request);
        if (lose) {
          lose = false;
          await response.body?.cancel();
          throw new TypeError('fetch failed');
        }
        return response;
      },
    });

    const started = await client.POST('/api/v1/processes/invitation', { body: invitation() });

    expect(sent).toHaveLength(2);
    const keys = sent.map((request) => request.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(started.response.status).toBe(201);
    expect(started.response.headers.get('idempotent-replayed')).toBe('true');
    const read = await client.GET('/api/v1/processes/{id}', {
      params: { path: { id: started.data?.id ?? '' } },
    });
    expect(read.response.status).toBe(200);
  });

  it('when two starts are separate calls, then each gets a key of its own', async () => {
    const keys: (string | null)[] = [];
    const client = createPraxisflowClient({
      baseUrl: api.baseUrl,
      apiKey: api.adminKey,
      fetch: (request) => {
        keys.push(request.headers.get('idempotency-key'));
        return fetch(request);
      },
    });

    await client.POST('/api/v1/processes/invitation', { body: invitation() });
    await client.POST('/api/v1/processes/invitation', { body: invitation() });
    await client.GET('/api/v1/machines');

    expect(keys).toHaveLength(3);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBeNull();
  });
});
