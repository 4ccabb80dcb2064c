/** What every benchmark shares: its own throw-away servers, quantiles, the raw baseline. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { c, log, since } from '../scripts/lib/log.js';
import { Supervisor } from '../scripts/lib/supervisor.js';
import { startThrowawayServers } from '../scripts/lib/throwaway-servers.js';
import { ensureToolchain } from '../scripts/toolchain.js';
import { bundleWorkflows } from '../worker/worker.js';

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

/** Waits until every process rests: no workflow task, no activity pending (64 asked at a time). */
export async function untilAllRest(client: Client, ids: readonly string[]): Promise<void> {
  let pending = [...ids];
  while (pending.length > 0) {
    const resting: boolean[] = [];
    await inParallel(pending.length, 64, async (i) => {
      const { raw } = await client.workflow.getHandle(pending[i]!).describe();
      resting[i] = !raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0;
    });
    pending = pending.filter((_, i) => !resting[i]);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
