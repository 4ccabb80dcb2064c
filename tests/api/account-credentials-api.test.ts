import { randomBytes } from 'node:crypto';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { messagesTo } from '../support/mailcatcher.js';

/**
 * Portal credentials by post through the real API, worker, letter channel (the mail catcher in
 * development) and Postgres: the print-ready letter names the holder's address and the new
 * user name; a new letter („Anmeldedaten vergessen“) voids the old password; only hashes are
 * stored; five wrong passwords lock the access until the next letter.
 */
let api: ApiStack;
let portal: string;
let stranger: string;
const practiceId = `BSNR-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  api = await startApiStack();
  portal = await api.createKey('client', [practiceId]);
  stranger = await api.createKey('client', ['BSNR-somebody-else']);
});

afterAll(async () => {
  await api?.stop();
});

const pdfText = async (pdf: Buffer) =>
  (await extractText(new Uint8Array(pdf), { mergePages: true })).text;

/** The n-th letter to this postcode, as the letter shop would print it. */
async function letter(postcode: string, n: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const letters = await messagesTo(`brief+${postcode}@post.praxisflow.localhost`);
    if (letters.length >= n) return pdfText(letters[n - 1]!.attachments[0]!.content);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no letter ${n} to ${postcode}`);
}

/** The framed code under its label, as printed: letter-spaced. */
const codeUnder = (text: string, label: string): string | undefined =>
  new RegExp(`${label}\\n([^\\n]+)\\n`).exec(text)?.[1]?.replace(/ /g, '');

const passwordIn = (text: string): string => {
  const password = codeUnder(text, 'Initialpasswort');
  if (!password) throw new Error(`no initial password in the letter: ${JSON.stringify(text)}`);
  return password;
};

/** Opens an access for the practice, its letter going to a postcode of its own. */
async function openAccess(holderName: string, address: Record<string, string>) {
  const postcode = String(10_000 + Math.floor(Math.random() * 89_999));
  const started = await api.request('POST', '/api/v1/processes/accountCredentials', {
    key: portal,
    body: {
      input: {
        practiceId,
        holderName,
        address: { name: holderName, city: 'Bonn', ...address, postcode },
      },
    },
  });
  return { started, postcode, userName: started.body.businessKey as string };
}

const verify = (userName: string, password: string, key = portal) =>
  api.request('POST', '/api/v1/credentials/verify', { key, body: { userName, password } });

