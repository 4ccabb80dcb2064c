import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';
import { startInvitationV1 } from '../support/old-versions.js';

let api: ApiStack;
let keys: { operator: string; client: string };
const PRACTICE = 'BSNR-735190246';

beforeAll(async () => {
  api = await startApiStack();
  keys = {
    operator: await api.createKey('operator'),
    client: await api.createKey('client', [PRACTICE]),
  };
});

afterAll(async () => {
  await api?.stop();
});

/** A version-1 invitation as one started before version 2 existed, at rest in `invited`. */
async function invitationV1(): Promise<{ id: string; path: string }> {
  const id = await startInvitationV1(api, PRACTICE, 'Wechsel');
  await untilAtRest(api.client, [id]);
  const path = `/api/v1/processes/${encodeURIComponent(id)}`;
  for (let i = 0; i < 50; i++) {
    const history = await api.request('GET', `${path}/history`);
    if (history.status === 200 && history.body.entries.length >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { id, path };
}

const migrate = (path: string, body: unknown, query = '', key = keys.operator) =>
  api.request('POST', `${path}/migrations${query}`, { body, key });

const REASON = 'Version 2: der Link führt zum aktuellen Schritt';

describe('migrations of one process', () => {
  it('when an operator asks for a dry run, then 200 answers the plan and nothing changes', async () => {
    const { id, path } = await invitationV1();
    const before = await api.historyLength(id);

    const plan = await migrate(path, { toVersion: 2, reason: REASON }, '?dryRun=true');

    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      dryRun: true,
      fromVersion: 1,
      toVersion: 2,
      from: { state: 'registration.invited', stateLabel: 'Eingeladen' },
      to: { state: 'registration.invited', stateLabel: 'Eingeladen', status: 'active' },
      contextChanges: [{ path: 'linkRef', change: 'added' }],
    });
    const view = await api.request('GET', path);
    const expiry = view.body.timers.find((t: { name: string }) => t.name === 'invitationExpiry');
    expect(plan.body.to.timers).toContainEqual({
      ...expiry,
      countedFrom: view.body.createdAt,
      firesAtOnce: false,
    });
    expect(view.body.version).toBe(1);
    expect(await api.historyLength(id)).toBe(before);
  });

  it('when an operator migrates, then 200 answers the version-2 view, the audit says MIGRATED with who and why, and the list counts it on version 2', async () => {
    const { path } = await invitationV1();
    const before = await api.request('GET', path);
    const versionsBefore = await api.request('GET', '/api/v1/process-types/invitation/versions', {
      key: keys.operator,
    });

    const migrated = await migrate(path, { toVersion: 2, reason: REASON });

    expect(migrated.status).toBe(200);
    expect(migrated.body).toMatchObject({ version: 2, state: 'registration.invited' });
    expect(migrated.body.timers).toEqual(before.body.timers);
    const entries = (await api.request('GET', `${path}/history`)).body.entries;
    expect(entries.at(-1)).toMatchObject({
      event: 'MIGRATED',
      from: 'registration.invited',
      to: 'registration.invited',
      detail: { fromVersion: 1, toVersion: 2, reason: REASON },
    });
    expect(entries.at(-1).actor).not.toBe('key-test');
    const row = await api.database.pool.query('select version from processes where id = $1', [
      migrated.body.id,
    ]);
    expect(row.rows).toEqual([{ version: 2 }]);
    const versions = await api.request('GET', '/api/v1/process-types/invitation/versions', {
      key: keys.operator,
    });
    expect(versions.status).toBe(200);
    const running = (body: typeof versions.body, version: number) =>
      body.versions.find((v: { version: number }) => v.version === version).running as number;
    expect(running(versions.body, 2)).toBe(running(versionsBefore.body, 2) + 1);
    expect(running(versions.body, 1)).toBe(running(versionsBefore.body, 1) - 1);
    expect(versions.body.versions[0]).toMatchObject({ version: 1, migratesTo: 2 });
  });

  it('when the version is unknown, then 422 names toVersion and nothing changes', async () => {
    const { id, path } = await invitationV1();
    const before = await api.historyLength(id);
    for (const query of ['', '?dryRun=true']) {
      const refused = await migrate(path, { toVersion: 7, reason: REASON }, query);
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({
        type: 'urn:praxisflow:problem:unknown-version',
        detail: 'invitation has no version 7; known: 1, 2',
        errors: [{ path: 'toVersion' }],
      });
    }
    expect(await api.historyLength(id)).toBe(before);
  });

  it('when no migration leads to the version, then 409 says so and nothing changes', async () => {
    const { id, path } = await invitationV1();
    const before = await api.historyLength(id);
    const same = await migrate(path, { toVersion: 1, reason: REASON });
    expect(same.status).toBe(409);
    expect(same.body).toMatchObject({
      type: 'urn:praxisflow:problem:no-migration-path',
      detail: 'The process already runs version 1',
    });
    expect(await api.historyLength(id)).toBe(before);

    expect((await migrate(path, { toVersion: 2, reason: REASON })).status).toBe(200);
    const back = await migrate(path, { toVersion: 1, reason: REASON }, '?dryRun=true');
    expect(back.status).toBe(409);
    expect(back.body.detail).toMatch(/only forward/);
  });

  it('when the process has ended, then 409 and nothing changes', async () => {
    const { path } = await invitationV1();
    const revoked = await api.request('POST', `${path}/events`, {
      body: { type: 'INVITATION_REVOKED', reason: 'Doppelt eingeladen' },
      key: keys.operator,
    });
    expect(revoked.status).toBe(200);
    const refused = await migrate(path, { toVersion: 2, reason: REASON });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/has ended/);
    expect((await api.request('GET', path)).body).toMatchObject({ version: 1, state: 'revoked' });
  });

  it('when the body or the query is wrong, or the key is a client’s, then 422 or 403 and nothing changes', async () => {
    const { id, path } = await invitationV1();
    const before = await api.historyLength(id);
    const noReason = await migrate(path, { toVersion: 2 });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors).toContainEqual(expect.objectContaining({ path: 'reason' }));
    const badDryRun = await migrate(path, { toVersion: 2, reason: REASON }, '?dryRun=yes');
    expect(badDryRun.status).toBe(422);
    const client = await migrate(path, { toVersion: 2, reason: REASON }, '', keys.client);
    expect(client.status).toBe(403);
    const unknown = await migrate('/api/v1/processes/invitation-nope', {
      toVersion: 2,
      reason: REASON,
    });
    expect(unknown.status).toBe(404);
    expect(await api.historyLength(id)).toBe(before);
    expect((await api.request('GET', path)).body.version).toBe(1);
  });

  it('when a migration races an event that ends the process, then one wins and the other gets a clean 409', async () => {
    const { path } = await invitationV1();
    const [migration, revoke] = await Promise.all([
      migrate(path, { toVersion: 2, reason: REASON }),
      api.request('POST', `${path}/events`, {
        body: { type: 'INVITATION_REVOKED', reason: 'Zurückgezogen' },
        key: keys.operator,
      }),
    ]);
    const final = (await api.request('GET', path)).body;
    expect(revoke.status).toBe(200);
    expect(final.state).toBe('revoked');
    if (migration.status === 200) {
      expect(final.version).toBe(2);
    } else {
      expect(migration.status).toBe(409);
      expect(migration.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(final.version).toBe(1);
    }
  });

  it('when the versions of an unknown type are asked for, then 404', async () => {
    const versions = await api.request('GET', '/api/v1/process-types/parcel/versions', {
      key: keys.operator,
    });
    expect(versions.status).toBe(404);
  });
});
