import { Client, Connection } from '@temporalio/client';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { ConfigError, payloadKeys } from '../config/env.js';
import { temporalTls } from '../config/temporal.js';
import { createApp } from './app.js';
import { apiConfig } from './config.js';

async function main(): Promise<void> {
  const config = apiConfig();
  const connection = await Connection.connect({
    address: config.temporal.address,
    tls: await temporalTls(config.temporal),
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
  });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: encryptedDataConverter(payloadKeys()),
  });
  const app = createApp({
    client,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    adminKey: config.adminKey,
    businessKeySecret: config.businessKeySecret,
    delays: config.delays,
    smtp: config.smtp,
  });
  const server = app.listen(config.port, () => {
    console.log(`api: listening on http://localhost:${config.port}/api/v1`);
    if (config.adminKeyGenerated) {
      console.log(`api: no PRAXISFLOW_ADMIN_KEY set; this run's admin key: ${config.adminKey}`);
    }
  });
  const shutdown = (signal: string): void => {
    console.log(`api: ${signal}, closing`);
    server.close(() => {
      void connection.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.on('unhandledRejection', (reason) => {
    console.error('api: unhandled rejection', reason);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
