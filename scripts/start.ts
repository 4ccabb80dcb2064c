/**
 * `npm start`: the whole of praxisflow on one machine. Installs the Temporal CLI if missing,
 * then starts, each as a child with prefixed output: the Temporal dev server (SQLite in
 * .praxisflow/temporal.db, Web UI), the embedded Postgres of the read model (in
 * .praxisflow/postgres; not started when DATABASE_URL is set), maildev (SMTP + web inbox, mails
 * in .praxisflow/mail), the worker and the API. Ctrl-C stops everything; data persists in
 * .praxisflow/.
 *
 * Environment: PRAXISFLOW_DATA_DIR, PRAXISFLOW_TEMPORAL_PORT (7233), PRAXISFLOW_POSTGRES_PORT
 * (5433), DATABASE_URL,
 * PRAXISFLOW_TEMPORAL_UI_PORT (8233), PRAXISFLOW_SMTP_PORT (1025), PRAXISFLOW_MAIL_WEB_PORT
 * (1080), PORT (3000, the API), MAIL_FROM, PRAXISFLOW_WORKER_ENTRY / PRAXISFLOW_API_ENTRY.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { box, c, log, since } from './lib/log.js';
import { assertPortsFree, waitForPort } from './lib/net.js';
import { loadOrCreateSecrets } from './lib/secrets.js';
import { databaseUrl, embeddedPostgres, mailCatcher, temporalDevServer } from './lib/services.js';
import { stopOrphanedServices } from './lib/strays.js';
import { Supervisor, type Service } from './lib/supervisor.js';
import { reportStrays } from './lib/throwaway-servers.js';
import { ensureTemporal } from './toolchain.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${value} is not a port`);
  return n;
}

function config() {
  const dataDir = resolve(root, process.env.PRAXISFLOW_DATA_DIR ?? '.praxisflow');
  return {
    dataDir,
    mailDir: join(dataDir, 'mail'),
    temporalPort: port('PRAXISFLOW_TEMPORAL_PORT', 7233),
    temporalUiPort: port('PRAXISFLOW_TEMPORAL_UI_PORT', 8233),
    postgresPort: port('PRAXISFLOW_POSTGRES_PORT', 5433),
    externalDatabase: process.env.DATABASE_URL,
    smtpPort: port('PRAXISFLOW_SMTP_PORT', 1025),
    mailWebPort: port('PRAXISFLOW_MAIL_WEB_PORT', 1080),
    apiPort: port('PORT', 3000),
    workerEntry: process.env.PRAXISFLOW_WORKER_ENTRY ?? 'worker/main.ts',
    apiEntry: process.env.PRAXISFLOW_API_ENTRY ?? 'api/main.ts',
    mailFrom: process.env.MAIL_FROM ?? 'praxisflow (dev) <noreply@praxisflow.localhost>',
  };
}

let shuttingDown: Promise<void> | undefined;
const supervisor = new Supervisor((service) => {
  log.error(`${service.spec.name} ${service.exitReason} unexpectedly — stopping the rest`);
  void shutdown(1);
});

/** Stops all children (last started first) and exits; idempotent. */
function shutdown(code: number, why?: string): Promise<void> {
  shuttingDown ??= (async () => {
    if (supervisor.running > 0) {
      log.step(why ?? 'stopping everything …');
      await supervisor.stopAll();
      log.ok('all stopped');
    }
    process.exit(code);
  })();
  return shuttingDown;
}

