/** What every benchmark shares: its own throw-away servers, quantiles, the raw baseline. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { c, log, since } from '../scripts/lib/log.js';
import { Supervisor } from '../scripts/lib/supervisor.js';
import { startThrowawayServers } from '../scripts/lib/throwaway-servers.js';
import { ensureToolchain } from '../scripts/toolchain.js';
import { bundleWorkflows } from '../worker/worker.js';
import { summarize, printSummary, BundleSources, readProfiles } from './profile-summary.js';

/** Starts a Temporal dev server, Postgres and a mail catcher of its own, runs, stops them. */
export async function withThrowawayServers(
  run: (env: NodeJS.ProcessEnv) => Promise<void>,
): Promise<void> {
  const supervisor = new Supervisor((service) =>
    log.error(`${service.spec.name} ${service.exitReason}`),
  );
  const dir = mkdtempSync(join(tmpdir(), 'praxisflow-bench-'));
  const toolchain = await ensureToolchain({ quiet: true });
  const env = await startThrowawayServers(supervisor, toolchain, dir);
  try {
    await run(env);
  } finally {
    await supervisor.stopAll();
  }
}

/** The q-quantile of ascending values (NaN for none). */
export const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
}

/** p50, p99 and mean of some times in ms. */
export function latencyOf(times: readonly number[]): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

/** Runs `once` n times one after the other (after a few warm-ups): p50, p99, mean in ms. */
export async function latency(n: number, once: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < 5; i++) await once(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await once(i);
    times.push(performance.now() - start);
  }
  return latencyOf(times);
}

/** The raw-Temporal baselines (bench/raw-workflows.ts), bundled like praxisflow's workflows. */
export const rawWorkflowBundle = (): Promise<WorkflowBundle> =>
  bundleWorkflows(fileURLToPath(new URL('./raw-workflows.ts', import.meta.url)));

/** Writes bench/results/<name>.json. */
export function writeResult(name: string, data: unknown): void {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(data, null, 2)}\n`);
}

/**
 * Runs `work(i)` for every i < n, `concurrency` at a time; with `progress`, a line every 10 %
 * naming it. Answers the seconds it took.
 */
export async function inParallel(
  n: number,
  concurrency: number,
  work: (i: number) => Promise<unknown>,
  progress?: string,
): Promise<number> {
  const start = performance.now();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        await work(i);
        done += 1;
        if (progress && done % Math.max(1, Math.floor(n / 10)) === 0) {
          log.info(c.gray(`${progress} ${done}/${n}, ${since(start)}`));
        }
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

/** No workflow task and no activity pending: the worker has nothing left of this process. */
export async function restsNow(handle: WorkflowHandle): Promise<boolean> {
  const { raw } = await handle.describe();
  return !raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0;
}

/** Waits until every process rests: no workflow task, no activity pending (64 asked at a time). */
export async function untilAllRest(client: Client, ids: readonly string[]): Promise<void> {
  let pending = [...ids];
  while (pending.length > 0) {
    const resting: boolean[] = [];
    await inParallel(pending.length, 64, async (i) => {
      resting[i] = await restsNow(client.workflow.getHandle(pending[i]!));
    });
    pending = pending.filter((_, i) => !resting[i]);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Where `--profile` leaves a benchmark's CPU profiles, one directory per benchmark. */
export const profileDir = (name: string): string => `bench/results/profiles/${name}`;

/** The monotonic clock in µs: the clock V8's profiler stamps its samples with. */
export const profileClock = (): number => Number(process.hrtime.bigint() / 1000n);

/** An interval of a run whose samples the summary counts on their own. */
export interface ProfileWindow {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** The windows of a run, and `phase`, which runs `work` as one of them. */
export function profileWindows(): {
  readonly windows: ProfileWindow[];
  phase<T>(name: string, work: () => Promise<T>): Promise<T>;
} {
  const windows: ProfileWindow[] = [];
  return {
    windows,
    async phase(name, work) {
      const from = profileClock();
      try {
        return await work();
      } finally {
        windows.push({ name, from, to: profileClock() });
      }
    },
  };
}

/**
 * With `--profile`: runs this benchmark again in a child process under V8's CPU profiler
 * (every thread, the workflow threads too, writes its profile into {@link profileDir} at exit),
 * then prints where the CPU time of each window went, windows read from the benchmark's result
 * (`profileWindows`). Answers true in the parent, which then has nothing more to do; false in
 * the profiled child and without `--profile`.
 */
export function profiledRerun(name: string, profile: boolean): boolean {
  if (!profile || profiling()) return false;
  const dir = profileDir(name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log.step(`profiling: the run writes its CPU profiles into ${dir}`);
  const child = spawnSync(
    process.execPath,
    // The benchmark runs through scripts/bootstrap.mjs, which loads TypeScript.
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      ...process.execArgv,
      fileURLToPath(new URL('../scripts/bootstrap.mjs', import.meta.url)),
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) process.exit(child.status ?? 1);
  const result = JSON.parse(readFileSync(`bench/results/${name}.json`, 'utf8')) as {
    profileWindows?: ProfileWindow[];
  };
  printProfiles(dir, result.profileWindows ?? []);
  return true;
}

/** Whether this process runs under V8's CPU profiler (the child {@link profiledRerun} spawns). */
export const profiling = (): boolean => process.execArgv.includes('--cpu-prof');

/**
 * Writes a workflow bundle into a directory of profiles, under the name its script runs as, so
 * that the summary maps workflow code to its modules through the bundle's source map. The same
 * sources bundle to the same name: a worker that bundles for itself runs under this name too.
 */
export function keepBundleForProfiles(dir: string, bundle: WorkflowBundle): void {
  if (!('code' in bundle)) return;
  const marker = bundle.code.lastIndexOf('base64,');
  const map = JSON.parse(
    Buffer.from(bundle.code.slice(marker + 7).trim(), 'base64').toString(),
  ) as {
    file: string;
  };
  writeFileSync(join(dir, basename(map.file)), bundle.code);
}

/** Prints where the CPU time of each window went, over every profile in `dir`. */
export function printProfiles(dir: string, windows: readonly ProfileWindow[]): void {
  const profiles = readProfiles([dir]).map((entry) => entry.profile);
  const sources = new BundleSources([dir]);
  for (const window of windows) {
    printSummary(`${window.name}, all threads`, summarize(profiles, sources, window));
  }
}
