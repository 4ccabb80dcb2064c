/**
 * `npm run bench:live` (issue 10's B4): many live processes each waiting on an open 720 h
 * timer — what they cost the worker, and how long a crashed worker's successor takes until
 * every one of them answers again. Against raw Temporal on the same dev server in the same
 * run: as many trivial workflows with a 720 h `sleep` and a query.
 *
 * Per side, each worker in a process of its own (`worker/main.ts` as `npm start` runs it;
 * `bench/raw-worker.ts` for the baseline):
 *
 *  1. start N processes through the Temporal client, 64 at a time (praxisflow: invitations with
 *     the args the API gives; each sends its email to the mail catcher);
 *  2. once all are idle (no workflow or activity backlog, worker CPU < 5 %): RSS and heaps;
 *  3. SIGKILL the worker, start a new one, query every process (64 at a time, a failed query
 *     retried): "resumed" is the instant its answer arrives, counted from the new worker's
 *     spawn. A process no longer in any worker's cache is replayed from its history to answer.
 *
 * Writes bench/results/live-processes.json. `--processes N` (default 10000), `--profile`
 * (CPU profiles of the restarted praxisflow worker in bench/results/profiles/live-processes,
 * summarized for its replay: bench/profile-summary.ts), `--cached N`
 * (the praxisflow worker's cache size instead of its default).
 */
import { mkdirSync, rmSync } from 'node:fs';
import {
  inParallel,
  keepBundleForProfiles,
  printProfiles,
  profileClock,
  profileDir,
  quantile,
  withThrowawayServers,
  writeResult,
  type ProfileWindow,
} from './lib.js';
import { bundleWorkflows } from '../worker/worker.js';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { payloadKeys } from '../config/env.js';
import { createPool } from '../db/pool.js';
import { c, log } from '../scripts/lib/log.js';
import { viewQuery } from '../workflows/protocol.js';
import { startInvitation } from './invitation-load.js';
import { liveQuery } from './raw-workflows.js';
import { startWorkerProcess, type MemoryReport, type WorkerProcess } from './worker-process.js';

const { values: options } = parseArgs({
  options: {
    processes: { type: 'string', default: '10000' },
    profile: { type: 'boolean', default: false },
    /** The praxisflow worker's cache size (PRAXISFLOW_WORKER_MAX_CACHED_WORKFLOWS). */
    cached: { type: 'string' },
  },
});
const PROCESSES = Number(options.processes);
const CONCURRENCY = 64;
/** Where `--profile` leaves the restarted praxisflow worker's CPU profiles. */
const PROFILES = profileDir('live-processes');
const entryOf = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Side {
  readonly name: string;
  readonly entry: string;
  readonly env: NodeJS.ProcessEnv;
  /** Starts process i and answers its workflow id. */
  start(i: number): Promise<string>;
  /** Asks process `id` a question only a live workflow can answer. */
  ask(id: string): Promise<unknown>;
}

interface Figures {
  readonly startsPerSecond: number;
  readonly idleWorker: MemoryReport;
  readonly loadedWorker: MemoryReport;
  readonly resumedWorker: MemoryReport;
  readonly workerReadySeconds: number;
  readonly resumedSeconds: { first: number; p50: number; p99: number; all: number };
  readonly failedQueries: number;
}

/**
 * Idle: the worker used under 5 % of a core in two 2 s windows in a row. (The task queue's
 * backlog count is no help: the dev server's is approximate and stays above 0 for minutes.)
 */
async function untilIdle(worker: WorkerProcess): Promise<void> {
  for (let quiet = 0; quiet < 2;) {
    const cpu = await worker.cpuShare(2_000);
    quiet = cpu < 0.05 ? quiet + 1 : 0;
    if (cpu >= 0.05) log.info(c.gray(`worker busy: ${(cpu * 100).toFixed(0)} % CPU`));
  }
}

