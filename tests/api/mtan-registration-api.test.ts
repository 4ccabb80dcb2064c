import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { messagesTo } from '../support/mailcatcher.js';
import {
  arztportalPhysician,
  mtanRegistrationCode,
  registerMtanNumber,
  type ArztportalPhysician,
} from '../support/mtan.js';

/**
 * The Registrierung zum mTAN-Verfahren through the real API, worker, Postgres and mail catcher
 * (SMS land there as `sms+<number>@sms.praxisflow.localhost`): the portal registers the
 * physician's mobile number, the code from the SMS confirms it, and from then on — and only
 * then — a document download sends its mTAN to that number, never to one from the upload.
 */
let api: ApiStack;
let operator: string;
let portal: string;
let stranger: string;
const practiceId = `BSNR-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  api = await startApiStack();
  operator = await api.createKey('operator');
  portal = await api.createKey('client', [practiceId]);
  stranger = await api.createKey('client', ['BSNR-somebody-else']);
});

afterAll(async () => {
  await api?.stop();
});

/** A document for the physician, with a mobile number in the upload that must not be used. */
async function upload(who: ArztportalPhysician, uploadMobile: string) {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]);
  const form = new FormData();
  form.set(
    'metadata',
    JSON.stringify({
      practiceId,
      kind: 'abrechnungsnachweis',
      title: 'Abrechnungsnachweis Quartal 1/2026',
      physician: {
        name: who.name,
        email: who.email,
        haevgId: who.haevgId,
        lanr: who.lanr,
        mobile: uploadMobile,
      },
      sha256: createHash('sha256').update(content).digest('hex'),
    }),
  );
  form.set('file', new Blob([content], { type: 'application/pdf' }), 'q1.pdf');
  const response = await fetch(`${api.baseUrl}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}` },
    body: form,
  });
  expect(response.status).toBe(201);
  const id = ((await response.json()) as { document: { id: string } }).document.id;
  return { id, processId: `documentDelivery-${id}` };
}

const requestDownload = (processId: string) =>
  api.request('POST', `/api/v1/processes/${processId}/events`, {
    key: portal,
    body: { type: 'DOWNLOAD_REQUESTED' },
  });

async function mtansTo(smsTo: string, count: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const tans = (await messagesTo(smsTo))
      .map((sms) => /^(\d{6}) ist Ihre mTAN/.exec(sms.text)?.[1])
      .filter((tan): tan is string => tan !== undefined);
    if (tans.length >= count) return tans;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fewer than ${count} mTANs to ${smsTo}`);
}

const otherNumber = () => {
  const digits = `160${String(10_000_000 + (randomBytes(4).readUInt32BE(0) % 89_999_999))}`;
  return { mobile: `0${digits}`, smsTo: `sms+49${digits}@sms.praxisflow.localhost` };
};

