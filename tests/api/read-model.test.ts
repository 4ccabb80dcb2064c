import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectionActivities, type TransitionRecord } from '../../activities/projection.js';
import { type ProcessView } from '../../workflows/protocol.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

let api: ApiStack;
let record: (record: TransitionRecord) => Promise<void>;

beforeAll(async () => {
  api = await startApiStack();
  record = createProjectionActivities({ readModel: api.database.pool }).recordTransition;
});

afterAll(async () => {
  await api?.stop();
});

const TYPES = ['invitation', 'ehbaApplication', 'card'] as const;
const STATES = ['registration.invited', 'registration.personalData', 'requested', 'completed'];
const STATUSES = ['active', 'active', 'done', 'cancelled'] as const;
const NAMES = ['Müller', 'Schmidt', 'Özdemir', 'Weiß_100%', 'Nguyen'];
const BASE = Date.parse('2026-01-01T00:00:00.000Z');

/** A process as the projection would see it; many share a creation instant, to test ties. */
function seedView(n: number): ProcessView {
  const dueAt = n % 3 === 0 ? null : new Date(BASE + (n % 500) * 3_600_000).toISOString();
  return {
    id: `seed-${String(n).padStart(5, '0')}`,
    type: TYPES[n % TYPES.length]!,
    version: 1,
    businessKey: `bk-${n}`,
    practiceId: n % 7 === 0 ? null : `BSNR-${n % 20}`,
    state: STATES[n % STATES.length]!,
    stateLabel: `Label ${n % STATES.length}`,
    status: STATUSES[n % STATUSES.length]!,
    allowedEvents: [],
    timers: dueAt ? [{ name: 'invitationExpiry', dueAt }] : [],
    context: { invitee: { lastName: NAMES[n % NAMES.length] } },
    incident: null,
    children: [],
    step: 0,
    createdAt: new Date(BASE + Math.floor(n / 4) * 1000).toISOString(),
    updatedAt: new Date(BASE + (n % 1000) * 60_000).toISOString(),
  };
}

