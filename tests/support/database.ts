import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../db/migrate.js';
import { createPool, type Pool } from '../../db/pool.js';

export interface TestDatabase {
  readonly url: string;
  readonly pool: Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function serverUrl(): URL {
  const value = process.env.DATABASE_URL;
  if (!value) throw new Error('DATABASE_URL is not set: run the tests with `npm test`');
  return new URL(value);
}

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = serverUrl();
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file, on the embedded Postgres `npm test` runs, migrated. */
export async function freshDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await asAdmin((client) => client.query(`create database ${name}`));
  const url = serverUrl();
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), { applicationName: `test-${label}`, max: 20 });
  await migrate(pool);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await asAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
