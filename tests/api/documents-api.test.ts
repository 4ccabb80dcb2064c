import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { messagesTo, waitForMessage } from '../support/mailcatcher.js';
import { arztportalPhysician, registerMtanNumber } from '../support/mtan.js';

/**
 * Portal documents through the real API, worker, Postgres and mail catcher: the back office
 * uploads, the physician is told by email, asks for an mTAN that arrives by SMS, trades it for
 * a one-time link, and downloads exactly the bytes that were uploaded — once.
 */
let api: ApiStack;
let operator: string;
let portal: string;
let stranger: string;
const practiceId = `BSNR-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  api = await startApiStack({ maxDocumentBytes: 256 * 1024 });
  operator = await api.createKey('operator');
  portal = await api.createKey('client', [practiceId]);
  stranger = await api.createKey('client', ['BSNR-somebody-else']);
});

afterAll(async () => {
  await api?.stop();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

interface UploadOptions {
  readonly content?: Buffer;
  readonly type?: string;
  readonly fileName?: string;
  readonly metadata?: unknown;
  readonly key?: string;
}

async function upload(options: UploadOptions = {}) {
  const who = arztportalPhysician();
  const content = options.content ?? pdf(40_000);
  const form = new FormData();
  form.set(
    'metadata',
    JSON.stringify(
      options.metadata ?? {
        practiceId,
        kind: 'abrechnungsnachweis',
        title: 'Abrechnungsnachweis Quartal 4/2025',
        physician: { name: who.name, email: who.email, haevgId: who.haevgId, lanr: who.lanr },
        sha256: sha256(content),
      },
    ),
  );
  form.set(
    'file',
    new Blob([content], { type: options.type ?? 'application/pdf' }),
    options.fileName ?? 'Abrechnung Q4 – Müller.pdf',
  );
  const response = await fetch(`${api.baseUrl}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.key ?? operator}` },
    body: form,
  });
  const body = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return { response, body, who, content };
}

const documentCount = async () =>
  (await api.database.pool.query<{ n: number }>('select count(*)::int as n from documents'))
    .rows[0]!.n;

async function tanFrom(smsTo: string, count: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    // The SMS of the mTAN registration went to the same number first.
    const tans = (await messagesTo(smsTo))
      .map((sms) => /^(\d{6}) ist Ihre mTAN/.exec(sms.text)?.[1])
      .filter((tan): tan is string => tan !== undefined);
    if (tans.length >= count) return tans[count - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mTAN number ${count} to ${smsTo}`);
}

