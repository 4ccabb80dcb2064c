import { createHash, randomBytes } from 'node:crypto';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { messagesTo, waitForMessage } from '../support/mailcatcher.js';
import { arztportalPhysician, mtanRegistrationCode, registerMtanNumber } from '../support/mtan.js';

/**
 * Secrets typed by people (registration token, activation code, PIN, mTAN, confirmation code,
 * password) never lie in Temporal's history: neither in the bytes as stored nor in what an
 * operator decodes through `/codec/decode`. The API seals them under a key the codec lacks.
 */
let api: ApiStack;
let portal: string;
const practiceId = `BSNR-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  api = await startApiStack();
  portal = await api.createKey('client', [practiceId]);
});

afterAll(async () => {
  await api?.stop();
});

/** Neither the stored bytes nor the decoded payloads hold any of the values. */
async function expectNowhereInHistory(processId: string, secrets: readonly string[]) {
  const raw = await api.rawHistory(processId);
  const decoded = await api.decodedHistory(processId);
  // The decoded history is readable (the process's own data is there), just not the secrets.
  expect(decoded).toContain(practiceId);
  expect(decoded).toContain('sealed:v1:');
  for (const secret of secrets) {
    expect(raw, `${secret} in the stored history`).not.toContain(secret);
    expect(decoded, `${secret} in the decoded history`).not.toContain(secret);
  }
}

async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await get();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${what}`);
}