async function measure(side: Side): Promise<Figures> {
  log.step(`${side.name}: ${PROCESSES.toLocaleString('en')} live processes`);
  const first = startWorkerProcess(side.entry, side.env);
  await first.ready;
  const idleWorker = await first.memory();
  const ids: string[] = [];
  const startedAt = performance.now();
  await inParallel(PROCESSES, CONCURRENCY, async (i) => (ids[i] = await side.start(i)), 'started');
  const startsPerSecond = PROCESSES / ((performance.now() - startedAt) / 1000);
  await untilIdle(first);
  const loadedWorker = await first.memory();
  log.ok(`all idle; worker RSS ${loadedWorker.rssMb.toFixed(0)} MB; SIGKILL`);
  await first.stop('SIGKILL');

  const profiled = options.profile && side.name === 'praxisflow';
  if (profiled) {
    rmSync(PROFILES, { recursive: true, force: true });
    mkdirSync(PROFILES, { recursive: true });
    // The worker bundles the same sources for itself, to the same name.
    keepBundleForProfiles(PROFILES, await bundleWorkflows());
  }
  const profile = profiled ? ['--cpu-prof', '--cpu-prof-dir', PROFILES] : [];
  const spawnedAt = performance.now();
  const second = startWorkerProcess(side.entry, side.env, profile);
  await second.ready;
  const workerReadySeconds = (performance.now() - spawnedAt) / 1000;
  const replayFrom = profileClock();
  const answered: number[] = [];
  let failedQueries = 0;
  await inParallel(
    PROCESSES,
    CONCURRENCY,
    async (i) => {
      for (;;) {
        try {
          await side.ask(ids[i]!);
          answered.push((performance.now() - spawnedAt) / 1000);
          return;
        } catch (error) {
          if (failedQueries === 0)
            log.info(
              c.gray(
                `a query failed, retried: ${String(error)} (${String((error as Error).cause)})`,
              ),
            );
          if (++failedQueries > PROCESSES) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    },
    'answered',
  );
  answered.sort((a, b) => a - b);
  const replayTo = profileClock();
  const resumedWorker = await second.memory();
  await second.stop('SIGTERM');
  if (profiled) {
    const windows: ProfileWindow[] = [
      { name: 'the restarted worker until every process answered', from: replayFrom, to: replayTo },
    ];
    printProfiles(PROFILES, windows);
  }
  const figures: Figures = {
    startsPerSecond,
    idleWorker,
    loadedWorker,
    resumedWorker,
    workerReadySeconds,
    resumedSeconds: {
      first: answered[0]!,
      p50: quantile(answered, 0.5),
      p99: quantile(answered, 0.99),
      all: answered.at(-1)!,
    },
    failedQueries,
  };
  log.ok(
    `${side.name}: all ${PROCESSES} answered ${figures.resumedSeconds.all.toFixed(1)} s after the restart`,
  );
  return figures;
}

async function run(env: NodeJS.ProcessEnv): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
  const codecClient = new Client({
    connection,
    dataConverter: encryptedDataConverter(payloadKeys({ PRAXISFLOW_SECRET: secret })),
  });
  const plainClient = new Client({ connection });

  const praxisflow: Side = {
    name: 'praxisflow',
    entry: entryOf('../worker/main.ts'),
    env: {
      ...env,
      PRAXISFLOW_SECRET: secret,
      SMTP_URL: env.MAILCATCHER_SMTP_URL,
      PRAXISFLOW_WORKER_METRICS_PORT: '0',
      ...(options.cached ? { PRAXISFLOW_WORKER_MAX_CACHED_WORKFLOWS: options.cached } : {}),
    },
    start: (i) => startInvitation(codecClient, i, 'praxisflow'),
    ask: (id) => codecClient.workflow.getHandle(id).query(viewQuery),
  };
  const raw: Side = {
    name: 'raw Temporal',
    entry: entryOf('./raw-worker.ts'),
    env: { ...env, BENCH_TASK_QUEUE: 'bench-raw-live' },
    async start(i) {
      const handle = await plainClient.workflow.start('rawLiveProcess', {
        taskQueue: 'bench-raw-live',
        workflowId: `raw-live-${i}`,
      });
      return handle.workflowId;
    },
    ask: (id) => plainClient.workflow.getHandle(id).query(liveQuery),
  };

  const p = await measure(praxisflow);
  const pool = createPool(env.DATABASE_URL!, { applicationName: 'bench', max: 2 });
  const { rows } = await pool.query<{ sent: string }>(
    `select count(*) as sent from outbox where status = 'sent'`,
  );
  await pool.end();
  log.info(c.gray(`invitation emails sent: ${rows[0]?.sent}`));
  const r = await measure(raw);
  await connection.close();
  report(p, r, Number(rows[0]?.sent ?? 0));
}

function report(p: Figures, r: Figures, emails: number): void {
  const mb = (value: number) => `${value.toFixed(0)} MB`;
  const s = (value: number) => `${value.toFixed(1)} s`;
  const heap = (m: MemoryReport) => Object.values(m.heapMb).reduce((a, b) => a + b, 0);
  // Thread 0 is the main thread; the SDK runs every workflow in the others.
  const workflowHeap = (m: MemoryReport) => heap(m) - (m.heapMb[0] ?? 0);
  const perProcessHeapKb = (f: Figures) =>
    ((workflowHeap(f.loadedWorker) - workflowHeap(f.idleWorker)) * 1024) / PROCESSES;
  const perProcessKb = (f: Figures) =>
    ((f.loadedWorker.rssMb - f.idleWorker.rssMb) * 1024) / PROCESSES;
  const kb = (value: number) => `${value.toFixed(0)} kB`;
  const firstToAll = (f: Figures) => f.resumedSeconds.all - f.resumedSeconds.first;
  /** A row of the table: the figure of both sides, formatted, and their ratio. */
  const row = (
    label: string,
    format: (value: number) => string,
    figure: (f: Figures) => number,
  ): [string, string, string, number] => [
    label,
    format(figure(p)),
    format(figure(r)),
    figure(p) / figure(r),
  ];
  const rows = [
    row(
      'starts per second (64 at a time)',
      (v) => v.toFixed(0),
      (f) => f.startsPerSecond,
    ),
    row('worker RSS, no process', mb, (f) => f.idleWorker.rssMb),
    row('worker RSS, all live and idle', mb, (f) => f.loadedWorker.rssMb),
    row('  per live process', kb, perProcessKb),
    row('heap, all threads (main + workflows)', mb, (f) => heap(f.loadedWorker)),
    row('heap, workflow threads', mb, (f) => workflowHeap(f.loadedWorker)),
    row('  per live process', kb, perProcessHeapKb),
    row('restart: new worker polls', s, (f) => f.workerReadySeconds),
    row('restart: first process answers', s, (f) => f.resumedSeconds.first),
    row('restart: half answered (p50)', s, (f) => f.resumedSeconds.p50),
    row('restart: all answered', s, (f) => f.resumedSeconds.all),
    row('  first → all (replay throughput)', s, firstToAll),
    row('worker RSS after all answered', mb, (f) => f.resumedWorker.rssMb),
  ];
  console.log(
    `\n${c.bold(`${PROCESSES.toLocaleString('en')} live processes, each with an open 720 h timer`)}`,
  );
  console.log(
    `  ${''.padEnd(38)} ${'praxisflow'.padStart(11)} ${'raw'.padStart(9)} ${'ratio'.padStart(7)}`,
  );
  for (const [name, a, b, ratio] of rows) {
    console.log(
      `  ${name.padEnd(38)} ${a.padStart(11)} ${b.padStart(9)} ${`${ratio.toFixed(2)}×`.padStart(7)}`,
    );
  }
  console.log(
    c.gray(
      `  failed queries retried: praxisflow ${p.failedQueries}, raw ${r.failedQueries}; invitation emails sent: ${emails}`,
    ),
  );
  console.log(
    c.gray(
      `  load average (1 min) at the start ${loadAtStart.toFixed(1)}, at the end ${loadavg()[0]!.toFixed(1)}`,
    ),
  );
  writeResult('live-processes', {
    processes: PROCESSES,
    cachedWorkflows: options.cached ?? 'default',
    praxisflow: p,
    raw: r,
    emails,
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
  });
}

const loadAtStart = loadavg()[0]!;
await withThrowawayServers(run);