describe('documents: upload', () => {
  it('stores the file encrypted, starts its delivery and announces it by email without content', async () => {
    const { response, body, who, content } = await upload();
    expect(response.status).toBe(201);
    const id = body.document.id as string;
    expect(id).toMatch(/^D-\d{4}-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/);
    expect(response.headers.get('location')).toBe(`/api/v1/documents/${id}`);
    expect(body.document).toMatchObject({
      practiceId,
      size: content.length,
      sha256: sha256(content),
      contentType: 'application/pdf',
      fileName: 'Abrechnung Q4 – Müller.pdf',
      purgedAt: null,
    });
    expect(body.process).toMatchObject({
      id: `documentDelivery-${id}`,
      state: 'retained.available',
      stateLabel: 'Bereitgestellt',
    });
    const mail = await waitForMessage({ to: who.email, subject: /Neues Dokument/ });
    expect(mail.attachments).toEqual([]);
    expect(mail.text).toContain(id);

    // At rest the bytes are not there in the clear: not even the PDF header.
    const { rows } = await api.database.pool.query<{ sealed: Buffer }>(
      'select sealed from document_chunks where document_id = $1',
      [id],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.sealed.includes(content.subarray(0, 64))).toBe(false);
    expect(Buffer.concat(rows.map((row) => row.sealed)).includes(Buffer.from('%PDF'))).toBe(false);

    const described = await api.request('GET', `/api/v1/documents/${id}`, { key: portal });
    expect(described.status).toBe(200);
    expect(described.body.sha256).toBe(sha256(content));
    expect((await api.request('GET', `/api/v1/documents/${id}`, { key: stranger })).status).toBe(
      404,
    );
  });

  it('refuses bad uploads with a clear problem and stores nothing', async () => {
    const before = await documentCount();
    const json = await api.request('POST', '/api/v1/documents', {
      key: operator,
      body: { metadata: {} },
    });
    expect(json.status).toBe(415);
    expect(json.headers.get('content-type')).toMatch(/problem\+json/);

    const zip = await upload({ type: 'application/zip' });
    expect(zip.response.status).toBe(415);
    expect(zip.body.detail).toMatch(/application\/pdf/);

    const notPdf = await upload({ content: Buffer.from('GIF89a not a pdf at all') });
    expect(notPdf.response.status).toBe(422);
    expect(notPdf.body.errors).toEqual([
      { path: 'file', message: 'its content does not look like application/pdf' },
    ]);

    const content = pdf(1000);
    const wrongSum = await upload({
      content,
      metadata: {
        practiceId,
        kind: 'abrechnungsnachweis',
        title: 'x',
        physician: { name: 'A', email: 'a@praxis.example', haevgId: 'H-1', lanr: '123456789' },
        sha256: sha256(Buffer.from('something else')),
      },
    });
    expect(wrongSum.response.status).toBe(422);
    expect(wrongSum.body.errors[0].path).toBe('metadata.sha256');

    const tooLarge = await upload({ content: pdf(300 * 1024) });
    expect(tooLarge.response.status).toBe(413);

    const badMetadata = await upload({
      metadata: { practiceId, kind: 'rezept', title: 'x', physician: { name: 'A' } },
    });
    expect(badMetadata.response.status).toBe(422);
    expect(badMetadata.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['metadata.kind', 'metadata.physician.email']),
    );

    // Broken multipart bodies: a 400 each, and the API keeps answering.
    for (const raw of [
      '--b\r\nContent-Disposition: form-data; name="metadata"\r\nbroken header line\r\n\r\n{}\r\n--b--',
      '--b\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n\r\n%PDF-1.7 cut off',
      'no boundary at all',
    ]) {
      const broken = await fetch(`${api.baseUrl}/api/v1/documents`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${operator}`,
          'content-type': 'multipart/form-data; boundary=b',
        },
        body: raw,
      });
      expect(broken.status, raw).toBe(400);
      expect(broken.headers.get('content-type')).toMatch(/problem\+json/);
    }
    const noBoundary = await fetch(`${api.baseUrl}/api/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'multipart/form-data' },
      body: 'x',
    });
    expect(noBoundary.status).toBe(400);
    expect((await fetch(`${api.baseUrl}/healthz`)).status).toBe(200);

    const byPractice = await upload({ key: portal });
    expect(byPractice.response.status).toBe(403);

    const generic = await api.request('POST', '/api/v1/processes/documentDelivery', {
      body: { input: {} },
    });
    expect(generic.status).toBe(422);
    expect(generic.body.detail).toMatch(/POST \/api\/v1\/documents/);

    expect(await documentCount()).toBe(before);
  });
});

