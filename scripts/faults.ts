/**
 * `npm run test:faults`: praxisflow under a steady load of invitations while its parts fail —
 * the worker SIGKILLed four times, the Temporal dev server and Postgres restarted, SMTP down
 * for a minute — then checks that nothing was lost: every confirmed process in the state its
 * events imply, every timer fired, the read model equal to Temporal, every message delivered
 * (a copy only where a send and its mark were cut apart, under the same Message-ID), and no
 * answer of the API a 500 or a 503 without `Retry-After`. Exit code 1 on any violation.
 *
 * Everything runs on free ports with its own data in a temporary directory (kept, with the
 * logs, when something fails). Three to four minutes on two cores.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { createApiKey } from '../api/api-keys.js';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { payloadKeys } from '../config/env.js';
import { deriveKey } from '../config/secrets.js';
import { createPool } from '../db/pool.js';
import { HttpRecorder } from './lib/faults/http.js';
import { LoadGenerator, PRACTICE_ID } from './lib/faults/load.js';
import { MailWatcher } from './lib/faults/mail.js';
import { keepSummary, percentileMs, printSummary } from './lib/faults/report.js';
import { startFaultStack, type FaultStack } from './lib/faults/stack.js';
import type { FaultRecord } from './lib/faults/messages.js';
import { settle, verify } from './lib/faults/verify.js';
import { c, log } from './lib/log.js';
import { ensureTemporal } from './toolchain.js';

/** Timers short enough to fire within the run: a deployment setting, as in production. */
const DELAYS = { invitationReminder: '30s', invitationExpiry: '45s' };
const STARTS_PER_SECOND = 2;
const LOAD_SECONDS = 130;
/** An email that retried through the SMTP outage may wait its backoff (up to ~4 min) once more. */
const SETTLE_TIMEOUT_MS = 300_000;
/** An event's answer waits 10 s at most for its effects (then 202): p99 must stay under this. */
const EVENT_P99_GOAL_MS = 15_000;

interface Fault {
  /** Seconds after the load began. */
  readonly at: number;
  readonly name: string;
  readonly act: (stack: FaultStack) => Promise<void>;
  /** A fault that lasts: its end, seconds after it began. */
  readonly lastsS?: number;
  readonly recover?: (stack: FaultStack) => Promise<void>;
}

const killWorker = (index: number) => async (stack: FaultStack) => {
  stack.killWorker(index);
  await sleep(2000);
  await stack.startWorker(index);
};

/**
 * One API process and one worker: the worker killed four times, Temporal and Postgres
 * restarted, SMTP down. Scaled out (`--scale N`): the kills take the workers in turn, and an
 * API process is killed too (SIGKILL: its requests in flight are cut off) while the others
 * serve through the round-robin proxy.
 */
function faultsFor(scale: number): Fault[] {
  const worker = (n: number) => (scale === 1 ? '' : ` ${(n % scale) + 1}`);
  const faults: Fault[] = [
    { at: 8, name: `worker${worker(0)} SIGKILL #1`, act: killWorker(0) },
    { at: 20, name: `worker${worker(1)} SIGKILL #2`, act: killWorker(1 % scale) },
    { at: 32, name: 'Temporal dev server restart', act: (stack) => stack.restartTemporal(3000) },
    { at: 50, name: 'Postgres restart', act: (stack) => stack.restartPostgres(3000) },
    {
      at: 65,
      name: 'SMTP down',
      act: (stack) => stack.smtp.down(),
      lastsS: 60,
      recover: (stack) => stack.smtp.up(),
    },
    { at: 80, name: `worker${worker(2)} SIGKILL #3`, act: killWorker(2 % scale) },
    { at: 100, name: `worker${worker(3)} SIGKILL #4`, act: killWorker(3 % scale) },
  ];
  if (scale > 1) {
    faults.push(
      { at: 42, name: 'API 1 SIGKILL', act: (stack) => stack.restartApiHard(0, 2000) },
      {
        at: 90,
        name: `API ${scale} SIGKILL`,
        act: (stack) => stack.restartApiHard(scale - 1, 2000),
      },
    );
  }
  return faults.sort((a, b) => a.at - b.at);
}

/** `--scale N`: N API processes behind a round-robin proxy and N workers (default 1). */
function scaleArg(argv: readonly string[]): number {
  const at = argv.indexOf('--scale');
  if (at === -1) return 1;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 8) {
    throw new Error(`--scale takes a whole number from 1 to 8, not ${argv[at + 1]}`);
  }
  return value;
}