let firstSignalAt = 0;
function onSignal(signal: NodeJS.Signals): void {
  if (firstSignalAt === 0) {
    firstSignalAt = performance.now();
    void shutdown(0, `${signal}: stopping everything (Ctrl-C again to force) …`);
  } else if (performance.now() - firstSignalAt > 1_000) {
    // (within 1 s it is the same Ctrl-C once more: npm forwards it to us as well)
    log.warn('forced stop: SIGKILL to everything');
    supervisor.killAll();
    process.exit(130);
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

/** Builds web/ into web/dist with Vite; a failure only warns (the API explains it at /dashboard). */
function buildDashboard(): Promise<void> {
  log.step('building the operators’ dashboard (web/, Vite)');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  return new Promise((resolvePromise) => {
    const done = (ok: boolean) => {
      process.removeListener('exit', orphan);
      if (ok) log.ok('dashboard built');
      else {
        process.stdout.write(output.join(''));
        log.warn('the dashboard did not build: /dashboard explains how to build it');
      }
      resolvePromise();
    };
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
  });
}

/** Resolves once the service printed a line matching `pattern` (it keeps the last 30). */
async function printed(service: Service, pattern: RegExp, what: string, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!service.recent.some((line) => pattern.test(line))) {
    if (service.exitReason) throw new Error(`${what} ${service.exitReason}`);
    if (performance.now() > deadline)
      throw new Error(`${what} not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
}

function waitFor(service: Service, port: number, what: string, timeoutMs: number): Promise<void> {
  return waitForPort({ port, what, timeoutMs, abortReason: () => service.exitReason });
}

async function main(): Promise<void> {
  const cfg = config();
  const temporalBin = await ensureTemporal();

  const workerEntry = resolve(root, cfg.workerEntry);
  const apiEntry = resolve(root, cfg.apiEntry);
  const hasWorker = existsSync(workerEntry);
  const hasApi = existsSync(apiEntry);
  // A start killed outright (SIGKILL, a closed terminal) left its services on our ports.
  reportStrays(await stopOrphanedServices(15_000));
  await assertPortsFree([
    { port: cfg.temporalPort, what: 'Temporal gRPC', envVar: 'PRAXISFLOW_TEMPORAL_PORT' },
    { port: cfg.temporalUiPort, what: 'Temporal Web UI', envVar: 'PRAXISFLOW_TEMPORAL_UI_PORT' },
    ...(cfg.externalDatabase
      ? []
      : [{ port: cfg.postgresPort, what: 'Postgres', envVar: 'PRAXISFLOW_POSTGRES_PORT' }]),
    { port: cfg.smtpPort, what: 'mail catcher SMTP', envVar: 'PRAXISFLOW_SMTP_PORT' },
    { port: cfg.mailWebPort, what: 'mail catcher inbox', envVar: 'PRAXISFLOW_MAIL_WEB_PORT' },
    ...(hasApi ? [{ port: cfg.apiPort, what: 'API', envVar: 'PORT' }] : []),
  ]);

  // The dashboard builds (Vite, seconds) while the servers start; the API serves it.
  const dashboard = hasApi ? buildDashboard() : Promise.resolve();

  mkdirSync(cfg.mailDir, { recursive: true });
  const { secrets, created } = loadOrCreateSecrets(join(cfg.dataDir, 'secrets.json'));
  if (created) log.ok(`generated ${join(cfg.dataDir, 'secrets.json')} (admin key, code secret)`);

  log.step(`starting the Temporal dev server on 127.0.0.1:${cfg.temporalPort}`);
  const temporal = supervisor.start({
    name: 'temporal',
    colour: c.magenta,
    cwd: root,
    ...temporalDevServer({
      bin: temporalBin,
      port: cfg.temporalPort,
      uiPort: cfg.temporalUiPort,
      dbFile: join(cfg.dataDir, 'temporal.db'),
      codecEndpoint: `http://localhost:${cfg.apiPort}/codec`,
    }),
  });
  let database = cfg.externalDatabase;
  if (!database) {
    log.step(`starting the embedded Postgres on 127.0.0.1:${cfg.postgresPort}`);
    const postgres = supervisor.start({
      name: 'postgres',
      colour: c.cyan,
      cwd: root,
      ...embeddedPostgres({
        port: cfg.postgresPort,
        dataDir: join(cfg.dataDir, 'postgres'),
        password: secrets.postgresPassword,
      }),
    });
    await waitFor(postgres, cfg.postgresPort, 'Postgres', 120_000);
    database = databaseUrl(cfg.postgresPort, secrets.postgresPassword);
  } else log.ok('using the Postgres of DATABASE_URL');
  await waitFor(temporal, cfg.temporalPort, 'the Temporal dev server', 60_000);
  await waitFor(temporal, cfg.temporalUiPort, 'the Temporal Web UI', 30_000);

  log.step(`starting the mail catcher (SMTP ${cfg.smtpPort}, inbox ${cfg.mailWebPort})`);
  const mail = supervisor.start({
    name: 'mail',
    colour: c.yellow,
    cwd: root,
    ...mailCatcher({ smtpPort: cfg.smtpPort, webPort: cfg.mailWebPort, mailDir: cfg.mailDir }),
  });
  await waitFor(mail, cfg.smtpPort, 'the mail catcher (SMTP)', 20_000);
  await waitFor(mail, cfg.mailWebPort, 'the mail catcher (inbox)', 20_000);

  const apiUrl = `http://localhost:${cfg.apiPort}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${cfg.temporalPort}`,
    TEMPORAL_NAMESPACE: 'default',
    SMTP_URL: `smtp://127.0.0.1:${cfg.smtpPort}`,
    DATABASE_URL: database,
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? apiUrl,
    PORT: String(cfg.apiPort),
    PRAXISFLOW_ADMIN_KEY: secrets.adminKey,
    PRAXISFLOW_SECRET: secrets.codeSecret,
    MAIL_FROM: cfg.mailFrom,
    PRAXISFLOW_TEMPORAL_UI_ORIGINS: `http://localhost:${cfg.temporalUiPort},http://127.0.0.1:${cfg.temporalUiPort}`,
    PRAXISFLOW_TEMPORAL_UI_URL: `http://localhost:${cfg.temporalUiPort}`,
    PRAXISFLOW_INBOX_URL: `http://localhost:${cfg.mailWebPort}`,
    // Development: a webhook receiver on this machine may listen on plain http.
    PRAXISFLOW_WEBHOOKS_ALLOW_HTTP_LOCALHOST:
      process.env.PRAXISFLOW_WEBHOOKS_ALLOW_HTTP_LOCALHOST ?? 'true',
  };
  const app = (name: string, entry: string, colour: typeof c.blue) =>
    supervisor.start({
      name,
      colour,
      cwd: root,
      env: appEnv,
      command: process.execPath,
      args: ['--import', 'tsx', entry],
      graceMs: 15_000,
    });

  let worker: Service | undefined;
  if (hasWorker) {
    log.step(`starting the worker (${cfg.workerEntry})`);
    worker = app('worker', workerEntry, c.blue);
  } else log.warn(`${cfg.workerEntry} does not exist (yet): no worker started`);
  if (hasApi) {
    await dashboard;
    log.step(`starting the API (${cfg.apiEntry}) on port ${cfg.apiPort}`);
    const api = app('api', apiEntry, c.green);
    await waitFor(api, cfg.apiPort, 'the API', 60_000);
  } else log.warn(`${cfg.apiEntry} does not exist (yet): no API started`);
  // Up means an invitation would go out: the worker polls once it has bundled the workflows.
  if (worker) await printed(worker, /polling task queue/, 'the worker', 120_000);

  const missing = (entry: string) => c.yellow(`not started: ${entry} missing`);
  // Counted from the process's start (bootstrap.mjs runs us in its process): the npm ci of a
  // fresh clone is part of what the user waits for.
  console.log(
    box(
      `${c.green('✓')} ${c.bold('praxisflow is running')} ${c.gray(`(up in ${since(0)})`)}`,
      [
        ['Dashboard', hasApi ? c.cyan(`${apiUrl}/dashboard/`) : missing(cfg.apiEntry)],
        ['API', hasApi ? c.cyan(apiUrl) : missing(cfg.apiEntry)],
        [
          'Worker',
          hasWorker
            ? `running (task queue praxisflow), metrics http://localhost:9464/metrics`
            : missing(cfg.workerEntry),
        ],
        ['API reference', hasApi ? c.cyan(`${apiUrl}/api/v1/docs`) : missing(cfg.apiEntry)],
        ['Temporal UI', c.cyan(`http://localhost:${cfg.temporalUiPort}`)],
        [
          'Decrypted in UI',
          `log in at ${c.cyan(`${apiUrl}/codec/session`)}, then tick "Include cross-origin credentials" in the UI's codec settings`,
        ],
        ['Temporal gRPC', `127.0.0.1:${cfg.temporalPort} (namespace default)`],
        ['Mail inbox', c.cyan(`http://localhost:${cfg.mailWebPort}`)],
        ['SMTP', `smtp://127.0.0.1:${cfg.smtpPort}`],
        [
          'Postgres',
          cfg.externalDatabase
            ? 'DATABASE_URL'
            : `127.0.0.1:${cfg.postgresPort} (database praxisflow)`,
        ],
        ['Admin key', c.bold(secrets.adminKey)],
        ['Data', cfg.dataDir],
      ],
      'Ctrl-C stops everything',
    ),
  );
}

main().catch(async (err: unknown) => {
  if (shuttingDown) return; // a child died or a signal came: shutdown already reports it
  log.error(err instanceof Error ? err.message : String(err));
  await shutdown(1);
});
