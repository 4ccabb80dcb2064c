/**
 * The system under fault: a Temporal dev server on SQLite and an embedded Postgres that both
 * keep their data across a restart on the same port, the mail catcher behind a TCP relay that
 * can go down, and the API and the worker as the child processes production runs.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, waitForDatabase } from '../../../db/pool.js';
import { portPicker, waitForPort } from '../net.js';
import { databaseUrl, embeddedPostgres, mailCatcher, temporalDevServer } from '../services.js';
import { Supervisor, type Service, type ServiceSpec } from '../supervisor.js';
import { roundRobin, type RoundRobin } from './round-robin.js';
import { tcpRelay, type TcpRelay } from './tcp-relay.js';

/** Deployment settings of the run: timers shortened so that they fire within it. */
export interface StackOptions {
  readonly temporalBin: string;
  /** Logs and data of this run. */
  readonly dir: string;
  /** `PRAXISFLOW_DELAY_*` for the API and the worker alike. */
  readonly delays: Readonly<Record<string, string>>;
  /** API processes (more than one: behind a round-robin proxy) and workers; default 1 each. */
  readonly scale?: number;
}

export interface FaultStack {
  /** The API, or with several the round-robin proxy in front of them. */
  readonly apiUrl: string;
  /** API processes and workers each. */
  readonly scale: number;
  readonly proxy: RoundRobin | undefined;
  readonly mailApiUrl: string;
  readonly adminKey: string;
  readonly secret: string;
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly smtp: TcpRelay;
  /** Processes that died without being told to: each a violation. */
  readonly unexpectedExits: readonly string[];
  /** Starts worker `index` (default 0) and resolves once it polls. */
  startWorker(index?: number): Promise<void>;
  /** SIGKILLs worker `index` (default 0). */
  killWorker(index?: number): void;
  /** SIGKILLs API process `index`, then starts it again and resolves once it listens. */
  restartApiHard(index: number, pauseMs: number): Promise<void>;
  /** Stops the dev server (SIGTERM) and starts it again on the same port and SQLite file. */
  restartTemporal(pauseMs: number): Promise<void>;
  /** Stops Postgres (SIGTERM: fast shutdown) and starts it again on the same data. */
  restartPostgres(pauseMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** A worker bundles its workflows at start: on a busy 2-core machine that took over 90 s. */
const READY_TIMEOUT_MS = 180_000;

/** Resolves once the service printed a line matching `ready`; rejects if it exits first. */
async function printed(service: Service, ready: RegExp, what: string): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (service.recent.some((line) => ready.test(line))) return;
    if (service.exitReason) {
      throw new Error(`${what} ${service.exitReason}:\n  ${service.recent.join('\n  ')}`);
    }
    if (performance.now() > deadline)
      throw new Error(`${what} not ready within ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

export async function startFaultStack(options: StackOptions): Promise<FaultStack> {
  const { dir } = options;
  const unexpectedExits: string[] = [];
  const deliberate = new WeakSet<Service>();
  const supervisor = new Supervisor((service) => {
    if (deliberate.has(service)) return;
    unexpectedExits.push(`${service.spec.name} ${service.exitReason ?? 'exited'}`);
  });
  const stopService = async (service: Service, signal: NodeJS.Signals): Promise<void> => {
    deliberate.add(service);
    if (service.exitReason || service.child.pid === undefined) return;
    try {
      process.kill(-service.child.pid, signal); // the whole group: also its children
    } catch {
      // already gone
    }
    await service.exited;
  };

  const scale = options.scale ?? 1;
  const nextPort = portPicker();
  const [temporalPort, pgPort, smtpPort, relayPort, webPort, httpPort, metricsPort] = [
    await nextPort(),
    await nextPort(),
    await nextPort(),
    await nextPort(),
    await nextPort(),
    await nextPort(),
    await nextPort(),
  ];
  const apiPorts: number[] = [];
  for (let i = 0; i < scale; i += 1) apiPorts.push(await nextPort());
  const apiPort = apiPorts[0]!;
  // As root the embedded Postgres runs as the user `postgres`: it must pass through `dir`.
  chmodSync(dir, 0o711);
  mkdirSync(join(dir, 'mail'), { recursive: true });
  const pgPassword = randomBytes(18).toString('base64url');
  const up = (service: Service, port: number, what: string) =>
    waitForPort({ port, what, timeoutMs: 60_000, abortReason: () => service.exitReason });

  const temporalSpec: ServiceSpec = {
    name: 'temporal',
    logFile: join(dir, 'temporal.log'),
    ...temporalDevServer({
      bin: options.temporalBin,
      port: temporalPort,
      dbFile: join(dir, 'temporal.db'),
      httpPort,
      metricsPort,
    }),
  };
  const postgresSpec: ServiceSpec = {
    name: 'postgres',
    logFile: join(dir, 'postgres.log'),
    ...embeddedPostgres({ port: pgPort, dataDir: join(dir, 'postgres'), password: pgPassword }),
  };
  let temporal = supervisor.start(temporalSpec);
  let postgres = supervisor.start(postgresSpec);
  const mail = supervisor.start({
    name: 'maildev',
    logFile: join(dir, 'maildev.log'),
    ...mailCatcher({ smtpPort, webPort, mailDir: join(dir, 'mail') }),
    stopSignal: 'SIGKILL',
  });
  const database = databaseUrl(pgPort, pgPassword);
  const postgresReady = async () => {
    await printed(postgres, /postgres: ready/, 'Postgres');
    const probe = createPool(database, { applicationName: 'praxisflow-faults', max: 1 });
    await waitForDatabase(probe, 30_000).finally(() => probe.end());
  };
  await up(temporal, temporalPort, 'the Temporal dev server');
  await postgresReady();
  await up(mail, smtpPort, 'the mail catcher (SMTP)');
  await up(mail, webPort, 'the mail catcher (API)');
  const smtp = tcpRelay(relayPort, { host: '127.0.0.1', port: smtpPort });
  await smtp.up();

  const adminKey = `pf_admin_${randomBytes(24).toString('base64url')}`;
  const secret = randomBytes(32).toString('base64url');
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_NAMESPACE: 'default',
    DATABASE_URL: database,
    SMTP_URL: `smtp://127.0.0.1:${relayPort}`,
    PUBLIC_BASE_URL: apiUrl,
    PORT: String(apiPort),
    PRAXISFLOW_ADMIN_KEY: adminKey,
    PRAXISFLOW_SECRET: secret,
    PRAXISFLOW_WORKER_METRICS_PORT: '0',
    MAIL_FROM: 'praxisflow (Fehlertest) <noreply@praxisflow.localhost>',
    LOG_LEVEL: 'warn',
    // The load generator is one client with many requests a second: no per-key limit here.
    PRAXISFLOW_RATE_LIMIT_PER_MINUTE: '1000000',
    PRAXISFLOW_RATE_LIMIT_BURST: '100000',
    ...Object.fromEntries(
      Object.entries(options.delays).map(([name, value]) => [`PRAXISFLOW_DELAY_${name}`, value]),
    ),
  };
  const app = (name: string, entry: string, env: NodeJS.ProcessEnv = appEnv): Service =>
    supervisor.start({
      name,
      logFile: join(dir, `${name}.log`),
      env,
      command: process.execPath,
      args: ['--import', 'tsx', entry],
      graceMs: 15_000,
    });

  // One of each keeps the names of the single run; with more, each has its number.
  const nameOf = (what: string, index: number) => (scale === 1 ? what : `${what}-${index + 1}`);
  const workers: (Service | undefined)[] = [];
  const startWorker = async (index = 0) => {
    // At info: the worker says it polls in an info line, which the run waits for.
    const worker = app(nameOf('worker', index), 'worker/main.ts', { ...appEnv, LOG_LEVEL: 'info' });
    workers[index] = worker;
    await printed(worker, /worker: polling task queue/, `worker ${index + 1}`);
  };
  for (let i = 0; i < scale; i += 1) await startWorker(i);
  const apis: Service[] = [];
  const startApi = async (index: number) => {
    const port = apiPorts[index]!;
    const api = supervisor.start({
      name: nameOf('api', index),
      logFile: join(dir, `${nameOf('api', index)}.log`),
      env: { ...appEnv, PORT: String(port) },
      command: process.execPath,
      args: ['--import', 'tsx', 'api/main.ts'],
      graceMs: 15_000,
    });
    apis[index] = api;
    await up(api, port, `API ${index + 1}`);
  };
  for (let i = 0; i < scale; i += 1) await startApi(i);
  const proxy = scale > 1 ? await roundRobin(apiPorts) : undefined;

  return {
    apiUrl: proxy?.url ?? apiUrl,
    scale,
    proxy,
    mailApiUrl: `http://127.0.0.1:${webPort}`,
    adminKey,
    secret,
    databaseUrl: database,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    smtp,
    unexpectedExits,
    startWorker,
    killWorker(index = 0) {
      const worker = workers[index];
      if (worker) void stopService(worker, 'SIGKILL');
    },
    async restartApiHard(index, pauseMs) {
      await stopService(apis[index]!, 'SIGKILL');
      await sleep(pauseMs);
      await startApi(index);
    },
    async restartTemporal(pauseMs) {
      await stopService(temporal, 'SIGTERM');
      await sleep(pauseMs);
      temporal = supervisor.start(temporalSpec);
      await up(temporal, temporalPort, 'the Temporal dev server');
    },
    async restartPostgres(pauseMs) {
      await stopService(postgres, 'SIGTERM');
      await sleep(pauseMs);
      postgres = supervisor.start(postgresSpec);
      await postgresReady();
    },
    async stop() {
      await proxy?.close();
      await smtp.down();
      await supervisor.stopAll();
    },
  };
}
