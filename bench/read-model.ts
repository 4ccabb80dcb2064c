/**
 * `npm run bench:read-model`: what an operator waits for, measured against a baseline in the
 * same run on the same servers.
 *
 *  1. List latency over 100,000 processes, through the API (HTTP, auth, validation, JSON)
 *     vs. the bare SQL of the same page on the same Postgres, and vs. Temporal's visibility
 *     list of the same filter over as many workflows with the same search attributes on the
 *     same dev server (B3): p50/p99 per filter.
 *  2. Projection cost: an event's round trip through the API with the real read model
 *     projection vs. the same round trip with a projection that writes nothing (a second
 *     worker on its own task queue) — and whether the row read right after the answer shows
 *     the answer's step (lag 0 means: always).
 *
 * Starts its own throw-away Temporal dev server, Postgres and mail catcher. Prints a table and
 * writes bench/results/read-model.json. `--rows N` (default 100000), `--events N` (default 200),
 * `--workflows N` (Temporal's side of B3; default: as many as rows).
 */
import { quantile, withThrowawayServers, writeResult } from './lib.js';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { postgresOutbox } from '../activities/outbox.js';
import { createProjectionActivities, type TransitionRecord } from '../activities/projection.js';
import { withStepRecords } from '../activities/step-record.js';
import { createApp } from '../api/app.js';
import { ReadModel } from '../api/read-model.js';
import { EncryptionCodec } from '../codec/payload-codec.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { c, log } from '../scripts/lib/log.js';
import { bundleWorkflows } from '../worker/worker.js';
import { type ProcessView } from '../workflows/protocol.js';
import {
  firstVisibilityPage,
  seedVisibility,
  visibilityPage,
  visibilityPageToken,
} from './visibility.js';
import { secretSealer } from '../storage/sealed-secrets.js';

/** The code secret of the bench's worker and API: the API seals what the worker opens. */
const BENCH_CODE_SECRET = randomBytes(32).toString('base64url');

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    events: { type: 'string', default: '200' },
    workflows: { type: 'string' },
  },
});
const ROWS = Number(options.rows);
const EVENTS = Number(options.events);
const WORKFLOWS = Number(options.workflows ?? ROWS);

interface Figures {
  p50: number;
  p99: number;
}

