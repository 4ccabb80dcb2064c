/**
 * `npm run keys -- <command>`: the API keys in the read model's Postgres — create (the key is
 * printed once), list, revoke. Postgres: DATABASE_URL, else the embedded one of `npm start`
 * (.praxisflow/). Key hashes use PRAXISFLOW_SECRET, else the `codeSecret` of
 * .praxisflow/secrets.json — the secret `npm start` hands the API. Applies pending migrations
 * first. Exit codes: 0 done, 1 failed (unknown id, Postgres unreachable), 2 wrong usage.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createApiKey,
  listApiKeys,
  revokeApiKey,
  ROLES,
  type ApiKeyInfo,
  type NewApiKey,
} from '../api/api-keys.js';
import { AppError } from '../api/errors.js';
import { ConfigError, secretConfig } from '../config/env.js';
import { deriveKey } from '../config/secrets.js';
import { migrate } from '../db/migrate.js';
import { createPool, waitForDatabase, type Pool } from '../db/pool.js';
import { c, log } from './lib/log.js';
import { devDatabaseUrl, loadOrCreateSecrets } from './lib/secrets.js';

const USAGE = `API keys of praxisflow

usage:
  npm run keys -- create --name <name> --role <admin|operator|client> [--practice <id> …]
  npm run keys -- list
  npm run keys -- revoke <key id>

create options:
  --name <name>        who holds the key, e.g. "Praxis Dr. Muster"
  --role <role>        admin (everything), operator (read all, operator events, cancel),
                       client (its own practices only)
  --practice <id>      a practice a client key acts for (repeatable; clients need one)
  --created-by <who>   recorded with the key (default: cli:<user name>)

environment:
  DATABASE_URL         Postgres (default: the embedded one of npm start)
  PRAXISFLOW_SECRET    the deployment secret (default: codeSecret of .praxisflow/secrets.json)
  PRAXISFLOW_DATA_DIR  where npm start keeps its data (default: .praxisflow)

A revoked key stops working within 10 s.`;

/** Wrong usage: exit code 2. */
class UsageError extends Error {}
/** The command could not be done: exit code 1. */
class CommandError extends Error {}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        role: { type: 'string' },
        practice: { type: 'string', multiple: true },
        'created-by': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** PRAXISFLOW_SECRET, else the one npm start generated. */
function deploymentSecret(env: NodeJS.ProcessEnv, secretsFile: string): string {
  let secret = env.PRAXISFLOW_SECRET;
  if (secret === undefined) {
    if (!existsSync(secretsFile)) {
      throw new CommandError(
        `PRAXISFLOW_SECRET is not set and ${secretsFile} does not exist: run \`npm start\` once, or set PRAXISFLOW_SECRET (and DATABASE_URL)`,
      );
    }
    secret = loadOrCreateSecrets(secretsFile).secrets.codeSecret;
  }
  try {
    return secretConfig({ PRAXISFLOW_SECRET: secret }).secret;
  } catch (error) {
    throw new CommandError(error instanceof ConfigError ? error.message : String(error));
  }
}

function databaseUrl(env: NodeJS.ProcessEnv, dataDir: string, secretsFile: string): string {
  if (!env.DATABASE_URL && !existsSync(secretsFile)) {
    throw new CommandError(
      `DATABASE_URL is not set and ${secretsFile} does not exist: run \`npm start\` once, or set DATABASE_URL`,
    );
  }
  return devDatabaseUrl(dataDir, env);
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(DATABASE_URL)';
  }
}

async function connect(url: string): Promise<Pool> {
  const pool = createPool(url, { applicationName: 'praxisflow-keys', max: 2 });
  try {
    await waitForDatabase(pool, 3_000);
    await migrate(pool);
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new CommandError(
      `cannot use Postgres at ${redacted(url)}: ${error instanceof Error ? error.message : String(error)}\n  Is \`npm start\` running? Else set DATABASE_URL.`,
    );
  }
}

