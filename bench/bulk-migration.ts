/**
 * `npm run bench -- --migrate N`: N running version-1 invitations moved to version 2 by one bulk
 * action, with the worker SIGKILLed half-way and a new one started — against the starts of the
 * same N invitations in the same run. Counts what the operator relies on: every process moved
 * exactly once (one MIGRATED audit entry, its read model row at version 2), none lost.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { BulkActions } from '../api/bulk-actions.js';
import { bulkActionBody } from '../api/bulk-action-schemas.js';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { payloadKeys } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { c, log } from '../scripts/lib/log.js';
import { startInvitation } from './invitation-load.js';
import { inParallel, untilAllRest, writeResult } from './lib.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const RATE = 200;

export async function measureBulkMigration(
  env: NodeJS.ProcessEnv,
  options: { processes: number },
): Promise<void> {
  const n = options.processes;
  const secret = randomBytes(32).toString('base64url');
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
  const client = new Client({
    connection,
    dataConverter: encryptedDataConverter(payloadKeys({ PRAXISFLOW_SECRET: secret })),
  });
  const pool = createPool(env.DATABASE_URL!, { applicationName: 'bench', max: 8 });
  await migrate(pool);
  const taskQueue = `bench-migrate-${randomBytes(3).toString('hex')}`;
  const practiceId = `BSNR-mig-${randomBytes(3).toString('hex')}`;
  const entry = fileURLToPath(new URL('../worker/main.ts', import.meta.url));
  const worker = (): WorkerProcess =>
    startWorkerProcess(entry, {
      ...env,
      PRAXISFLOW_SECRET: secret,
      SMTP_URL: env.MAILCATCHER_SMTP_URL,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PRAXISFLOW_WORKER_METRICS_PORT: '0',
    });

  let current = worker();
  await current.ready;
  log.step(`${n} version-1 invitations, 64 at a time`);
  const startedAt = performance.now();
  const ids: string[] = [];
  await inParallel(n, 64, async (i) => {
    ids[i] = await startInvitation(client, i, taskQueue, { version: 1, practiceId });
  });
  const startsPerSecond = n / ((performance.now() - startedAt) / 1000);
  await untilAllRest(client, ids);
  await untilRows(pool, ids);

  log.step(`one bulk action: all ${n} to version 2, at most ${RATE} a second; SIGKILL half-way`);
  const jobs = new BulkActions(pool, client, taskQueue);
  const caller = { keyId: 'bench', role: 'admin' as const, practices: [] };
  const filter = { type: 'invitation', practiceId, version: '1' };
  const body = bulkActionBody.parse({
    filter,
    action: { kind: 'migrate', toVersion: 2, reason: 'Benchmark: Version 2' },
    ratePerSecond: RATE,
  });
  const preview = await jobs.preview(caller, body);
  const migrateStarted = performance.now();
  const job = await jobs.create(caller, body, filter);
  let killedAt: number | undefined;
  for (;;) {
    const now = (await jobs.get(job.id))!;
    const finished = now.total - now.counts.pending;
    if (killedAt === undefined && finished >= n / 2) {
      killedAt = finished;
      log.info(c.gray(`${finished} of ${n} done: SIGKILL the worker, start another`));
      await current.stop('SIGKILL');
      current = worker();
      await current.ready;
    }
    if (now.status !== 'running' && now.counts.pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const seconds = (performance.now() - migrateStarted) / 1000;
  await untilAllRest(client, ids);
  const ended = (await jobs.get(job.id))!;
  const { rows } = await pool.query<{ version: number; migrated: string }>(
    `select p.version, (select count(*) from audit a
        where a.process_id = p.id and a.event = 'MIGRATED') as migrated
      from processes p where p.id = any($1)`,
    [ids],
  );
  const movedOnce = rows.filter((row) => row.version === 2 && Number(row.migrated) === 1).length;
  const twice = rows.filter((row) => Number(row.migrated) > 1).length;
  const lost = n - movedOnce - twice;
  await current.stop('SIGTERM');
  await pool.end();
  await connection.close();

  const perSecond = n / seconds;
  console.log(`\n${c.bold(`bulk migration of ${n} running invitations, version 1 → 2`)}`);
  console.log(
    `  preview                    ${preview.willAct} of ${preview.matched} would move, ${preview.willRefuse} refused`,
  );
  console.log(`  starts per second          ${startsPerSecond.toFixed(1)} (64 at a time)`);
  console.log(
    `  migrations per second      ${perSecond.toFixed(1)} (${seconds.toFixed(1)} s, worker SIGKILLed after ${killedAt ?? '—'})`,
  );
  console.log(`  ratio                      ${(perSecond / startsPerSecond).toFixed(2)}×`);
  console.log(
    `  results                    done ${ended.counts.done}, refused ${ended.counts.refused}, failed ${ended.counts.failed}`,
  );
  console.log(`  moved exactly once         ${movedOnce}; twice ${twice}; lost ${lost}`);
  writeResult('bulk-migration', {
    processes: n,
    startsPerSecond,
    migrationsPerSecond: perSecond,
    seconds,
    killedAfter: killedAt,
    counts: ended.counts,
    movedOnce,
    twice,
    lost,
  });
  if (lost > 0 || twice > 0 || ended.counts.done !== n) process.exitCode = 1;
}

/** Waits until every process has its read model row (the bulk filter selects from them). */
async function untilRows(pool: ReturnType<typeof createPool>, ids: readonly string[]) {
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      'select count(*) as n from processes where id = any($1)',
      [ids],
    );
    if (Number(rows[0]!.n) === ids.length) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