async function timed(times: number, run: (i: number) => Promise<unknown>): Promise<Figures> {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const start = performance.now();
    await run(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

const TYPES = ['invitation', 'ehbaApplication', 'card', 'contactVerification', 'nightlyDigest'];
const STATES = [
  'registration.invited',
  'registration.personalData',
  'requested',
  'completed',
  'expired',
];
const NAMES = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker'];
const BASE = Date.parse('2026-01-01T00:00:00Z');

function syntheticView(n: number): ProcessView {
  const due =
    n % 4 === 0
      ? []
      : [
          {
            name: 'expiry',
            dueAt: new Date(BASE + ((n * 7919) % 2_000) * 3_600_000).toISOString(),
          },
        ];
  return {
    id: `${TYPES[n % TYPES.length]}-${n.toString(36).padStart(6, '0')}`,
    type: TYPES[n % TYPES.length]!,
    version: 1,
    businessKey: randomBytes(8).toString('hex'),
    practiceId: `BSNR-${n % 2_000}`,
    state: STATES[(n >> 3) % STATES.length]!,
    stateLabel: `Zustand ${(n >> 3) % STATES.length}`,
    status: n % 10 === 0 ? 'done' : 'active',
    allowedEvents: ['INVITATION_RESENT'],
    timers: due,
    context: {
      invitee: { lastName: `${NAMES[n % NAMES.length]}${n}`, email: `p${n}@praxis.example` },
    },
    incident: null,
    children: [],
    step: 1,
    createdAt: new Date(BASE + n * 1_000).toISOString(),
    updatedAt: new Date(BASE + n * 1_000 + (n % 97) * 60_000).toISOString(),
  };
}

async function run(env: NodeJS.ProcessEnv): Promise<void> {
  const pool = createPool(env.DATABASE_URL!, { applicationName: 'bench', max: 32 });
  await migrate(pool);
  const projection = createProjectionActivities({ readModel: pool });
  // The same processes in the read model and (as search attributes) in Temporal.
  const views: ProcessView[] = [];
  const viewOf = (n: number) => (views[n] ??= syntheticView(n));

  log.step(`seeding ${ROWS.toLocaleString('en')} processes through the projection …`);
  const seedStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let n = next++; n < ROWS; n = next++) {
        const view = viewOf(n);
        await projection.recordTransition({
          view,
          runId: `run-${n}`,
          audit: {
            step: 1,
            event: 'STARTED',
            actor: 'bench',
            from: null,
            to: view.state,
            toLabel: view.stateLabel,
            at: view.createdAt,
          },
        });
        if (n % 20_000 === 0 && n > 0) log.info(c.gray(`${n.toLocaleString('en')} …`));
      }
    }),
  );
  await pool.query('analyze processes');
  const rowSeconds = (performance.now() - seedStart) / 1000;
  log.ok(`seeded in ${rowSeconds.toFixed(1)} s`);

  const address = env.TEMPORAL_ADDRESS!;
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const codec = new EncryptionCodec([{ id: 'bench', key: randomBytes(32) }]);
  const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
  const adminKey = `pf_bench_${randomBytes(18).toString('base64url')}`;
  const realQueue = 'bench-real';
  const appFor = (taskQueue: string) =>
    createApp({
      client,
      namespace: 'default',
      taskQueue,
      database: pool,
      secrets: secretSealer(BENCH_CODE_SECRET),
      apiKeyPepper: randomBytes(32).toString('base64url'),
      bootstrapAdminKey: adminKey,
      businessKeySecret: randomBytes(32).toString('base64url'),
      delays: {},
      codec,
      logLevel: 'silent',
      rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
    });
  const listen = async (taskQueue: string) => {
    const server = appFor(taskQueue).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const real = await listen(realQueue);

  log.step(`starting ${WORKFLOWS.toLocaleString('en')} workflows for Temporal's visibility …`);
  const workflowSeconds = await seedVisibility(client, WORKFLOWS, viewOf);
  log.ok(`started and listed in ${workflowSeconds.toFixed(1)} s`);
  const api = (url: string, method: string, path: string, body?: unknown) =>
    fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { id: string; step: number; nextCursor: string | null },
    }));

  // 1. List latency.
  const readModel = new ReadModel(pool);
  const someName = `${NAMES[3]}4711`;
  // Each filter with its visibility query; null: Temporal cannot express it (no full text, no
  // timers, no last-update time among the search attributes).
  const filters: [string, Record<string, string>, string | undefined | null][] = [
    ['newest 50, no filter', {}, undefined],
    [
      'type + state',
      { type: 'invitation', state: 'registration' },
      `ProcessType = 'invitation' AND (ProcessState = 'registration' OR ProcessState STARTS_WITH 'registration.')`,
    ],
    ['status done', { status: 'done' }, `ExecutionStatus != 'Running'`],
    ['one practice', { practiceId: 'BSNR-42' }, `PracticeId = 'BSNR-42'`],
    ['q (a name)', { q: someName.toLowerCase() }, null],
    ['dueBefore (24 h)', { dueBefore: new Date(BASE + 24 * 3_600_000).toISOString() }, null],
    ['updatedSince', { updatedSince: new Date(BASE + (ROWS - 500) * 1_000).toISOString() }, null],
  ];
  const listRows: { filter: string; api: Figures; sql: Figures; visibility: Figures | null }[] = [];
  for (const [name, query, visibilityQuery] of filters) {
    const params = new URLSearchParams({ ...query, limit: '50' });
    await api(real.url, 'GET', `/api/v1/processes?${params}`);
    const viaApi = await timed(200, async () => {
      const response = await api(real.url, 'GET', `/api/v1/processes?${params}`);
      if (response.status !== 200) throw new Error(JSON.stringify(response.body));
    });
    const filter = {
      limit: 50,
      ...query,
      ...(query.dueBefore ? { dueBefore: new Date(query.dueBefore) } : {}),
      ...(query.updatedSince ? { updatedSince: new Date(query.updatedSince) } : {}),
    } as Parameters<ReadModel['list']>[0];
    const viaSql = await timed(200, () => readModel.list(filter, undefined));
    let viaVisibility: Figures | null = null;
    if (visibilityQuery !== null) {
      await firstVisibilityPage(client, visibilityQuery, 50);
      viaVisibility = await timed(200, () => firstVisibilityPage(client, visibilityQuery, 50));
    }
    listRows.push({ filter: name, api: viaApi, sql: viaSql, visibility: viaVisibility });
  }
  // Paging deep: page 40 of the unfiltered list, cursor in hand.
  let cursor: string | null = null;
  for (let page = 0; page < 40; page += 1) {
    cursor = (
      await api(real.url, 'GET', `/api/v1/processes?limit=250${cursor ? `&cursor=${cursor}` : ''}`)
    ).body.nextCursor;
  }
  listRows.push({
    filter: 'page 41 by cursor (×250)',
    api: await timed(200, () =>
      api(real.url, 'GET', `/api/v1/processes?limit=250&cursor=${cursor}`),
    ),
    sql: await timed(200, () => readModel.list({ limit: 250, cursor: cursor! }, undefined)),
    visibility: await visibilityPageToken(client, 40, 250).then((token) =>
      timed(200, () => visibilityPage(client, token, 250)),
    ),
  });

  // 2. Projection cost and lag: real projection vs. one that writes nothing.
  const bundle = await bundleWorkflows();
  const activities = createActivities({
    outbox: postgresOutbox(pool),
    mailer: { sendMail: async () => ({}) },
    config: {
      publicBaseUrl: 'http://portal.bench',
      mailFrom: 'bench <b@bench>',
      codeSecret: BENCH_CODE_SECRET,
    },
  });
  const projectionTimes: number[] = [];
  const timedPool = {
    async query(sql: string, values?: unknown[]) {
      const start = performance.now();
      try {
        return await pool.query(sql, values);
      } finally {
        projectionTimes.push(performance.now() - start);
      }
    },
  };
  const workers = [
    await Worker.create({
      connection: nativeConnection,
      taskQueue: realQueue,
      workflowBundle: bundle,
      dataConverter: { payloadCodecs: [codec] },
      activities: withStepRecords({
        ...activities,
        ...createProjectionActivities({ readModel: timedPool }),
      }),
    }),
    await Worker.create({
      connection: nativeConnection,
      taskQueue: 'bench-noop',
      workflowBundle: bundle,
      dataConverter: { payloadCodecs: [codec] },
      activities: {
        ...activities,
        recordTransition: async (_record: TransitionRecord) => undefined,
      },
    }),
  ];
  const noop = await listen('bench-noop');
  const runs = workers.map((worker) => worker.run());

  const roundTrips = async (url: string) => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const created = await api(url, 'POST', '/api/v1/processes/invitation', {
        input: {
          salutation: null,
          firstName: 'Bench',
          lastName: `N${i}`,
          email: `bench.${randomBytes(5).toString('hex')}@praxis.example`,
          practiceId: 'BSNR-1',
        },
      });
      ids.push(created.body.id);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    let consistent = 0;
    const figures = await timed(EVENTS, async (i) => {
      const id = ids[i % ids.length]!;
      const answer = await api(url, 'POST', `/api/v1/processes/${id}/events`, {
        type: 'INVITATION_RESENT',
      });
      if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
      if (url === real.url) {
        const { rows } = await pool.query<{ step: number }>(
          'select step from processes where id = $1',
          [id],
        );
        if (rows[0]?.step === answer.body.step) consistent += 1;
      }
    });
    return { figures, consistent };
  };
  await roundTrips(real.url); // warm-up
  projectionTimes.length = 0;
  const withProjection = await roundTrips(real.url);
  const withoutProjection = await roundTrips(noop.url);
  projectionTimes.sort((a, b) => a - b);

  for (const worker of workers) worker.shutdown();
  await Promise.all(runs);
  real.server.close();
  noop.server.close();
  await connection.close();
  await nativeConnection.close();

  // Report.
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.log(
    `\n${c.bold(`List over ${ROWS.toLocaleString('en')} processes, Temporal visibility over ${WORKFLOWS.toLocaleString('en')} workflows (200 requests each; goal: API p99 < 20 ms)`)}`,
  );
  const cells = [
    'filter'.padEnd(26),
    ...['API p50', 'API p99', 'SQL p50', 'SQL p99', 'Vis. p50', 'Vis. p99'].map((h) =>
      h.padStart(10),
    ),
    'API/SQL p99'.padStart(12),
    'API/Vis. p99'.padStart(13),
    'goal'.padStart(5),
  ];
  console.log(`  ${cells.join(' ')}`);
  const dash = '—';
  for (const row of listRows) {
    const v = row.visibility;
    console.log(
      `  ${[
        row.filter.padEnd(26),
        ...[row.api.p50, row.api.p99, row.sql.p50, row.sql.p99].map((x) => ms(x).padStart(10)),
        (v ? ms(v.p50) : dash).padStart(10),
        (v ? ms(v.p99) : dash).padStart(10),
        ratio(row.api.p99, row.sql.p99).padStart(12),
        (v ? ratio(row.api.p99, v.p99) : dash).padStart(13),
        row.api.p99 < 20 ? c.green('  met') : c.red('   no'),
      ].join(' ')}`,
    );
  }
  console.log(
    c.gray(
      `  seeding: ${ROWS.toLocaleString('en')} rows through the projection ${rowSeconds.toFixed(0)} s, ${WORKFLOWS.toLocaleString('en')} workflows started ${workflowSeconds.toFixed(0)} s`,
    ),
  );
  const w = withProjection.figures;
  const wo = withoutProjection.figures;
  console.log(`\n${c.bold(`Event round trip through the API (${EVENTS} events)`)}`);
  console.log(`  with the read model projection     p50 ${ms(w.p50)}  p99 ${ms(w.p99)}`);
  console.log(`  with a projection writing nothing  p50 ${ms(wo.p50)}  p99 ${ms(wo.p99)}`);
  console.log(
    `  ratio                              p50 ${ratio(w.p50, wo.p50)}  p99 ${ratio(w.p99, wo.p99)}`,
  );
  console.log(
    `  projection write (SQL)             p50 ${ms(quantile(projectionTimes, 0.5))}  p99 ${ms(quantile(projectionTimes, 0.99))}`,
  );
  console.log(
    `  row = answer right after the answer: ${withProjection.consistent}/${EVENTS} (projection lag 0)`,
  );

  writeResult('read-model', {
    rows: ROWS,
    workflows: WORKFLOWS,
    events: EVENTS,
    seedSeconds: { rows: rowSeconds, workflows: workflowSeconds },
    list: listRows,
    roundTrip: { withProjection: w, withoutProjection: wo, consistent: withProjection.consistent },
    projectionWrite: { p50: quantile(projectionTimes, 0.5), p99: quantile(projectionTimes, 0.99) },
  });
  await pool.end();
}

await withThrowawayServers(run);
