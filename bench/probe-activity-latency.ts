/**
 * Where one activity round trip's time goes, on a bare dev server (Temporal's own defaults, not
 * praxisflow's flags) of its own and a worker in this process: sequential updates that each run
 * one no-op activity before they answer, after 20 warm-ups. Prints p10/p50/p90/mean of the
 * round trip and the p50 of each step between two history events, so the leg that holds the
 * time shows; `--timeline N` prints the last N updates' events against when the client sent them.
 *
 *   npx tsx bench/probe-activity-latency.ts [--n 200] [--dc KEY=VALUE ...] [--db FILE]
 *     [--log-level warn] [--worker '{"maxCachedWorkflows":10}'] [--no-activity] [--invitation]
 *     [--timeline 20] [--pragma journal_mode=wal ...]
 *
 * `--dc` is passed as `--dynamic-config-value`, `--pragma` as `--sqlite-pragma`, `--worker` is spread into `Worker.create`,
 * `--invitation` runs bench/raw-workflows.ts's `rawInvitation` (activity and two timers).
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { freePort, waitForPort } from '../scripts/lib/net.js';
import { ensureToolchain } from '../scripts/toolchain.js';
import { quantile, rawWorkflowBundle } from './lib.js';
import { bumpUpdate, resendUpdate } from './raw-workflows.js';

const { values: options } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    dc: { type: 'string', multiple: true, default: [] },
    pragma: { type: 'string', multiple: true, default: [] },
    db: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    worker: { type: 'string', default: '{}' },
    'no-activity': { type: 'boolean', default: false },
    invitation: { type: 'boolean', default: false },
    timeline: { type: 'string', default: '0' },
  },
});
const N = Number(options.n);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const eventMs = (e: HistoryEvent): number =>
  Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
const eventName = (e: HistoryEvent): string =>
  Object.keys(e)
    .find((key) => key.endsWith('EventAttributes') && e[key as keyof HistoryEvent])!
    .replace(/EventAttributes$/, '');

const { temporalBin } = await ensureToolchain({ quiet: true });
const port = await freePort();
const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless'];
args.push('--http-port', String(await freePort()), '--metrics-port', String(await freePort()));
if (options.db) args.push('--db-filename', options.db);
for (const value of options.dc) args.push('--dynamic-config-value', value);
for (const value of options.pragma) args.push('--sqlite-pragma', value);
args.push('--log-level', options['log-level'], '--color', 'never');
const server = spawn(temporalBin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
try {
  await waitForPort({
    port,
    what: 'the dev server',
    timeoutMs: 60_000,
    abortReason: () => undefined,
  });
  const address = `127.0.0.1:${port}`;
  const connection = await connectWhenHealthy(address);
  const worker = await Worker.create({
    connection,
    taskQueue: 'probe',
    workflowBundle: await rawWorkflowBundle(),
    activities: { async sendRawDigest() {}, async sendRawInvitation() {} },
    ...(JSON.parse(options.worker) as object),
  });
  const client = new Client({ connection: await Connection.connect({ address }) });
  await worker.runUntil(async () => {
    const workflow = options.invitation
      ? 'rawInvitation'
      : options['no-activity']
        ? 'rawTrivial'
        : 'rawTrivialWithActivity';
    const handle = await client.workflow.start(workflow, {
      taskQueue: 'probe',
      workflowId: `probe-${Date.now()}`,
    });
    const update = options.invitation ? resendUpdate : bumpUpdate;
    for (let i = 0; i < 20; i++) await handle.executeUpdate(update);
    const times: number[] = [];
    const sent: [number, number][] = [];
    for (let i = 0; i < N; i++) {
      const wall = Date.now();
      const start = performance.now();
      await handle.executeUpdate(update);
      times.push(performance.now() - start);
      sent.push([wall, Date.now()]);
    }
    const mean = times.reduce((a, b) => a + b, 0) / N;
    times.sort((a, b) => a - b);
    const events = (await handle.fetchHistory()).events ?? [];
    printTimeline(events, sent.slice(-Number(options.timeline)));
    console.log(
      JSON.stringify({
        dc: options.dc,
        db: options.db,
        worker: options.worker,
        workflow,
        p10: round(quantile(times, 0.1)),
        p50: round(quantile(times, 0.5)),
        p90: round(quantile(times, 0.9)),
        mean: round(mean),
        legs: legs(events.slice(-N * 12)),
      }),
    );
  });
  await connection.close();
} finally {
  server.kill('SIGKILL');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The dev server's port opens a moment before its frontend answers. */
async function connectWhenHealthy(address: string): Promise<NativeConnection> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      if (attempt >= 60) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Per step between two successive events (a workflow task scheduled after an activity's
 * completion is its own step, apart from one scheduled for an update), the p50 gap in ms.
 */
function legs(events: readonly HistoryEvent[]): Record<string, number> {
  const gaps = new Map<string, number[]>();
  for (let i = 2; i < events.length; i++) {
    const [before, from, to] = [events[i - 2]!, events[i - 1]!, events[i]!];
    const key = `${eventName(before)} → ${eventName(from)} → ${eventName(to)}`;
    gaps.set(key, [...(gaps.get(key) ?? []), eventMs(to) - eventMs(from)]);
  }
  return Object.fromEntries(
    [...gaps].map(([key, values]) => [
      `${key} (${values.length})`,
      round(
        quantile(
          values.sort((a, b) => a - b),
          0.5,
        ),
      ),
    ]),
  );
}

/** Each update's events in ms after the client sent it, and how long the client waited. */
function printTimeline(events: readonly HistoryEvent[], sent: readonly [number, number][]): void {
  for (const [at, answered] of sent) {
    const mine = events.filter((e) => eventMs(e) >= at && eventMs(e) <= answered + 1);
    const steps = mine.map((e) => `${eventName(e)}@${(eventMs(e) - at).toFixed(0)}`);
    console.log(`${answered - at} ms: ${steps.join(' ')}`);
  }
}