describe('secrets in history', () => {
  it('when a person walks the whole invitation, then token, activation code and PIN are nowhere in its history', async () => {
    const email = `erika.${randomBytes(4).toString('hex')}@praxis.example`;
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      key: portal,
      body: { input: { firstName: 'Erika', lastName: 'Muster', email, practiceId } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const events = `/api/v1/processes/${id}/events`;
    const invitation = await waitForMessage({ to: email, subject: /Einladung/ });
    const token = /token=([A-Za-z0-9_-]{43})/.exec(invitation.text)![1]!;
    expect(
      (
        await api.request('POST', events, {
          key: portal,
          body: { type: 'REGISTRATION_STARTED', token },
        })
      ).status,
    ).toBe(200);
    // The registration page shows the activation code: the answer to this step carries it.
    const personal = await api.request('POST', events, {
      key: portal,
      body: { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-04-12' },
    });
    expect(personal.status).toBe(200);
    const [, first, second] = /^(\d{4}) (\d{4})$/.exec(
      String(personal.body.revealed?.activationCode),
    )!;
    const activationCode = `${first}${second}`;
    const pin = '275913';

    // The PIN rules still answer at the edge, naming the field, with nothing sent.
    const trivial = await api.request('POST', events, {
      key: portal,
      body: { type: 'DEVICE_ACTIVATED', activationCode, pin: '123456', pinConfirmation: '123456' },
    });
    expect(trivial.status).toBe(422);
    expect(trivial.body.errors).toContainEqual({
      path: 'pin',
      message: 'Die PIN darf keine auf- oder absteigende Ziffernfolge sein.',
    });
    const unequal = await api.request('POST', events, {
      key: portal,
      body: { type: 'DEVICE_ACTIVATED', activationCode, pin, pinConfirmation: '275914' },
    });
    expect(unequal.status).toBe(422);
    expect(unequal.body.errors).toContainEqual({
      path: 'pinConfirmation',
      message: 'Die PIN-Wiederholung stimmt nicht mit der PIN überein.',
    });

    const activated = await api.request('POST', events, {
      key: portal,
      body: {
        type: 'DEVICE_ACTIVATED',
        activationCode: `${first} ${second}`,
        pin,
        pinConfirmation: pin,
      },
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect(activated.body.state).toBe('requested');

    await expectNowhereInHistory(id, [token, activationCode, `${first} ${second}`, pin, '123456']);
  });

  it('when a physician registers for the mTAN procedure and downloads a document with the mTAN, then the code, the mTAN and the link are nowhere in the histories', async () => {
    const who = arztportalPhysician();
    const registration = await registerMtanNumber(api, portal, practiceId, who);
    const code = await mtanRegistrationCode(who.smsTo);
    await expectNowhereInHistory(registration, [code]);
    const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]);
    const operator = await api.createKey('operator');
    const form = new FormData();
    form.set(
      'metadata',
      JSON.stringify({
        practiceId,
        kind: 'abrechnungsnachweis',
        title: 'Abrechnungsnachweis Quartal 1/2026',
        physician: { name: who.name, email: who.email, haevgId: who.haevgId, lanr: who.lanr },
        sha256: createHash('sha256').update(content).digest('hex'),
      }),
    );
    form.set('file', new Blob([content], { type: 'application/pdf' }), 'q1.pdf');
    const uploaded = await fetch(`${api.baseUrl}/api/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const documentId = ((await uploaded.json()) as { document: { id: string } }).document.id;
    const processId = `documentDelivery-${documentId}`;
    expect(
      (
        await api.request('POST', `/api/v1/processes/${processId}/events`, {
          key: portal,
          body: { type: 'DOWNLOAD_REQUESTED' },
        })
      ).status,
    ).toBe(200);
    const tan = await until('mTAN', async () => {
      const sms = (await messagesTo(who.smsTo)).find((m) => /ist Ihre mTAN/.test(m.text));
      return sms ? /^(\d{6}) ist Ihre mTAN/.exec(sms.text)?.[1] : undefined;
    });
    const link = await api.request('POST', `/api/v1/documents/${documentId}/download-token`, {
      key: portal,
      body: { tan },
    });
    expect(link.status).toBe(201);
    const download = await fetch(api.baseUrl + link.body.href);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);

    await expectNowhereInHistory(processId, [tan, link.body.token as string]);
  });

  it('when a practice confirms its channel with the code, then the code is nowhere in its history', async () => {
    const email = `praxis.${randomBytes(4).toString('hex')}@praxis.example`;
    const started = await api.request('POST', '/api/v1/processes/contactVerification', {
      key: portal,
      body: {
        input: {
          practiceId,
          practiceName: 'Praxis Dr. Beispiel',
          channel: 'email',
          address: email,
        },
      },
    });
    expect(started.status).toBe(201);
    const mail = await waitForMessage({ to: email, subject: /Bestätigung/ });
    const code = /\b([3467ACDEFGHJKMNPQRTUVWXY9]{4}) ([3467ACDEFGHJKMNPQRTUVWXY9]{4})\b/.exec(
      mail.text,
    )!;
    const confirmed = await api.request('POST', `/api/v1/processes/${started.body.id}/events`, {
      key: portal,
      body: { type: 'CODE_SUBMITTED', code: code[0] },
    });
    expect(confirmed.body.stateLabel).toBe('Bestätigt');

    await expectNowhereInHistory(started.body.id as string, [
      code[0],
      `${code[1]}${code[2]}`,
      `${code[1]}${code[2]}`.toLowerCase(),
    ]);
  });

  it('when a physician signs in with the password from the letter, then the password is nowhere in the history of the access', async () => {
    const postcode = String(10_000 + Math.floor(Math.random() * 89_999));
    const started = await api.request('POST', '/api/v1/processes/accountCredentials', {
      key: portal,
      body: {
        input: {
          practiceId,
          holderName: 'Dr. med. Lea Sommer',
          address: { name: 'Dr. med. Lea Sommer', street: 'Am Hang 1', postcode, city: 'Bonn' },
        },
      },
    });
    expect(started.status).toBe(201);
    const userName = started.body.businessKey as string;
    const letter = await until('letter', async () => {
      const [first] = await messagesTo(`brief+${postcode}@post.praxisflow.localhost`);
      if (!first) return undefined;
      const pdf = new Uint8Array(first.attachments[0]!.content);
      return (await extractText(pdf, { mergePages: true })).text;
    });
    const password = /Initialpasswort\n([^\n]+)\n/.exec(letter)![1]!.replace(/ /g, '');
    const signIn = await api.request('POST', '/api/v1/credentials/verify', {
      key: portal,
      body: { userName, password },
    });
    expect(signIn.body).toMatchObject({ valid: true });

    // The access's history is readable but has no secret of its own to seal.
    const raw = await api.rawHistory(started.body.id as string);
    const decoded = await api.decodedHistory(started.body.id as string);
    expect(decoded).toContain(practiceId);
    expect(raw).not.toContain(password);
    expect(decoded).not.toContain(password);
  });
});