describe('documents: download with mTAN', () => {
  it('gives the uploaded bytes once for the mTAN from the SMS, and audits the download', async () => {
    const { body, who, content } = await upload({ content: pdf(200_000) });
    const id = body.document.id as string;
    const processId = `documentDelivery-${id}`;
    await registerMtanNumber(api, portal, practiceId, who);

    const asked = await api.request('POST', `/api/v1/processes/${processId}/events`, {
      key: portal,
      body: { type: 'DOWNLOAD_REQUESTED' },
    });
    expect(asked.status).toBe(200);
    expect(asked.body.stateLabel).toBe('mTAN gesendet');
    const tan = await tanFrom(who.smsTo, 1);
    expect(JSON.stringify(asked.body)).not.toContain(tan);

    // The TAN goes only through the documents route, which hands out the link.
    const generic = await api.request('POST', `/api/v1/processes/${processId}/events`, {
      body: { type: 'TAN_SUBMITTED', tan },
    });
    expect(generic.status).toBe(403);
    const foreign = await api.request('POST', `/api/v1/documents/${id}/download-token`, {
      key: stranger,
      body: { tan },
    });
    expect(foreign.status).toBe(404);
    const wrong = await api.request('POST', `/api/v1/documents/${id}/download-token`, {
      key: portal,
      body: { tan: tan === '000000' ? '111111' : '000000' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toBe('Die mTAN ist falsch. Noch 2 Versuche.');

    const link = await api.request('POST', `/api/v1/documents/${id}/download-token`, {
      key: portal,
      body: { tan },
    });
    expect(link.status).toBe(201);
    expect(link.body.href).toBe(`/api/v1/documents/${id}/content?token=${link.body.token}`);
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);

    const forged = await fetch(
      `${api.baseUrl}/api/v1/documents/${id}/content?token=${'A'.repeat(43)}`,
    );
    expect(forged.status).toBe(404);
    expect(forged.headers.get('content-disposition')).toBeNull();

    const download = await fetch(api.baseUrl + link.body.href);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Abrechnung Q4 _ M_ller.pdf"; filename*=UTF-8''${encodeURIComponent('Abrechnung Q4 – Müller.pdf')}`,
    );
    expect(download.headers.get('cache-control')).toMatch(/no-store/);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(content));
    expect(bytes.equals(content)).toBe(true);

    const again = await fetch(api.baseUrl + link.body.href);
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toMatch(/problem\+json/);
    // A used link, a forged one and one to no document answer alike, and none echoes its token.
    const used = (await again.json()) as Record<string, unknown>;
    const unknown = await fetch(
      `${api.baseUrl}/api/v1/documents/D-2026-AAAAAAAA/content?token=${link.body.token}`,
    );
    expect(unknown.status).toBe(404);
    const unknownBody = (await unknown.json()) as Record<string, unknown>;
    expect(unknownBody.detail).toBe(used.detail);
    expect(JSON.stringify(used)).not.toContain(link.body.token);
    expect(JSON.stringify(unknownBody)).not.toContain(link.body.token);
    expect(used.instance).toBe(`/api/v1/documents/${id}/content`);

    const history = await api.request('GET', `/api/v1/processes/${processId}/history`);
    const events = history.body.entries.map((entry: { event: string; actor: string }) => [
      entry.event,
      entry.actor,
    ]);
    expect(events).toContainEqual(['DOCUMENT_DOWNLOADED', 'download-link']);
    const view = await api.request('GET', `/api/v1/processes/${processId}`);
    expect(view.body.context).toMatchObject({ downloads: 1 });
    expect(JSON.stringify(view.body)).not.toMatch(/tanHash|tokenHash/);
  });

  it('lists a purged document in the retention report, keeps its metadata, and answers its content link as for no document', async () => {
    const { body } = await upload();
    const id = body.document.id as string;
    const before = await api.request('GET', '/api/v1/documents/retention-report', {
      key: operator,
    });
    expect(before.body.items.map((item: { id: string }) => item.id)).not.toContain(id);

    // What the process's retention timer does after 24 months (time-skipped in the workflow tests).
    await api.documents.purge(id, 'retention', new Date());
    expect(await api.documents.chunksKept(id)).toBe(0);

    const report = await api.request('GET', '/api/v1/documents/retention-report', {
      key: operator,
    });
    expect(report.status).toBe(200);
    expect(report.body.items).toContainEqual(
      expect.objectContaining({ id, purgedBy: 'retention', title: body.document.title }),
    );
    const content = await fetch(
      `${api.baseUrl}/api/v1/documents/${id}/content?token=${'A'.repeat(43)}`,
    );
    expect(content.status).toBe(404);
    const link = await api.request('POST', `/api/v1/documents/${id}/download-token`, {
      key: portal,
      body: { tan: '123456' },
    });
    expect(link.status).toBe(410);
    expect(
      (await api.request('GET', '/api/v1/documents/retention-report', { key: portal })).status,
    ).toBe(403);
  });
});
