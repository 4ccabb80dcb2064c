import { createActivities, createMailTransport } from '../activities/index.js';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { ConfigError, payloadKeys } from '../config/env.js';
import { workerConfig } from './config.js';
import { connectWorker, createWorker } from './worker.js';

/** The praxisflow worker: runs every process workflow and every activity. */
async function main(): Promise<void> {
  const config = workerConfig();
  const mailer = createMailTransport(config.smtpUrl);
  const connection = await connectWorker(config.temporal);
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({ mailer, config: config.activities }),
    dataConverter: encryptedDataConverter(payloadKeys()),
  });
  console.log(
    `worker: polling task queue ${config.temporal.taskQueue} on ${config.temporal.address} (namespace ${config.temporal.namespace})`,
  );
  // The worker stops on SIGINT/SIGTERM by itself, finishing running tasks first.
  await worker.run();
  await connection.close();
  mailer.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
