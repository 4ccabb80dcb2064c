import pg from 'pg';
import { inClientSpan } from '../observability/tracing.js';

export type Pool = pg.Pool;

export interface PoolOptions {
  /** Connections of this process; Postgres' own limit is shared by all processes. */
  readonly max?: number;
  /** Shown in pg_stat_activity: which part of praxisflow holds the connection. */
  readonly applicationName: string;
}

/** A connection pool to the read model; `DATABASE_URL` says where. */
export function createPool(databaseUrl: string, options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that breaks (server restart) must not crash the process: the next
  // query gets a fresh connection.
  pool.on('error', () => undefined);
  traceQueries(pool);
  return pool;
}

/**
 * Each query through the pool is a span (`pg select`, `pg insert`, …) when tracing is on: the
 * statement's verb, never its text or values.
 */
function traceQueries(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  pool.query = ((...args: unknown[]) => {
    if (typeof args.at(-1) === 'function') return query(...args); // the callback form
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
    const verb = /^\s*(\w+)/.exec(text ?? '')?.[1]?.toLowerCase() ?? 'query';
    return inClientSpan(
      `pg ${verb}`,
      { 'db.system': 'postgresql', 'db.operation.name': verb },
      () => query(...args),
    );
  }) as typeof pool.query;
}

/**
 * Waits until Postgres answers (it may still be starting next to us), up to `timeoutMs`;
 * then fails with what the last attempt said.
 */
export async function waitForDatabase(pool: Pool, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await pool.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `Postgres did not answer within ${timeoutMs / 1000} s: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
    }
  }
}

/** Runs `work` in one transaction on one connection: committed if it succeeds, else rolled back. */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