async function seed(views: readonly ProcessView[]): Promise<void> {
  const queue = [...views];
  const writer = async () => {
    for (let view = queue.shift(); view; view = queue.shift()) {
      await record({
        view,
        runId: `run-${view.id}`,
        audit: {
          step: 0,
          event: 'STARTED',
          actor: 'key-seed',
          from: null,
          to: view.state,
          toLabel: view.stateLabel,
          at: view.createdAt,
        },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
}

/** Every page of the list with these filters, as the API hands them out. */
async function allPages(query: Record<string, string>, between?: () => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const params = new URLSearchParams({ ...query, limit: '250', ...(cursor ? { cursor } : {}) });
    const page = await api.request('GET', `/api/v1/processes?${params}`);
    expect(page.status).toBe(200);
    ids.push(...page.body.items.map((item: { id: string }) => item.id));
    cursor = page.body.nextCursor;
    pages += 1;
    if (pages === 1) await between?.();
  } while (cursor);
  return ids;
}

describe('the read model list', () => {
  const views = Array.from({ length: 10_000 }, (_, n) => seedView(n));

  beforeAll(async () => {
    await seed(views);
  }, 120_000);

  const filters: [string, Record<string, string>, (view: ProcessView) => boolean][] = [
    ['no filter', {}, () => true],
    ['type', { type: 'card' }, (v) => v.type === 'card'],
    ['a leaf state', { state: 'requested' }, (v) => v.state === 'requested'],
    ['a parent state', { state: 'registration' }, (v) => v.state.startsWith('registration.')],
    ['status', { status: 'done' }, (v) => v.status === 'done'],
    ['practiceId', { practiceId: 'BSNR-7' }, (v) => v.practiceId === 'BSNR-7'],
    ['businessKey', { businessKey: 'bk-4711' }, (v) => v.businessKey === 'bk-4711'],
    ['q, case-insensitive', { q: 'özdemir' }, (v) => JSON.stringify(v.context).includes('Özdemir')],
    [
      'q with % and _ taken literally',
      { q: 'ß_100%' },
      (v) => JSON.stringify(v.context).includes('ß_100%'),
    ],
    [
      'dueBefore',
      { dueBefore: new Date(BASE + 100 * 3_600_000).toISOString() },
      (v) => v.timers.some((t) => Date.parse(t.dueAt) < BASE + 100 * 3_600_000),
    ],
    [
      'updatedSince',
      { updatedSince: new Date(BASE + 900 * 60_000).toISOString() },
      (v) => Date.parse(v.updatedAt) >= BASE + 900 * 60_000,
    ],
    [
      'several at once',
      { type: 'invitation', status: 'active', practiceId: 'BSNR-4' },
      (v) => v.type === 'invitation' && v.status === 'active' && v.practiceId === 'BSNR-4',
    ],
  ];

  it.each(filters)(
    'when paging through 10,000 processes with %s, then each match appears exactly once',
    async (_name, query, matches) => {
      const ids = await allPages(query);
      const expected = views.filter(matches).map((view) => view.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...expected].sort());
    },
    60_000,
  );

  it('when processes are started while an operator pages, then the pages neither skip nor repeat one', async () => {
    const ids = await allPages({ type: 'ehbaApplication' }, async () => {
      await seed(
        Array.from({ length: 300 }, (_, n) => ({
          ...seedView(n * 3 + 1),
          id: `late-${n}`,
          createdAt: new Date(BASE + 86_400_000 + n).toISOString(),
        })),
      );
    });
    const expected = views.filter((view) => view.type === 'ehbaApplication').map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('seed-')).sort()).toEqual(expected.sort());
  });

  it('when the list is asked newest first, then it is ordered by creation, ties by id', async () => {
    const page = await api.request('GET', '/api/v1/processes?limit=500&type=invitation');
    const items = page.body.items as { id: string; createdAt: string }[];
    const sorted = [...items].sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
    );
    expect(items.map((item) => item.id)).toEqual(sorted.map((item) => item.id));
  });

  it('when a cursor is tampered with or a filter is unknown, then 422 says which parameter', async () => {
    const tampered = await api.request('GET', '/api/v1/processes?cursor=bm9wZQ');
    expect(tampered.status).toBe(422);
    expect(tampered.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })]);
    const unknown = await api.request('GET', '/api/v1/processes?colour=blue');
    expect(unknown.status).toBe(422);
    for (const name of ['q', 'businessKey', 'state', 'practiceId']) {
      const hostile = await api.request('GET', `/api/v1/processes?${name}=a%00b`);
      expect(hostile.status, name).toBe(422);
      expect(hostile.body.errors).toEqual([expect.objectContaining({ path: name })]);
    }
    const badDate = await api.request('GET', '/api/v1/processes?dueBefore=tomorrow');
    expect(badDate.status).toBe(422);
    expect(badDate.body.errors).toEqual([expect.objectContaining({ path: 'dueBefore' })]);
  });
});

