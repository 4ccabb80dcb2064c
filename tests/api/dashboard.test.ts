import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../db/sla.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';
import { startInvitationV1 } from '../support/old-versions.js';

/**
 * The operators' dashboard in real headless Chromium against the real API, worker and
 * Temporal: log in, filter, open an invitation, act on it through the generated forms, see
 * the page explain a refusal, run a bulk action over a practice's invitations and follow it.
 * Screenshots of the list, the process page and a bulk action are kept in test-artifacts/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let api: ApiStack;
let browser: Browser;
let operator: string;
let portal: string;
const practiceId = `BSNR-${randomBytes(4).toString('hex')}`;
const invitations: string[] = [];

async function invite(lastName: string, practice = practiceId): Promise<string> {
  const started = await api.request('POST', '/api/v1/processes/invitation', {
    body: {
      input: {
        salutation: 'Frau',
        firstName: 'Erika',
        lastName,
        email: `${lastName.toLowerCase()}.${randomBytes(3).toString('hex')}@praxis.example`,
        practiceId: practice,
      },
    },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return started.body.id as string;
}

/**
 * Waits until the read model lists `count` processes of this type (the projection is async),
 * among those `filter` selects if given.
 */
async function listed(type: string, count: number, filter = ''): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const list = await api.request('GET', `/api/v1/processes?type=${type}${filter}`);
    if (list.body.items?.length === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the read model did not list ${count} ${type} processes`);
}

/**
 * Invitations of a practice of their own, invited and at rest, so that the read model lists
 * them where a bulk action finds them (the other tests count the file's practice's).
 */
async function invitationsOfOwnPractice(
  lastNames: readonly string[],
): Promise<{ practice: string; ids: string[] }> {
  const practice = `BSNR-${randomBytes(4).toString('hex')}`;
  const ids: string[] = [];
  for (const lastName of lastNames) ids.push(await invite(lastName, practice));
  await untilAtRest(api.client, ids);
  await listed(
    'invitation',
    ids.length,
    `&practiceId=${practice}&state=registration.invited&status=active`,
  );
  return { practice, ids };
}

async function logIn(page: Page, key: string): Promise<void> {
  await page.goto(`${api.baseUrl}/`);
  await page.getByLabel('API-Schlüssel').fill(key);
  await page.getByRole('button', { name: 'Anmelden' }).click();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: run the tests with \`npm test\` (it installs Debian's chromium) or apt-get install chromium`,
    );
  }
  api = await startApiStack();
  operator = await api.createKey('operator');
  portal = await api.createKey('client', [practiceId]);
  invitations.push(await invite('Adler'), await invite('Berger'));
  const channel = await api.request('POST', '/api/v1/processes/contactVerification', {
    body: {
      input: {
        practiceId,
        practiceName: 'Praxis am Markt',
        channel: 'email',
        address: `praxis.${randomBytes(3).toString('hex')}@praxis.example`,
      },
    },
  });
  expect(channel.status).toBe(201);
  await listed('invitation', 2);
  await listed('contactVerification', 1);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('the operators’ dashboard', () => {
  it('refuses a client key at the login and keeps no key', async () => {
    const page = await browser.newPage();
    await logIn(page, portal);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Client-Schlüssel');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.getByRole('heading', { name: 'Übersicht' }).count()).toBe(0);
    await page.close();
  });

  it('logs an operator in with the key in session storage only, and shows the overview', async () => {
    const page = await browser.newPage();
    await logIn(page, operator);
    await page.getByRole('heading', { name: 'Übersicht' }).waitFor();
    expect(page.url()).not.toContain(operator);
    expect(await page.evaluate("sessionStorage.getItem('praxisflow.apiKey')")).toBe(operator);
    const counts = page.getByRole('table', { name: 'Einladung eines Benutzers' });
    await expect.poll(() => counts.textContent()).toContain('Eingeladen');
    expect(await counts.textContent()).toContain('2');
    // The latest steps name whom each process is about, not only its id.
    const recent = page.getByRole('region', { name: 'Letzte Aktivität' });
    await expect.poll(() => recent.textContent()).toContain('Erika Adler');
    await page.close();
  });

  it('filters the list, reflects the filter in the URL, and opens an invitation where it stands', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await logIn(page, operator);
    await page.getByRole('link', { name: 'Vorgänge' }).click();
    await page.getByRole('table').waitFor();
    await expect.poll(() => page.locator('table.processes tbody tr').count()).toBe(3);

    await page.getByLabel('Prozessart').selectOption('invitation');
    await page.getByLabel('Zustand').selectOption('registration.invited');
    await page.getByRole('button', { name: 'Filtern' }).click();
    await page.waitForURL(/type=invitation/);
    expect(new URL(page.url()).searchParams.get('state')).toBe('registration.invited');
    await expect.poll(() => page.locator('table.processes tbody tr').count()).toBe(2);
    expect(await page.locator('table.processes').textContent()).not.toContain(
      'contactVerification',
    );
    // Whom each invitation is about, not only its hashed business key.
    const listText = await page.locator('table.processes').textContent();
    expect(listText).toContain('Erika Adler <adler.');
    expect(listText).toContain('Erika Berger <berger.');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-list.png'), fullPage: true });

    // The URL alone brings the same view back (a shared link).
    const shared = await browser.newPage();
    await shared.goto(`${api.baseUrl}/`);
    await shared.evaluate(
      `sessionStorage.setItem('praxisflow.apiKey', ${JSON.stringify(operator)})`,
    );
    await shared.goto(page.url());
    await expect.poll(() => shared.locator('table.processes tbody tr').count()).toBe(2);
    await shared.close();

    const id = invitations[0]!;
    await page.locator(`a[href="/dashboard/prozesse/${encodeURIComponent(id)}"]`).click();
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Eingeladen');
    expect(
      await page.locator('svg [data-state="registration.invited"]').getAttribute('class'),
    ).toContain('current');
    expect(await page.getByRole('heading', { name: 'Was als Nächstes passiert' }).count()).toBe(1);
    expect(await page.locator('.countdown').first().textContent()).toMatch(
      /^\d+ T \d\d:\d\d:\d\d$/,
    );
    // Timers, audit events and context fields in German, never their names in the code.
    const next = await page
      .locator('section', { has: page.getByRole('heading', { name: 'Was als Nächstes passiert' }) })
      .textContent();
    expect(next).toContain('Ablauf der Einladung');
    expect(next).toContain('Erinnerung an die Einladung');
    expect(next).not.toContain('invitationExpiry');
    await expect
      .poll(() => page.locator('table.history').textContent())
      .toContain('Registrierungslink versandt');
    expect(await page.locator('main').textContent()).not.toMatch(/\b[A-Z]+_[A-Z_]+\b/);
    await page.close();
  });

  it('walks an invitation with the action forms: the audit grows, an irreversible step asks first', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await logIn(page, operator);
    const id = invitations[0]!;
    await page.goto(`${api.baseUrl}/dashboard/prozesse/${encodeURIComponent(id)}`);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Eingeladen');
    const rows = () => page.locator('table.history tbody tr').count();
    await expect.poll(rows).toBeGreaterThan(0);
    const before = await rows();

    await page.getByRole('button', { name: 'Einladung erneut senden' }).click();
    await page
      .locator('form.event-form')
      .getByRole('button', { name: 'Einladung erneut senden' })
      .click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Eingeladen');
    await expect.poll(rows).toBeGreaterThan(before);
    await expect
      .poll(() => page.locator('table.history').textContent())
      .toContain('Einladung erneut senden');
    const afterResend = await rows();

    // An operator fires the reminder now, with a reason; the expiry keeps running.
    const timers = page.locator('section[aria-labelledby="timers"]');
    const reminder = timers.locator('tr', { hasText: 'Erinnerung an die Einladung' });
    await reminder.getByRole('button', { name: 'Jetzt auslösen' }).click();
    await reminder.getByLabel('Begründung').fill('Die Praxis bittet um eine Erinnerung heute.');
    await reminder
      .getByRole('button', { name: 'Erinnerung an die Einladung jetzt auslösen' })
      .click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Erinnerung an die Einladung: ausgelöst');
    await expect.poll(() => timers.textContent()).not.toContain('Erinnerung an die Einladung');
    expect(await timers.textContent()).toContain('Ablauf der Einladung');
    await expect.poll(rows).toBe(afterResend + 1);
    expect(await page.locator('table.history').textContent()).toContain(
      'Frist: Erinnerung an die Einladung (vorzeitig ausgelöst) · Begründung: Die Praxis bittet um eine Erinnerung heute.',
    );
    const afterReminder = await rows();

    await page.getByRole('button', { name: 'Einladung widerrufen' }).click();
    const form = page.locator('form.event-form');
    await form.getByLabel('Begründung').fill('Die Praxis hat die Einladung zurückgezogen.');
    // The preview says what would happen, and nothing happens yet.
    await form.getByRole('button', { name: 'Vorschau' }).click();
    const preview = form.getByRole('region', { name: 'Vorschau' });
    await expect
      .poll(() => preview.textContent())
      .toContain(
        'Der Vorgang ginge von „Eingeladen“ nach „Widerrufen“. Danach ist er abgeschlossen.',
      );
    expect(await preview.textContent()).toContain(
      'Ausgelöst würde: keine Nachricht und keine Aktion.',
    );
    expect(await page.getByTestId('state-label').textContent()).toBe('Eingeladen');
    expect(await rows()).toBe(afterReminder);
    const submit = form.getByRole('button', { name: 'Einladung widerrufen' });
    expect(await submit.isDisabled()).toBe(true);
    await form.getByLabel(/kann nicht rückgängig gemacht werden/).check();
    await submit.click();
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Widerrufen');
    await expect.poll(rows).toBe(afterReminder + 1);
    const history = await page.locator('table.history').textContent();
    expect(history).toContain('Einladung widerrufen');
    expect(history).toContain('Widerrufen');
    expect(await page.locator('svg [data-state="revoked"]').getAttribute('class')).toContain(
      'current',
    );
    expect(await page.getByText('In diesem Zustand ist nichts zu tun.').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-process.png'), fullPage: true });

    const audit = await api.request('GET', `/api/v1/processes/${id}/history`);
    expect(audit.body.entries.at(-1)).toMatchObject({ event: 'INVITATION_REVOKED', to: 'revoked' });
    expect(audit.body.entries.at(-1).actor).not.toBe('admin');
    await page.close();
  });

  it('explains a 409 in the page when the process moved on meanwhile', async () => {
    const page = await browser.newPage();
    await logIn(page, operator);
    const id = invitations[1]!;
    await page.goto(`${api.baseUrl}/dashboard/prozesse/${encodeURIComponent(id)}`);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Eingeladen');
    await page.getByRole('button', { name: 'Einladung erneut senden' }).click();

    // Somebody else revokes it while the form is open.
    const revoked = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: { type: 'INVITATION_REVOKED', reason: 'Doppelt angelegt.' },
    });
    expect(revoked.status).toBe(200);

    await page
      .locator('form.event-form')
      .getByRole('button', { name: 'Einladung erneut senden' })
      .click();
    const alert = page.locator('form.event-form [role="alert"]');
    await expect.poll(() => alert.textContent()).toContain('Das geht in diesem Zustand nicht.');
    expect(await alert.textContent()).toContain('keine Aktionen');
    await page.close();
  });

  it('when a process moves through the API, then its open page shows the new state without a reload', async () => {
    const id = await invite('Vogel');
    const page = await browser.newPage();
    await logIn(page, operator);
    await page.goto(`${api.baseUrl}/dashboard/prozesse/${encodeURIComponent(id)}`);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Eingeladen');
    // Gone with any reload of the page.
    await page.evaluate(() => Object.assign(globalThis, { stillThisPage: true }));

    const revoked = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: { type: 'INVITATION_REVOKED', reason: 'Doppelt angelegt.' },
    });
    expect(revoked.status).toBe(200);

    // Well before the fallback poll (15 s): the stream told the page.
    await expect
      .poll(() => page.getByTestId('state-label').textContent(), { timeout: 8_000 })
      .toBe(revoked.body.stateLabel);
    expect(await page.evaluate(() => 'stillThisPage' in globalThis)).toBe(true);
    await page.close();
  });

  it('lets an operator find a submitted application by its phase, open it and record the papers', async () => {
    const started = await api.request('POST', '/api/v1/processes/ehbaApplication', {
      body: {
        input: {
          cardType: 'eHBA',
          title: 'Dr. med.',
          firstName: 'Erika',
          lastName: 'Mustermann',
          birthDate: '1975-03-14',
          email: `erika.${randomBytes(3).toString('hex')}@praxis.example`,
          chamber: 'Ärztekammer Nordrhein',
          address: {
            name: 'Dr. med. Erika Mustermann',
            street: 'Mariahilfer Straße 1',
            postcode: '1060',
            city: 'Wien',
            country: 'AT',
          },
          practiceId,
          activationPassword: 'Heide17Weg',
        },
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    const submitted = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: { type: 'APPLICATION_SUBMITTED' },
    });
    expect(submitted.body.state).toBe('submitted.awaitingDocuments');
    await listed('ehbaApplication', 1);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await logIn(page, operator);
    await page.getByRole('link', { name: 'Vorgänge' }).click();
    await page.getByLabel('Prozessart').selectOption('ehbaApplication');
    await page
      .getByLabel('Zustand')
      .selectOption({ label: '· Bearbeitung beendet – noch nicht erinnert' });
    await page.getByRole('button', { name: 'Filtern' }).click();
    await page.waitForURL(/state=submitted.awaitingDocuments/);
    await expect.poll(() => page.locator('table.processes tbody tr').count()).toBe(1);
    await page.locator('table.processes tbody a').click();
    await expect
      .poll(() => page.getByTestId('state-label').textContent())
      .toBe('Bearbeitung beendet');
    // What happens next: the reminder after 21 days and the expiry after 90, counting down.
    const timers = await page
      .locator('section', { has: page.getByRole('heading', { name: 'Was als Nächstes passiert' }) })
      .textContent();
    expect(timers).toContain('Erinnerung an die Antragsunterlagen');
    expect(timers).toContain('Frist für die Antragsunterlagen');
    expect(timers).not.toContain('documentsReminder');
    // The context as people read it: German names, a German date, the country by name.
    const context = await page.locator('dl.context').first().textContent();
    expect(context).toContain('Geburtsdatum');
    expect(context).toContain('14.03.1975');
    expect(context).not.toContain('1975-03-14');
    expect(context).toContain('Österreich');
    expect(context).toContain('Abgeschlossen am');
    expect(context).not.toMatch(/Submitted At|Follow Up Of/);
    for (const name of await page.locator('dl.context dt').allTextContents()) {
      expect(name).not.toMatch(/^[a-z]+[A-Z]/); // no camelCase key shows
    }
    expect(await page.locator('table.history').textContent()).toContain('Antrag abschließen');
    expect(await page.locator('main').textContent()).not.toMatch(/\b[A-Z]+_[A-Z_]+\b/);

    await page.getByRole('button', { name: 'Unterlagen eingegangen' }).click();
    await page
      .locator('form.event-form')
      .getByRole('button', { name: 'Unterlagen eingegangen' })
      .click();
    await expect
      .poll(() => page.getByTestId('state-label').textContent())
      .toBe('Eingang Antragsunterlagen');
    await page.close();
  });

  it('marks an application whose papers wait past their 10 working days as „überfällig seit“, in the overview, the list and its page', async () => {
    const applications = await api.request('GET', '/api/v1/processes?type=ehbaApplication');
    const application = (applications.body.items as { id: string; state: string }[]).find(
      (item) => item.state === 'documentsReceived',
    );
    expect(application).toBeDefined();
    // As if the papers had come in on Monday, 02.11.2026: due 10 working days later, 16.11.
    const dueAt = DEFAULT_SLA_POLICY.dueAt(
      'ehbaApplication',
      'documentsReceived',
      '2026-11-02T09:00:00.000Z',
    );
    expect(dueAt).toBe('2026-11-16T09:00:00.000Z');
    await api.database.pool.query(
      'update processes set state_entered_at = $2, sla_due_at = $3 where id = $1',
      [application!.id, '2026-11-02T09:00:00.000Z', dueAt],
    );

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await logIn(page, operator);
    await expect.poll(() => page.getByTestId('overdue-total').textContent()).toBe('1');
    const counts = page.getByRole('table', { name: 'Antrag auf eHBA / SMC-B' });
    const row = counts.locator('tr', { hasText: 'Eingang Antragsunterlagen' });
    expect(await row.locator('td').last().textContent()).toBe('1');

    await page.getByRole('link', { name: 'Vorgänge' }).click();
    await page.getByRole('table').waitFor();
    await page.getByLabel('Frist').selectOption('true');
    await page.getByRole('button', { name: 'Filtern' }).click();
    await page.waitForURL(/overdue=true/);
    await expect.poll(() => page.locator('table.processes tbody tr').count()).toBe(1);
    expect(await page.getByTestId('overdue').textContent()).toBe('überfällig seit 16.11.2026');

    await page
      .locator(`a[href="/dashboard/prozesse/${encodeURIComponent(application!.id)}"]`)
      .click();
    await expect
      .poll(() => page.getByTestId('overdue').textContent())
      .toBe('überfällig seit 16.11.2026');
    await page.close();
  });

  it('shows every process type with its diagram, states and timers', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await logIn(page, operator);
    await page.getByRole('link', { name: 'Prozessarten' }).click();
    const machines = await api.request('GET', '/api/v1/machines');
    const titles = (machines.body.items as { title: string }[]).map((item) => item.title);
    await expect.poll(() => page.locator('section.machine').count()).toBe(titles.length);
    for (const title of titles) {
      expect(await page.getByRole('heading', { name: new RegExp(title) }).count()).toBe(1);
    }
    expect(await page.locator('section.machine svg[role="img"]').count()).toBe(titles.length);
    expect(await page.locator('section.machine').first().textContent()).toContain('720 Std.');
    expect(await page.locator('section.machine').first().textContent()).toContain(
      'Ablauf der Einladung',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-machines.png'), fullPage: true });
    await page.close();
  });

  it('runs a bulk action over one practice’s invitations: preview, start, follow it to „abgeschlossen“, find it in each history', async () => {
    const { practice, ids } = await invitationsOfOwnPractice(['Kaiser', 'Lorenz', 'Maurer']);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await logIn(page, operator);
    await page.getByRole('link', { name: 'Vorgänge' }).click();
    await page.getByLabel('Prozessart').selectOption('invitation');
    await page.getByLabel('Praxis').fill(practice);
    await page.getByRole('button', { name: 'Filtern' }).click();
    await page.waitForURL(/practiceId=/);
    await expect.poll(() => page.locator('table.processes tbody tr').count()).toBe(3);

    await page.getByRole('button', { name: 'Massenaktion …' }).click();
    const form = page.getByRole('form', { name: 'Massenaktion' });
    expect(await form.textContent()).toContain(`Praxis „${practice}“`);
    expect(await form.getByRole('radio', { name: 'Ereignis senden' }).isChecked()).toBe(true);
    await form
      .getByRole('combobox', { name: /Ereignis/ })
      .selectOption({ label: 'Einladung erneut senden' });
    // Nothing starts before a preview.
    expect(await form.getByRole('button', { name: /starten/ }).count()).toBe(0);
    await form.getByRole('button', { name: 'Vorschau' }).click();
    const preview = form.getByRole('region', { name: 'Vorschau' });
    await expect.poll(() => preview.textContent()).toContain('3 Vorgänge passen zum Filter.');
    expect(await preview.textContent()).toContain('Ausgeführt würde die Aktion für 3 Vorgänge.');
    expect(await page.getByRole('table', { name: 'Würden ablehnen' }).count()).toBe(0);
    await form.getByRole('button', { name: 'Für 3 Vorgänge starten' }).click();

    await page.waitForURL(/\/dashboard\/massenaktionen\/ba_/);
    const bulkId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByRole('heading', { name: `Massenaktion ${bulkId}` }).waitFor();
    expect(await page.locator('main').textContent()).toContain(
      'Ereignis senden: Einladung erneut senden',
    );
    await page.getByText('abgeschlossen', { exact: true }).waitFor();
    expect(await page.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('3 von 3');
    const results = page.getByRole('list', { name: 'Ergebnisse' });
    expect(await results.textContent()).toContain('erledigt: 3');
    expect(await results.textContent()).toContain('ausstehend: 0');
    const rows = page.getByRole('table').locator('tbody').getByRole('row');
    await expect.poll(() => rows.filter({ hasText: 'erledigt' }).count()).toBe(3);
    expect(await rows.count()).toBe(3);
    expect(await page.getByRole('table').textContent()).toContain('jetzt „Eingeladen“');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-bulk-action.png'), fullPage: true });

    // Each process's history names the bulk action, and leads back to it.
    await page.getByRole('link', { name: ids[0]! }).click();
    const link = page.getByRole('link', { name: `Massenaktion ${bulkId}` });
    await link.waitFor();
    expect(await page.locator('table.history tr', { has: link }).textContent()).toContain(
      'Einladung erneut senden',
    );
    await link.click();
    await page.getByRole('heading', { name: `Massenaktion ${bulkId}` }).waitFor();

    // The list of bulk actions shows it, in German.
    await page.getByRole('link', { name: 'Massenaktionen', exact: true }).click();
    const row = page.getByRole('row', { name: new RegExp(bulkId) });
    await expect.poll(() => row.textContent()).toContain('abgeschlossen');
    expect(await row.textContent()).toContain('Ereignis senden: Einladung erneut senden');
    expect(await row.textContent()).toContain('3 von 3');
    await page.close();
  });

  it('groups the refusals of a preview in German, explains a refused action, and cancels a running bulk action', async () => {
    const { practice, ids } = await invitationsOfOwnPractice([
      'Neumann',
      'Otto',
      'Peters',
      'Quast',
      'Roth',
      'Seidel',
      'Thiel',
      'Ulrich',
      'Vogel',
      'Wagner',
    ]);
    const revoked = await api.request('POST', `/api/v1/processes/${ids[0]}/events`, {
      body: { type: 'INVITATION_REVOKED', reason: 'Doppelt angelegt.' },
    });
    expect(revoked.status).toBe(200);
    await untilAtRest(api.client, [ids[0]!]);
    await listed('invitation', 1, `&practiceId=${practice}&status=done`);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await logIn(page, operator);
    await page.goto(`${api.baseUrl}/dashboard/prozesse?type=invitation&practiceId=${practice}`);
    await page.getByRole('button', { name: 'Massenaktion …' }).click();
    const form = page.getByRole('form', { name: 'Massenaktion' });

    // An event with a code is one person's: the API refuses it, the form says why in German.
    await form
      .getByRole('combobox', { name: /Ereignis/ })
      .selectOption({ label: 'Registrierungslink geöffnet' });
    await form.getByLabel('Token').fill('irgendein-token');
    await form.getByRole('button', { name: 'Vorschau' }).click();
    const alert = form.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Die Angaben sind nicht gültig.');
    expect(await alert.textContent()).toContain('Ereignis:');

    await form
      .getByRole('combobox', { name: /Ereignis/ })
      .selectOption({ label: 'Einladung erneut senden' });
    await form.getByRole('button', { name: 'Vorschau' }).click();
    const preview = form.getByRole('region', { name: 'Vorschau' });
    await expect.poll(() => preview.textContent()).toContain('10 Vorgänge passen zum Filter.');
    expect(await preview.textContent()).toContain('für 9 Vorgänge, 1 Vorgang lehnt sie ab');
    const refusal = preview.getByRole('table', { name: 'Würden ablehnen' }).getByRole('row', {
      name: /Vorgang beendet/,
    });
    expect(await refusal.textContent()).toContain('1');
    expect(await refusal.getByRole('link', { name: ids[0]! }).count()).toBe(1);
    expect(await alert.count()).toBe(0);

    // One process a second: nine take about eight seconds, time enough to cancel while it runs
    // however slowly the page comes up.
    await form.getByRole('spinbutton', { name: /pro Sekunde/ }).fill('1');
    await form.getByRole('button', { name: 'Vorschau' }).click();
    await form.getByRole('button', { name: 'Für 9 Vorgänge starten' }).click();
    await page.waitForURL(/\/dashboard\/massenaktionen\/ba_/);
    await page.getByRole('button', { name: 'Abbrechen' }).click();
    await page.getByRole('button', { name: 'Ja, Massenaktion abbrechen' }).click();
    await page.getByText('abgebrochen', { exact: true }).waitFor();
    const results = page.getByRole('list', { name: 'Ergebnisse' });
    await expect.poll(() => results.textContent()).toContain('ausstehend: 0');
    expect(await results.textContent()).toContain('abgelehnt: 1');
    expect(await results.textContent()).toMatch(/übersprungen: [1-9]/);
    expect(await page.getByRole('button', { name: 'Abbrechen' }).count()).toBe(0);

    // Filtered by result: only the skipped ones.
    await page.getByRole('combobox', { name: 'Ergebnis' }).selectOption({ label: 'übersprungen' });
    const rows = page.getByRole('table').locator('tbody').getByRole('row');
    await expect
      .poll(async () =>
        (await rows.allTextContents()).every((text) => text.includes('übersprungen')),
      )
      .toBe(true);
    expect(await rows.count()).toBeGreaterThan(0);
    await page.close();
  });

  it('moves one practice’s version-1 invitations to version 2: versions counted, „Auf Version 2 umstellen“ previewed, started and followed to „abgeschlossen“', async () => {
    const practice = `BSNR-${randomBytes(4).toString('hex')}`;
    const ids: string[] = [];
    for (const lastName of ['Alt', 'Frueh']) {
      ids.push(await startInvitationV1(api, practice, lastName));
    }
    await untilAtRest(api.client, ids);
    await listed('invitation', 2, `&practiceId=${practice}&version=1&status=active`);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await logIn(page, operator);
    await page.goto(`${api.baseUrl}/dashboard/prozesse?type=invitation&practiceId=${practice}`);
    const versions = page.getByRole('table', { name: 'Versionen' });
    const version1 = versions.getByRole('row', { name: /Version 1/ });
    await expect.poll(() => version1.textContent()).toMatch(/Version 1[1-9]/);
    expect(await versions.getByRole('row', { name: /Version 2 \(aktuell\)/ }).count()).toBe(1);

    await version1.getByRole('button', { name: 'Auf Version 2 umstellen …' }).click();
    const form = page.getByRole('form', { name: 'Massenaktion' });
    expect(await form.textContent()).toContain(`Praxis „${practice}“`);
    expect(await form.textContent()).toContain('Version „1“');
    expect(await form.getByRole('radio', { name: 'Auf neue Version umstellen' }).isChecked()).toBe(
      true,
    );
    expect(await form.getByRole('combobox', { name: /Zielversion/ }).inputValue()).toBe('2');
    await form.getByLabel(/Grund/).fill('Version 2: Erinnerung im ganzen Registrierungsfenster.');
    expect(await form.getByRole('button', { name: /starten/ }).count()).toBe(0);
    await form.getByRole('button', { name: 'Vorschau' }).click();
    const preview = form.getByRole('region', { name: 'Vorschau' });
    await expect.poll(() => preview.textContent()).toContain('2 Vorgänge passen zum Filter.');
    expect(await preview.textContent()).toContain('Ausgeführt würde die Aktion für 2 Vorgänge.');
    await form.getByRole('button', { name: 'Für 2 Vorgänge starten' }).click();

    await page.waitForURL(/\/dashboard\/massenaktionen\/ba_/);
    const bulkId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByRole('heading', { name: `Massenaktion ${bulkId}` }).waitFor();
    const main = page.locator('main');
    expect(await main.textContent()).toContain('Auf Version 2 umstellen');
    expect(await main.textContent()).toContain(
      'Grund: Version 2: Erinnerung im ganzen Registrierungsfenster.',
    );
    await page.getByText('abgeschlossen', { exact: true }).waitFor();
    const results = page.getByRole('list', { name: 'Ergebnisse' });
    expect(await results.textContent()).toContain('erledigt: 2');
    await listed('invitation', 2, `&practiceId=${practice}&version=2`);
    await page.close();
  });
});