describe('accountCredentials: credentials by post', () => {
  it('sends a letter with address and user name; a new letter voids the old password', async () => {
    const { started, postcode } = await openAccess('Dr. med. Jonas Berger', {
      addition: 'Hausarztpraxis am Markt',
      street: 'Marktplatz 3',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const userName = started.body.businessKey as string;
    expect(userName).toMatch(/^AP-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/);
    expect(started.body).toMatchObject({ stateLabel: 'Anmeldedaten versandt' });

    const first = await letter(postcode, 1);
    for (const line of [
      'Dr. med. Jonas Berger',
      'Hausarztpraxis am Markt',
      'Marktplatz 3',
      `${postcode} Bonn`,
      'Ihre Anmeldedaten für das Arztportal',
    ]) {
      expect(first).toContain(line);
    }
    expect(codeUnder(first, 'Benutzername')).toBe(userName);
    expect(first).not.toMatch(/\nDE\n/);
    const oldPassword = passwordIn(first);
    expect((await verify(userName, oldPassword)).body).toEqual({
      userName,
      valid: true,
      locked: false,
    });
    // A lower-case user name as typed is the same.
    expect((await verify(userName.toLowerCase(), oldPassword)).body.valid).toBe(true);
    // Another practice's key learns nothing.
    expect((await verify(userName, oldPassword, stranger)).body.valid).toBe(false);

    const { rows } = await api.database.pool.query<{ password_hash: string }>(
      'select password_hash from credentials where user_name = $1',
      [userName],
    );
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]!.password_hash).not.toContain(oldPassword);
    const history = await api.rawHistory(`accountCredentials-${userName}`);
    expect(history).not.toContain(oldPassword);

    const forgotten = await api.request(
      'POST',
      `/api/v1/processes/accountCredentials-${userName}/events`,
      { key: portal, body: { type: 'CREDENTIALS_FORGOTTEN' } },
    );
    expect(forgotten.status).toBe(200);
    const second = await letter(postcode, 2);
    expect(second).toContain('Ihre neuen Anmeldedaten für das Arztportal');
    expect(second).toContain('gelten ab sofort nicht mehr');
    const newPassword = passwordIn(second);
    expect(newPassword).not.toBe(oldPassword);

    expect((await verify(userName, oldPassword)).body).toMatchObject({ valid: false });
    expect((await verify(userName, newPassword)).body).toMatchObject({ valid: true });
  });

  it('when 31 sign-ins come at once (30 wrong, then 1 right), then at most five are checked and the right one finds the access locked', async () => {
    const { userName, postcode } = await openAccess('Dr. med. Ida Roth', { street: 'Ring 2' });
    const password = passwordIn(await letter(postcode, 1));
    const attempts = [...Array.from({ length: 30 }, (_, i) => `wrong-${i}`), password];
    const answers = (await Promise.all(attempts.map((tried) => verify(userName, tried)))).map(
      (answer) => answer.body as { valid: boolean; locked: boolean },
    );
    // Each answer that is not "locked" is a password that was checked against the hash: five
    // at most. The right password, sent after the thirty wrong ones, finds the access locked.
    const checked = answers.filter((answer) => !answer.locked);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(answers.at(-1)).toEqual({ userName, valid: false, locked: true });
    const { rows } = await api.database.pool.query<{ failed_attempts: number }>(
      'select failed_attempts from credentials where user_name = $1',
      [userName],
    );
    expect(rows[0]!.failed_attempts).toBeLessThanOrEqual(5);
  });

  it('locks after five wrong passwords until the next letter, and closing voids it for good', async () => {
    const { userName, postcode } = await openAccess('Dr. med. Lea Sommer', { street: 'Am Hang 1' });
    const password = passwordIn(await letter(postcode, 1));
    for (let i = 1; i <= 4; i++) {
      expect((await verify(userName, `wrong-${i}`)).body).toMatchObject({
        valid: false,
        locked: false,
      });
    }
    expect((await verify(userName, 'wrong-5')).body).toMatchObject({ valid: false, locked: true });
    expect((await verify(userName, password)).body).toMatchObject({ valid: false, locked: true });

    await api.request('POST', `/api/v1/processes/accountCredentials-${userName}/events`, {
      key: portal,
      body: { type: 'CREDENTIALS_FORGOTTEN' },
    });
    const fresh = passwordIn(await letter(postcode, 2));
    expect((await verify(userName, fresh)).body).toMatchObject({ valid: true, locked: false });

    const byPractice = await api.request(
      'POST',
      `/api/v1/processes/accountCredentials-${userName}/events`,
      { key: portal, body: { type: 'ACCOUNT_CLOSED', reason: 'Praxis aufgegeben' } },
    );
    expect(byPractice.status).toBe(403);
    const closed = await api.request(
      'POST',
      `/api/v1/processes/accountCredentials-${userName}/events`,
      { body: { type: 'ACCOUNT_CLOSED', reason: 'Praxis aufgegeben' } },
    );
    expect(closed.body).toMatchObject({ stateLabel: 'Zugang geschlossen', status: 'done' });
    for (let i = 0; i < 50; i++) {
      if (!(await verify(userName, fresh)).body.valid) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await verify(userName, fresh)).body).toMatchObject({ valid: false });
  });

  it('refuses a malformed check with 422 naming the field', async () => {
    const answer = await verify('mueller', 'x');
    expect(answer.status).toBe(422);
    expect(answer.body.errors[0].path).toBe('userName');
  });
});