describe('the projection', () => {
  const view = (step: number, state: string): ProcessView => ({
    ...seedView(1),
    id: 'projection-probe',
    step,
    state,
    stateLabel: state,
  });
  const entry = (step: number, state: string): TransitionRecord => ({
    view: view(step, state),
    runId: 'run-a',
    audit: {
      step,
      event: `E${step}`,
      actor: 'key-test',
      from: null,
      to: state,
      toLabel: state,
      at: new Date(BASE + step).toISOString(),
    },
  });
  const rows = async () =>
    (
      await api.database.pool.query<{ step: number; event: string }>(
        "select step, event from audit where process_id = 'projection-probe' order by step",
      )
    ).rows;

  it('when a step is projected twice and an older step arrives late, then the audit has each step once and the row shows the newest', async () => {
    await record(entry(0, 's0'));
    await record(entry(1, 's1'));
    await record(entry(1, 's1'));
    await record(entry(0, 's0'));
    expect(await rows()).toEqual([
      { step: 0, event: 'E0' },
      { step: 1, event: 'E1' },
    ]);
    const { rows: processRows } = await api.database.pool.query(
      "select step, state from processes where id = 'projection-probe'",
    );
    expect(processRows).toEqual([{ step: 1, state: 's1' }]);
  });

  it('when a step is written again (a retried action carrying it, the catch-up queue), then the worker counts its transition once', async () => {
    const counted: number[] = [];
    const { recordTransition } = createProjectionActivities({
      readModel: api.database.pool,
      onTransition: (written) => counted.push(written.audit.step),
    });
    const once = { ...entry(0, 's0'), view: { ...view(0, 's0'), id: 'projection-count' } };
    const next = { ...entry(1, 's1'), view: { ...view(1, 's1'), id: 'projection-count' } };

    await recordTransition(once);
    await recordTransition(next);
    await recordTransition(next);
    // An older step arriving after a newer one leaves the row alone and is counted no second time.
    await recordTransition(once);
    expect(counted).toEqual([0, 1]);

    // A step whose first write comes after a newer step's (it waited in the catch-up queue):
    // the row stays at the newer step, the step's audit entry is new and counts.
    await recordTransition({ ...next, view: { ...next.view, id: 'projection-late' } });
    await recordTransition({ ...once, view: { ...once.view, id: 'projection-late' } });
    expect(counted).toEqual([0, 1, 1, 0]);
  });

  it('when anyone tries to change or remove audit rows in the database, then Postgres refuses', async () => {
    await record(entry(0, 's0'));
    const { pool } = api.database;
    await expect(
      pool.query("update audit set actor = 'someone-else' where process_id = 'projection-probe'"),
    ).rejects.toThrow(/append-only: UPDATE/);
    await expect(
      pool.query("delete from audit where process_id = 'projection-probe'"),
    ).rejects.toThrow(/append-only: DELETE/);
    await expect(pool.query('truncate audit')).rejects.toThrow(/append-only: TRUNCATE/);
    expect((await rows()).length).toBeGreaterThan(0);
  });

  it('when a step carries a NUL character, then the row and the audit are written with U+FFFD instead of failing for ever', async () => {
    const nul = entry(0, 's0');
    await record({
      ...nul,
      view: {
        ...nul.view,
        id: 'projection-nul',
        context: { note: 'a\u0000b', ['k\u0000']: ['x\u0000'] },
      },
      audit: { ...nul.audit, detail: { reason: 'c\u0000d' } },
    });
    const { rows: written } = await api.database.pool.query<{ context: unknown }>(
      "select context from processes where id = 'projection-nul'",
    );
    expect(written).toEqual([{ context: { note: 'a\ufffdb', ['k\ufffd']: ['x\ufffd'] } }]);
    const { rows: audited } = await api.database.pool.query<{ detail: unknown }>(
      "select detail from audit where process_id = 'projection-nul'",
    );
    expect(audited).toEqual([{ detail: { reason: 'c\ufffdd' } }]);
  });

  it('when a step lists running children and a later one none, then the row and the list show them and then none; a view from a worker before children writes none', async () => {
    const id = 'projection-children';
    const child = {
      id: 'check',
      src: 'practiceCheck',
      kind: 'machine',
      since: new Date(BASE + 1).toISOString(),
      step: 1,
      workflowId: `${id}/check/1`,
    } as const;
    const at = (step: number, children: ProcessView['children']): TransitionRecord => {
      const base = entry(step, step === 1 ? 'checking' : 'checked');
      return { ...base, view: { ...base.view, id, children } };
    };
    const children = async () => {
      const list = await api.request('GET', '/api/v1/processes?q=projection-children');
      const { rows } = await api.database.pool.query<{ children: unknown }>(
        'select children from processes where id = $1',
        [id],
      );
      return { listed: list.body.items?.[0]?.children as unknown, row: rows[0]?.children };
    };

    await record(at(1, [child]));
    expect(await children()).toEqual({ listed: [child], row: [child] });
    await record(at(2, []));
    expect(await children()).toEqual({ listed: [], row: [] });
    await record(at(3, [child]));
    const { children: _, ...before } = at(4, []).view;
    await record({ ...at(4, []), view: before as ProcessView });
    expect(await children()).toEqual({ listed: [], row: [] });
  });

  it('when an operator cancels with a control character in the reason, then 422 names the field', async () => {
    const started = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: 'Frau',
          firstName: 'Erika',
          lastName: 'Nul',
          email: 'erika.nul@praxis.example',
          practiceId: 'BSNR-123456789',
        },
      },
    });
    const refused = await api.request('DELETE', `/api/v1/processes/${started.body.id}`, {
      body: { reason: 'doppelt\u0000angelegt' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
  });
});