function defaultCreatedBy(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

const when = (date: Date | null): string =>
  date ? date.toISOString().slice(0, 16).replace('T', ' ') : '—';

function table(keys: readonly ApiKeyInfo[]): string {
  const header = ['id', 'name', 'role', 'practices', 'created (UTC)', 'last used', 'revoked'];
  const rows = keys.map((key) => [
    key.id,
    key.name,
    key.role,
    key.practices.join(', ') || '(all)',
    when(key.createdAt),
    when(key.lastUsedAt),
    when(key.revokedAt),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [c.bold(line(header)), ...rows.map(line)].join('\n');
}

/** The option behind a field of createApiKey's input, for error messages. */
function optionOf(path: string): string {
  const practice = /^practices(?:\.(\d+))?$/.exec(path);
  if (practice) return practice[1] ? `--practice #${Number(practice[1]) + 1}` : '--practice';
  return path === 'createdBy' ? '--created-by' : `--${path || 'input'}`;
}

type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'create'; readonly input: NewApiKey }
  | { readonly kind: 'list' }
  | { readonly kind: 'revoke'; readonly id: string };

/** What the command line asks for; wrong usage throws before anything connects. */
function commandOf(argv: readonly string[]): Command {
  const { values, positionals } = parse(argv);
  if (values.help) return { kind: 'help' };
  const [command, ...rest] = positionals;
  const createOnly = (['name', 'role', 'practice', 'created-by'] as const).find(
    (option) => values[option] !== undefined,
  );
  if (command !== 'create' && createOnly) {
    throw new UsageError(`--${createOnly} belongs to create`);
  }
  switch (command) {
    case 'create': {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      if (values.name === undefined || values.role === undefined) {
        throw new UsageError('create needs --name and --role');
      }
      const role = ROLES.find((known) => known === values.role);
      if (!role) throw new UsageError(`unknown role "${values.role}": ${ROLES.join(', ')}`);
      return {
        kind: 'create',
        input: {
          name: values.name,
          role,
          practices: values.practice ?? [],
          createdBy: values['created-by'] ?? defaultCreatedBy(),
        },
      };
    }
    case 'list':
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      return { kind: 'list' };
    case 'revoke':
      if (rest.length !== 1 || !rest[0]) {
        throw new UsageError('revoke needs exactly one key id (npm run keys -- list shows them)');
      }
      return { kind: 'revoke', id: rest[0] };
    case undefined:
      throw new UsageError('which command: create, list or revoke?');
    default:
      throw new UsageError(`unknown command "${command}": create, list or revoke`);
  }
}

async function run(command: Exclude<Command, { kind: 'help' }>, pool: Pool, pepper: string) {
  switch (command.kind) {
    case 'create': {
      const { input } = command;
      const { id, key } = await createApiKey(pool, pepper, input);
      const practices = input.practices?.length ? `, practices ${input.practices.join(', ')}` : '';
      log.ok(`created ${id} (${input.role}${practices}) for ${input.name}`);
      console.log(`\n  ${c.bold(key)}\n`);
      log.warn('store this key now: it is shown only this once (praxisflow keeps only its hash)');
      return;
    }
    case 'list': {
      const keys = await listApiKeys(pool);
      console.log(keys.length > 0 ? table(keys) : 'no API keys yet (npm run keys -- create …)');
      return;
    }
    case 'revoke': {
      const revoked = await revokeApiKey(pool, command.id);
      if (!revoked) {
        throw new CommandError(`no API key with id "${command.id}" (npm run keys -- list)`);
      }
      log.ok(
        revoked.alreadyRevoked
          ? `${command.id} was already revoked at ${when(revoked.revokedAt)} UTC`
          : `revoked ${command.id}: it stops working within 10 s`,
      );
    }
  }
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const command = commandOf(argv);
  if (command.kind === 'help') {
    console.log(USAGE);
    return;
  }
  const dataDir = resolve(root, env.PRAXISFLOW_DATA_DIR ?? '.praxisflow');
  const secretsFile = join(dataDir, 'secrets.json');
  const pepper = deriveKey(deploymentSecret(env, secretsFile), 'api-keys');
  const pool = await connect(databaseUrl(env, dataDir, secretsFile));
  try {
    await run(command, pool, pepper);
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2), process.env).catch((error: unknown) => {
  if (error instanceof UsageError) {
    log.error(error.message);
    console.error(`\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof AppError && error.status === 422) {
    const fields = (error.extra.errors ?? []) as readonly { path: string; message: string }[];
    log.error(`${error.detail}:`);
    for (const field of fields) console.error(`    ${optionOf(field.path)}: ${field.message}`);
    process.exitCode = 2;
  } else {
    log.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
});
