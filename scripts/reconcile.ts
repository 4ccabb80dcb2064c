/**
 * `npm run reconcile [-- --fix] [--type invitation] [--json]`: checks the read model against
 * Temporal and reports every process whose row drifted from its live view; `--fix` rewrites
 * those rows. Exit code 0: no drift (or all fixed), 1: drift left, 2: usage or connection error.
 *
 * Where: DATABASE_URL and TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE, else the `npm start` defaults
 * (embedded Postgres, dev server on 127.0.0.1:7233) with the secrets in .praxisflow/.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { payloadKeys, temporalConfig } from '../config/env.js';
import { slaConfig } from '../config/sla.js';
import { temporalTls } from '../config/temporal.js';
import { createPool } from '../db/pool.js';
import { c, log } from './lib/log.js';
import { reconcile } from './lib/reconcile.js';
import { devDatabaseUrl, loadOrCreateSecrets } from './lib/secrets.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        fix: { type: 'boolean', default: false },
        type: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    log.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (values.help) {
    console.log('usage: npm run reconcile [-- --fix] [--type <process type>] [--json]');
    return 0;
  }
  const dataDir = resolve(root, process.env.PRAXISFLOW_DATA_DIR ?? '.praxisflow');
  const env = { ...process.env };
  env.PRAXISFLOW_SECRET ??= loadOrCreateSecrets(join(dataDir, 'secrets.json')).secrets.codeSecret;
  const temporal = temporalConfig(env);
  const pool = createPool(devDatabaseUrl(dataDir, env), {
    applicationName: 'praxisflow-reconcile',
  });
  const connection = await Connection.connect({
    address: temporal.address,
    tls: await temporalTls(temporal),
    ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
  });
  try {
    const client = new Client({
      connection,
      namespace: temporal.namespace,
      dataConverter: encryptedDataConverter(payloadKeys(env)),
    });
    let lastShown = 0;
    const report = await reconcile({
      client,
      readModel: pool,
      fix: values.fix,
      taskQueue: temporal.taskQueue,
      sla: slaConfig(env),
      ...(values.type ? { type: values.type } : {}),
      onProgress: (checked, total) => {
        if (values.json || performance.now() - lastShown < 2000) return;
        lastShown = performance.now();
        log.info(c.gray(`checked ${checked} of ${total} …`));
      },
    });
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      for (const drift of report.drifts) log.warn(`${drift.id}: ${drift.kind}, ${drift.detail}`);
      if (report.onlyInReadModel.length > 0) {
        log.info(
          `${report.onlyInReadModel.length} row(s) of processes Temporal no longer lists (kept): ${report.onlyInReadModel.slice(0, 10).join(', ')}${report.onlyInReadModel.length > 10 ? ', …' : ''}`,
        );
      }
      const verdict =
        report.drifts.length === 0
          ? c.green('no drift')
          : values.fix
            ? c.yellow(`${report.drifts.length} drifted, ${report.fixed} fixed`)
            : c.red(`${report.drifts.length} drifted (run with --fix to repair)`);
      log.ok(`checked ${report.checked} process(es): ${verdict}`);
    }
    const unfixed = report.drifts.length - report.fixed;
    return unfixed > 0 ? 1 : 0;
  } finally {
    await connection.close();
    await pool.end();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