describe('Registrierung zum mTAN-Verfahren', () => {
  it('when a document is downloaded before the registration, then 409 in German names the allowed events and no SMS goes out', async () => {
    const who = arztportalPhysician();
    const { processId } = await upload(who, who.mobile);
    const refused = await requestDownload(processId);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(refused.body).toMatchObject({
      detail: 'Bitte registrieren Sie sich zuerst zum mTAN-Verfahren.',
      allowedEvents: ['DOWNLOAD_REQUESTED'],
    });
    const view = await api.request('GET', `/api/v1/processes/${processId}`, { key: portal });
    expect(view.body).toMatchObject({
      state: 'retained.available',
      context: { tansSent: 0, notice: 'Bitte registrieren Sie sich zuerst zum mTAN-Verfahren.' },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await messagesTo(who.smsTo)).toEqual([]);
  });

  it('when the number is confirmed with the SMS code, then the download’s mTAN goes to it and opens the download, not to the upload’s number', async () => {
    const who = arztportalPhysician();
    const started = await api.request('POST', '/api/v1/processes/mtanRegistration', {
      key: portal,
      body: {
        input: { practiceId, haevgId: who.haevgId, lanr: who.lanr, mobile: who.mobile },
      },
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      state: 'pending',
      stateLabel: 'Bestätigung ausstehend',
      allowedEvents: ['CODE_SUBMITTED', 'CODE_RESENT', 'MOBILE_CHANGED'],
    });
    // The business key is a keyed hash: neither the HÄVG-ID nor the LANR is in the id.
    expect(started.body.id).not.toContain(who.lanr);
    expect(started.body.id).not.toContain(who.haevgId);
    const code = await mtanRegistrationCode(who.smsTo);
    const [sms] = await messagesTo(who.smsTo);
    expect(sms!.text.trim()).toBe(
      `${code} ist Ihr Bestätigungscode für die Registrierung zum mTAN-Verfahren im ` +
        'Arztportal. Gültig 15 Minuten. Geben Sie ihn nicht weiter.',
    );

    const foreign = await api.request('POST', `/api/v1/processes/${started.body.id}/events`, {
      key: stranger,
      body: { type: 'CODE_SUBMITTED', code },
    });
    expect(foreign.status).toBe(404);
    const confirmed = await api.request('POST', `/api/v1/processes/${started.body.id}/events`, {
      key: portal,
      body: { type: 'CODE_SUBMITTED', code },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      state: 'registered',
      stateLabel: 'Mobilfunknummer bestätigt',
      context: { mtanNumber: { mobile: `+49${who.mobile.slice(1)}` } },
    });
    expect(JSON.stringify(confirmed.body)).not.toContain(code);

    const elsewhere = otherNumber();
    const { id, processId } = await upload(who, elsewhere.mobile);
    const asked = await requestDownload(processId);
    expect(asked.status).toBe(200);
    expect(asked.body.stateLabel).toBe('mTAN gesendet');
    const [tan] = await mtansTo(who.smsTo, 1);
    const link = await api.request('POST', `/api/v1/documents/${id}/download-token`, {
      key: portal,
      body: { tan },
    });
    expect(link.status).toBe(201);
    expect(await messagesTo(elsewhere.smsTo)).toEqual([]);
  });

  it('when the number changes, then mTANs go to the old one until the new one is confirmed', async () => {
    const who = arztportalPhysician();
    const registration = await registerMtanNumber(api, portal, practiceId, who);
    const next = otherNumber();
    const changed = await api.request('POST', `/api/v1/processes/${registration}/events`, {
      key: portal,
      body: { type: 'MOBILE_CHANGED', mobile: next.mobile },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.state).toBe('pending');
    const { processId } = await upload(who, next.mobile);
    expect((await requestDownload(processId)).status).toBe(200);
    await mtansTo(who.smsTo, 1);
    expect((await messagesTo(next.smsTo)).filter((sms) => /ist Ihre mTAN/.test(sms.text))).toEqual(
      [],
    );

    const confirmed = await api.request('POST', `/api/v1/processes/${registration}/events`, {
      key: portal,
      body: { type: 'CODE_SUBMITTED', code: await mtanRegistrationCode(next.smsTo) },
    });
    expect(confirmed.body.stateLabel).toBe('Mobilfunknummer bestätigt');
    expect((await requestDownload(processId)).status).toBe(200);
    await mtansTo(next.smsTo, 1);
    expect(await mtansTo(who.smsTo, 1)).toHaveLength(1);
  });

  it('when wrong codes are entered, then each is refused with the tries left; after 5 the registration is locked until tomorrow', async () => {
    const who = arztportalPhysician();
    const started = await api.request('POST', '/api/v1/processes/mtanRegistration', {
      key: portal,
      body: {
        input: { practiceId, haevgId: who.haevgId, lanr: who.lanr, mobile: who.mobile },
      },
    });
    const id = started.body.id as string;
    const code = await mtanRegistrationCode(who.smsTo);
    const wrong = code === '000000' ? '111111' : '000000';
    const submit = (value: string) =>
      api.request('POST', `/api/v1/processes/${id}/events`, {
        key: portal,
        body: { type: 'CODE_SUBMITTED', code: value },
      });

    const malformed = await submit('12ab');
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors).toEqual([
      { path: 'code', message: 'Der Bestätigungscode besteht aus 6 Ziffern.' },
    ]);
    for (let left = 4; left >= 1; left--) {
      const refused = await submit(wrong);
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toBe(
        `Der Bestätigungscode ist falsch. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`,
      );
    }
    const fifth = await submit(wrong);
    expect(fifth.status).toBe(422);
    expect(fifth.body.detail).toMatch(/bis morgen gesperrt/);

    // Locked: the right code is no longer taken, and no new code goes out today.
    const right = await submit(code);
    expect(right.status).toBe(409);
    expect(right.body.allowedEvents).toEqual(['CODE_RESENT', 'MOBILE_CHANGED']);
    const resend = await api.request('POST', `/api/v1/processes/${id}/events`, {
      key: portal,
      body: { type: 'CODE_RESENT' },
    });
    expect(resend.status).toBe(409);
    expect(resend.body.detail).toBe(
      'Nach 5 Fehlversuchen ist die Registrierung bis morgen gesperrt.',
    );
    const view = await api.request('GET', `/api/v1/processes/${id}`, { key: portal });
    expect(view.body).toMatchObject({ state: 'locked', stateLabel: 'Gesperrt' });
    expect(view.body.context.mtanNumber).toBeNull();
    expect(await messagesTo(who.smsTo)).toHaveLength(1);
  });

  it('when the portal asks for a new code, then the old one is dead and the new one confirms', async () => {
    const who = arztportalPhysician();
    const started = await api.request('POST', '/api/v1/processes/mtanRegistration', {
      key: portal,
      body: {
        input: { practiceId, haevgId: who.haevgId, lanr: who.lanr, mobile: who.mobile },
      },
    });
    const id = started.body.id as string;
    const first = await mtanRegistrationCode(who.smsTo, 1);
    const resent = await api.request('POST', `/api/v1/processes/${id}/events`, {
      key: portal,
      body: { type: 'CODE_RESENT' },
    });
    expect(resent.status).toBe(200);
    const second = await mtanRegistrationCode(who.smsTo, 2);
    if (first !== second) {
      const old = await api.request('POST', `/api/v1/processes/${id}/events`, {
        key: portal,
        body: { type: 'CODE_SUBMITTED', code: first },
      });
      expect(old.status).toBe(422);
    }
    const confirmed = await api.request('POST', `/api/v1/processes/${id}/events`, {
      key: portal,
      body: { type: 'CODE_SUBMITTED', code: second },
    });
    expect(confirmed.body.stateLabel).toBe('Mobilfunknummer bestätigt');

    // A second registration of the same physician in the same practice is the same process.
    const again = await api.request('POST', '/api/v1/processes/mtanRegistration', {
      key: portal,
      body: {
        input: { practiceId, haevgId: who.haevgId, lanr: who.lanr, mobile: who.mobile },
      },
    });
    expect(again.status).toBe(409);
  });
});
