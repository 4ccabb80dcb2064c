/**
 * The raw baseline's worker for `npm run bench:live`, in a process of its own like
 * `worker/main.ts`, so that its memory and its start-up after a crash compare honestly: it
 * bundles at start-up too, with the SDK's default options.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { rawWorkflowBundle } from './lib.js';

const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'bench-raw-live';
const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
const worker = await Worker.create({
  connection,
  taskQueue,
  workflowBundle: await rawWorkflowBundle(),
});
console.log(`worker: polling task queue ${taskQueue}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
await worker.run();
await connection.close();
