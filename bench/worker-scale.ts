/**
 * `npm run bench -- --workers N`: how the engine's throughput grows with workers. The same load
 * — a backlog of invitations, each sending its email and writing its read model row — is worked
 * off by one worker, then by N workers on a fresh task queue, on the same dev server, Postgres
 * and mail catcher in the same run. Each worker runs in a Node process of its own
 * (`worker/main.ts`, as production runs it).
 *
 * Per phase: the invitations are started while no worker polls their task queue, the workers
 * are spawned, and the clock runs from the first worker that polls until every invitation
 * rests (email sent, no workflow task or activity pending). Throughput is invitations per
 * second; the machine's CPU (all cores, from /proc/stat) over the same span says whether the
 * machine, not the engine, was the limit.
 *
 * `workerCpu` caps each worker at that share of a core (a cgroup of its own), as each worker
 * would have its own on its own host: on 2 cores one uncapped worker takes one core and the
 * servers the other, so a second one would only split the same CPU.
 */
import { inParallel, untilAllRest, writeResult } from './lib.js';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { payloadKeys } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { c, log } from '../scripts/lib/log.js';
import { startInvitation } from './invitation-load.js';
import { startWorkerProcess } from './worker-process.js';

interface Phase {
  readonly workers: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Share of all cores busy during the phase (0–1). */
  readonly machineBusy: number;
  /** Each worker's share of one core during the phase. */
  readonly workerCpu: readonly number[];
}

/** Busy and total jiffies of all cores so far. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const values = fields.map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = values[3]! + (values[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** The cgroup (v1) CPU controller, where this machine lets the bench cap a process's CPU. */
const CPU_CGROUPS = '/sys/fs/cgroup/cpu';

/**
 * Caps process `pid` (all its threads) at `cores` of CPU in a cgroup of its own; answers how to
 * lift the cap, or null where cgroups cannot be written here (not root, no v1 CPU controller).
 */
function capCpu(pid: number, cores: number): (() => void) | null {
  const dir = `${CPU_CGROUPS}/praxisflow-bench-${pid}`;
  try {
    if (!existsSync(`${CPU_CGROUPS}/cgroup.procs`)) return null;
    mkdirSync(dir);
    const period = Number(readFileSync(`${dir}/cpu.cfs_period_us`, 'utf8'));
    writeFileSync(`${dir}/cpu.cfs_quota_us`, String(Math.round(cores * period)));
    writeFileSync(`${dir}/cgroup.procs`, String(pid));
    return () => rmdirSync(dir);
  } catch {
    return null;
  }
}

export async function measureWorkerScale(
  env: NodeJS.ProcessEnv,
  options: { processes: number; workers: number; workerCpu: number | null },
): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
  const client = new Client({
    connection,
    dataConverter: encryptedDataConverter(payloadKeys({ PRAXISFLOW_SECRET: secret })),
  });
  const pool = createPool(env.DATABASE_URL!, { applicationName: 'bench', max: 4 });
  await migrate(pool);
  const entry = fileURLToPath(new URL('../worker/main.ts', import.meta.url));

  const phase = async (workers: number, offset: number): Promise<Phase> => {
    const taskQueue = `bench-scale-${workers}-${randomBytes(3).toString('hex')}`;
    log.step(`${workers} worker${workers === 1 ? '' : 's'}: ${options.processes} invitations`);
    const ids: string[] = [];
    await inParallel(options.processes, 64, async (i) => {
      ids[i] = await startInvitation(client, offset + i, taskQueue);
    });
    log.info(c.gray(`started, no worker polls ${taskQueue} yet; spawning ${workers}`));
    const sentBefore = await sentEmails(pool);
    const spawned = Array.from({ length: workers }, () =>
      startWorkerProcess(entry, {
        ...env,
        PRAXISFLOW_SECRET: secret,
        SMTP_URL: env.MAILCATCHER_SMTP_URL,
        TEMPORAL_TASK_QUEUE: taskQueue,
        PRAXISFLOW_WORKER_METRICS_PORT: '0',
      }),
    );
    const caps = options.workerCpu
      ? spawned.map((worker) => capCpu(worker.child.pid!, options.workerCpu!))
      : [];
    if (caps.includes(null)) {
      throw new Error(
        `cannot cap a worker's CPU here (needs root and ${CPU_CGROUPS}); run with --worker-cpu 0 for uncapped workers`,
      );
    }
    await Promise.race(spawned.map((worker) => worker.ready));
    const startedAt = performance.now();
    const ticksBefore = machineTicks();
    const cpuBefore = spawned.map((worker) => worker.cpuSeconds());
    // Every email out first (cheap to count), then every process at rest.
    for (;;) {
      const sent = (await sentEmails(pool)) - sentBefore;
      if (sent >= options.processes) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await untilAllRest(client, ids);
    const seconds = (performance.now() - startedAt) / 1000;
    const ticksAfter = machineTicks();
    const workerCpu = spawned.map((worker, i) => (worker.cpuSeconds() - cpuBefore[i]!) / seconds);
    await Promise.all(spawned.map((worker) => worker.stop('SIGTERM')));
    for (const lift of caps) lift?.();
    const result: Phase = {
      workers,
      seconds,
      perSecond: options.processes / seconds,
      machineBusy: (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total),
      workerCpu,
    };
    log.ok(
      `${result.perSecond.toFixed(1)} invitations/s (${seconds.toFixed(1)} s), machine ${(result.machineBusy * 100).toFixed(0)} % busy`,
    );
    return result;
  };

  const one = await phase(1, 0);
  const many = await phase(options.workers, options.processes);
  await pool.end();
  await connection.close();

  const percent = (share: number) => `${(share * 100).toFixed(0)} %`;
  const row = (name: string, a: string, b: string, q = '') =>
    console.log(`  ${name.padEnd(34)} ${a.padStart(10)} ${b.padStart(10)} ${q.padStart(8)}`);
  const cap = options.workerCpu
    ? `each worker capped at ${options.workerCpu} of a core`
    : 'workers uncapped';
  console.log(
    `\n${c.bold(`worker throughput: ${options.processes} invitations per phase, ${availableParallelism()} cores, ${cap}`)}`,
  );
  row('', '1 worker', `${options.workers} workers`, 'ratio');
  row(
    'invitations per second',
    one.perSecond.toFixed(1),
    many.perSecond.toFixed(1),
    `${(many.perSecond / one.perSecond).toFixed(2)}×`,
  );
  row('machine busy (all cores)', percent(one.machineBusy), percent(many.machineBusy));
  row(
    'worker CPU (share of one core)',
    one.workerCpu.map(percent).join(' + '),
    many.workerCpu.map(percent).join(' + '),
  );
  writeResult('worker-scale', {
    processes: options.processes,
    workerCpu: options.workerCpu,
    cores: availableParallelism(),
    one,
    many,
    ratio: many.perSecond / one.perSecond,
  });
}

const sentEmails = async (pool: ReturnType<typeof createPool>): Promise<number> => {
  const { rows } = await pool.query<{ sent: string }>(
    `select count(*) as sent from outbox where status = 'sent'`,
  );
  return Number(rows[0]!.sent);
};
