import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { waitForMessage } from '../support/mailcatcher.js';

let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack();
});

afterAll(async () => {
  await api?.stop();
});

const invitee = () => ({
  salutation: 'Herr',
  firstName: 'Max',
  lastName: 'Mustermann',
  email: `max.${randomBytes(4).toString('hex')}@praxis.example`,
  practiceId: 'BSNR-987654321',
});

describe('the processes API', () => {
  it('when an invitation is started, then it answers 201 with Location and the view, and the email arrives with a working link', async () => {
    const input = invitee();
    const created = await api.request('POST', '/api/v1/processes/invitation', { body: { input } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/processes/${created.body.id}`);
    expect(created.body).toMatchObject({
      type: 'invitation',
      version: 2,
      practiceId: 'BSNR-987654321',
      state: 'registration.invited',
      stateLabel: 'Eingeladen',
      status: 'active',
    });
    // The id and business key carry no personal data.
    expect(created.body.id).not.toContain(input.email.split('@')[0]);
    expect(created.body.businessKey).toMatch(/^[0-9a-f]{32}$/);

    const mail = await waitForMessage({ to: input.email, timeoutMs: 20_000 });
    expect(mail.subject).toMatch(/Einladung/);
    expect(mail.html).toContain('Sehr geehrter Herr Mustermann');
    // The link names the process and carries the token: all a portal needs, at every step.
    const href = new RegExp(`${api.publicBaseUrl}/registrierung\\?\\S+`).exec(mail.text)?.[0];
    expect(href).toBeDefined();
    const link = new URL(href!);
    expect(link.searchParams.get('prozess')).toBe(created.body.id);
    const token = link.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.subject).not.toContain(token);
    // In development the link lands on the API, which says what the portal would do with it.
    const landing = await fetch(`${api.baseUrl}${link.pathname}${link.search}`);
    expect(landing.status).toBe(200);
    expect(landing.headers.get('cache-control')).toBe('no-store');
    const page = await landing.text();
    expect(page).toContain('Ihre Registrierung steht bei: Eingeladen.');
    expect(page).toContain('REGISTRATION_STARTED');

    const location = created.headers.get('location')!;
    const fetched = await api.request('GET', location);
    expect(fetched.status).toBe(200);
    expect(JSON.stringify(fetched.body)).not.toContain(token);

    const started = await api.request(
      'POST',
      `/api/v1/processes/${link.searchParams.get('prozess')}/events`,
      {
        body: { type: 'REGISTRATION_STARTED', token },
      },
    );
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      state: 'registration.personalData',
      stateLabel: 'Persönliche Daten',
    });

    // The same link again: the step the person is at, never the old one.
    const again = await fetch(`${api.baseUrl}${link.pathname}${link.search}`);
    expect(await again.text()).toContain('Ihre Registrierung steht bei: Persönliche Daten.');

    // Into the Geräteregistrierung: the answer shows the activation code, once.
    const device = await api.request('POST', `/api/v1/processes/${created.body.id}/events`, {
      body: { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17' },
    });
    expect(device.status).toBe(200);
    expect(device.body.stateLabel).toBe('Geräteregistrierung');
    const code = device.body.revealed?.activationCode as string;
    expect(code).toMatch(/^\d{4} \d{4}$/);
    const later = await api.request('GET', location);
    expect(JSON.stringify(later.body)).not.toContain(code);
    expect(later.body.revealed).toBeUndefined();
    const history = await api.request('GET', `${location}/history`);
    expect(JSON.stringify(history.body)).not.toContain(code);

    // What lies in Temporal's history is encrypted: no name, address, token or code in the clear.
    const stored = await api.rawHistory(created.body.id);
    expect(stored).toContain('binary/encrypted');
    for (const secret of [input.email, input.lastName, token, code, code.replace(' ', '')])
      expect(stored).not.toContain(secret);

    // Once the registration has ended, the link says so in German, and shows no step.
    await api.request('POST', `/api/v1/processes/${created.body.id}/events`, {
      body: { type: 'INVITATION_REVOKED' },
    });
    const ended = await fetch(`${api.baseUrl}${link.pathname}${link.search}`);
    expect(ended.status).toBe(200);
    const endedPage = await ended.text();
    expect(endedPage).toContain('Diese Einladung wurde widerrufen');
    expect(endedPage).not.toContain('steht bei');
    expect(endedPage).not.toContain('REGISTRATION_STARTED');
  });

  it('when a registration link is cut off or leads nowhere, then a German page says so', async () => {
    const cut = await fetch(`${api.baseUrl}/registrierung?prozess=invitation-abc`);
    expect(cut.status).toBe(400);
    expect(await cut.text()).toContain('Dieser Link ist unvollständig');
    const nowhere = await fetch(
      `${api.baseUrl}/registrierung?prozess=invitation-${'0'.repeat(32)}&token=${'A'.repeat(43)}`,
    );
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers.get('content-type')).toContain('text/html');
    expect(await nowhere.text()).toContain('Diese Registrierung gibt es nicht');
  });

  it('when the same person is invited twice while the first runs, then the second answers 409', async () => {
    const input = invitee();
    expect(
      (await api.request('POST', '/api/v1/processes/invitation', { body: { input } })).status,
    ).toBe(201);
    const again = await api.request('POST', '/api/v1/processes/invitation', {
      body: { input: { ...input, email: input.email.toUpperCase() } },
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body).toMatchObject({ status: 409, title: 'Conflict' });
  });

  it('when the input is invalid, then 422 lists every field error', async () => {
    const response = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: 'Dr',
          firstName: '',
          lastName: 'X',
          email: 'not-an-email',
          practiceId: 'P1',
        },
      },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const paths = (response.body.errors as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining(['input.salutation', 'input.firstName', 'input.email']),
    );
  });

  it('when the type or the id is unknown, then 404 as problem+json', async () => {
    const type = await api.request('POST', '/api/v1/processes/nosuchthing', {
      body: { input: {} },
    });
    expect(type.status).toBe(404);
    expect(type.body.detail).toContain('nosuchthing');
    const id = await api.request('GET', '/api/v1/processes/invitation-doesnotexist');
    expect(id.status).toBe(404);
    const events = await api.request('POST', '/api/v1/processes/invitation-doesnotexist/events', {
      body: { type: 'INVITATION_REVOKED' },
    });
    expect(events.status).toBe(404);
  });

  it('when no or a wrong API key is given, then 401 and nothing starts', async () => {
    const input = invitee();
    const none = await api.request('POST', '/api/v1/processes/invitation', {
      body: { input },
      key: null,
    });
    expect(none.status).toBe(401);
    const wrong = await api.request('POST', '/api/v1/processes/invitation', {
      body: { input },
      key: 'pf_wrong',
    });
    expect(wrong.status).toBe(401);
    const retry = await api.request('POST', '/api/v1/processes/invitation', { body: { input } });
    expect(retry.status).toBe(201);
  });

  it('when an event is not allowed now or its payload is bad, then 409 with the allowed events or 422 with the fields', async () => {
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: { input: invitee() },
    });
    const events = `/api/v1/processes/${created.body.id}/events`;
    // Wait until the link activity has fed its result back (step 1), so history is at rest.
    for (let i = 0; i < 100; i += 1) {
      if ((await api.request('GET', `/api/v1/processes/${created.body.id}`)).body.step >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // …and its last workflow task (with the read model's marker) is written.
    let historyBefore = await api.historyLength(created.body.id);
    for (let i = 0; i < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const now = await api.historyLength(created.body.id);
      if (now === historyBefore) break;
      historyBefore = now;
    }
    const early = await api.request('POST', events, { body: { type: 'REGISTRATION_APPROVED' } });
    expect(early.status).toBe(409);
    expect(early.body.allowedEvents).toEqual(
      expect.arrayContaining(['REGISTRATION_STARTED', 'INVITATION_REVOKED']),
    );
    const badToken = await api.request('POST', events, {
      body: { type: 'REGISTRATION_STARTED', token: 42 },
    });
    expect(badToken.status).toBe(422);
    expect(badToken.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'token' })]),
    );
    const unknown = await api.request('POST', events, {
      body: { type: 'REGISTRATION_TOKEN_ACCEPTED' },
    });
    expect(unknown.status).toBe(422);
    const malformed = await api.request('POST', events, { raw: '{"type": ' });
    expect(malformed.status).toBe(400);
    expect((await api.request('GET', `/api/v1/processes/${created.body.id}`)).body.state).toBe(
      'registration.invited',
    );
    // Refused before history: the real server keeps not a single event of them.
    expect(await api.historyLength(created.body.id)).toBe(historyBefore);
  });

  it('when the machines are listed, then each type has its German states, events, timers and a diagram', async () => {
    const list = await api.request('GET', '/api/v1/machines');
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        { type: 'invitation', version: 2, title: 'Einladung eines Benutzers' },
      ]),
    );
    const machine = await api.request('GET', '/api/v1/machines/invitation');
    expect(machine.status).toBe(200);
    const states = machine.body.states as {
      id: string;
      label: string | null;
      final: boolean;
      events: string[];
    }[];
    expect(states.find((s) => s.id === 'registration.invited')).toMatchObject({
      label: 'Eingeladen',
      final: false,
    });
    // The link and a new invitation work at every step of the registration.
    expect(states.find((s) => s.id === 'registration')).toMatchObject({
      events: expect.arrayContaining(['REGISTRATION_STARTED', 'INVITATION_RESENT']),
    });
    expect(states.find((s) => s.id === 'locked')).toMatchObject({ label: 'Gesperrt', final: true });
    expect(machine.body.timers).toEqual(
      expect.arrayContaining([
        { name: 'invitationExpiry', defaultMs: 720 * 3_600_000, states: ['registration'] },
        { name: 'invitationReminder', defaultMs: 696 * 3_600_000, states: ['registration'] },
      ]),
    );
    expect(machine.body.mermaid).toContain('stateDiagram-v2');
    expect(machine.body.mermaid).toContain('registration__invited --> registration__personalData');
    expect((await api.request('GET', '/api/v1/machines/nope')).status).toBe(404);
  });

  it('when health is asked, then Temporal and SMTP report up', async () => {
    const health = await api.request('GET', '/healthz', { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'up',
      parts: { temporal: { status: 'up' }, smtp: { status: 'up' } },
    });
  });
});