async function main(): Promise<number> {
  const scale = scaleArg(process.argv.slice(2));
  const t0 = performance.now();
  const clock = () => (performance.now() - t0) / 1000;
  const temporalBin = await ensureTemporal({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), 'praxisflow-faults-'));
  const parts = scale === 1 ? 'the worker and the API' : `${scale} workers and ${scale} APIs`;
  log.step(`starting Temporal (SQLite), Postgres, maildev, ${parts} ${c.gray(dir)}`);
  const stack = await startFaultStack({ temporalBin, dir, delays: DELAYS, scale });
  const front = scale === 1 ? 'API' : `round-robin proxy over ${scale} APIs`;
  log.ok(
    `up in ${clock().toFixed(1)} s: ${front} ${stack.apiUrl}, timers ${JSON.stringify(DELAYS)}`,
  );

  const pool = createPool(stack.databaseUrl, { applicationName: 'praxisflow-faults', max: 4 });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  let failed = true;
  try {
    const pepper = deriveKey(stack.secret, 'api-keys');
    const newKey = async (role: 'client' | 'operator') =>
      (
        await createApiKey(pool, pepper, {
          name: `Fehlertest ${role}`,
          role,
          practices: role === 'client' ? [PRACTICE_ID] : [],
          createdBy: 'test:faults',
        })
      ).key;
    const keys = {
      admin: stack.adminKey,
      client: await newKey('client'),
      operator: await newKey('operator'),
    };
    const client = new Client({
      connection,
      namespace: 'default',
      dataConverter: encryptedDataConverter(payloadKeys({ PRAXISFLOW_SECRET: stack.secret })),
    });

    const http = new HttpRecorder(stack.apiUrl, clock);
    const mail = new MailWatcher(stack.mailApiUrl, clock);
    const load = new LoadGenerator(http, mail, keys);
    mail.start();
    const loadStart = clock();
    load.start(STARTS_PER_SECOND);
    log.step(
      `load: ${STARTS_PER_SECOND} invitations a second for ${LOAD_SECONDS} s (revoke, accept, expire)`,
    );
    const progress = setInterval(() => {
      const started = load.invitations.filter((invitation) => invitation.id).length;
      log.info(
        c.gray(
          `t=${clock().toFixed(0)}s: ${started} started, ${http.total('unavailable')} × 503, ${http.total('serverError')} × 5xx, ${mail.all.length} emails`,
        ),
      );
    }, 10_000);

    const faults: FaultRecord[] = [];
    const timeline = faultsFor(scale)
      .flatMap((fault) => [
        { at: fault.at, fault, phase: 'begin' as const },
        ...(fault.lastsS !== undefined
          ? [{ at: fault.at + fault.lastsS, fault, phase: 'end' as const }]
          : []),
      ])
      .sort((a, b) => a.at - b.at);
    const open = new Map<string, number>();
    for (const { at, fault, phase } of timeline) {
      await sleep(Math.max(0, (loadStart + at - clock()) * 1000));
      const from = clock();
      if (phase === 'begin') {
        log.step(
          `t=${from.toFixed(0)}s ${c.yellow(fault.name)}${fault.lastsS ? ` for ${fault.lastsS} s` : ''}`,
        );
        await fault.act(stack);
        if (fault.lastsS === undefined) {
          faults.push({ name: fault.name, from, to: clock() });
          log.ok(`${fault.name}: back after ${(clock() - from).toFixed(1)} s`);
        } else open.set(fault.name, from);
      } else {
        await fault.recover?.(stack);
        faults.push({ name: fault.name, from: open.get(fault.name) ?? from, to: clock() });
        log.ok(`t=${clock().toFixed(0)}s ${fault.name}: over`);
      }
    }
    await sleep(Math.max(0, (loadStart + LOAD_SECONDS - clock()) * 1000));
    log.step(`t=${clock().toFixed(0)}s load stops; waiting for the follow-ups in flight`);
    await load.stop(20_000);
    clearInterval(progress);

    log.step(`t=${clock().toFixed(0)}s settling: timers, retried messages, projections`);
    const deps = { client, pool, invitations: load.invitations, mail, faults };
    const settled = await settle(deps, SETTLE_TIMEOUT_MS);
    if (settled) log.ok(`t=${clock().toFixed(0)}s settled`);
    else log.warn(`not settled within ${SETTLE_TIMEOUT_MS / 1000} s: checking what there is`);
    await mail.stop();
    log.step('checking processes, read model, messages');
    const findings = await verify(deps);
    const violations = [
      ...stack.unexpectedExits.map((exit) => `${exit} unexpectedly`),
      ...http.violations,
      ...findings.violations,
    ];
    const eventP99 = percentileMs(http.tallies.get('event')?.latencies ?? [], 0.99);
    if (eventP99 > EVENT_P99_GOAL_MS) {
      violations.push(
        `p99 of an event's answer was ${(eventP99 / 1000).toFixed(1)} s, over the goal of ${EVENT_P99_GOAL_MS / 1000} s`,
      );
    }
    const summary = {
      scale,
      seconds: clock(),
      invitations: load.invitations,
      http,
      faults,
      findings,
      violations,
      ...(stack.proxy ? { proxy: stack.proxy.counts } : {}),
    };
    printSummary(summary);
    keepSummary(summary);
    failed = violations.length > 0;
    writeFileSync(join(dir, 'violations.txt'), violations.map((line) => `${line}\n`).join(''));
    return failed ? 1 : 0;
  } finally {
    await connection.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await stack.stop();
    if (failed) {
      // With the secret, the kept histories can be decrypted and replayed to find the cause.
      const secrets = { PRAXISFLOW_SECRET: stack.secret, DATABASE_URL: stack.databaseUrl };
      writeFileSync(join(dir, 'secrets.json'), JSON.stringify(secrets, null, 2), { mode: 0o600 });
      log.info(c.gray(`logs, data and secrets.json kept in ${dir}`));
    } else rmSync(dir, { recursive: true, force: true });
  }
}

// Exit explicitly: follow-ups that gave up may still hold a timer or a socket.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
