/**
 * B3's baseline: Temporal's own visibility list over as many workflows as the read model has
 * rows, carrying the same search attributes. The workflows sit on a task queue nobody polls:
 * visibility lists them as Running all the same, and no worker's cost enters the figure.
 */
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { c, log, since } from '../scripts/lib/log.js';
import { ProcessSearchAttributes, type ProcessView } from '../workflows/protocol.js';

const TASK_QUEUE = 'bench-visibility';

/**
 * Starts `count` workflows shaped like `viewOf(n)`, 64 at a time; the done ones are terminated,
 * so that "done" has an equivalent (`ExecutionStatus != 'Running'`). Resolves once visibility
 * counts them all (it is written asynchronously). Answers the seconds it took.
 */
export async function seedVisibility(
  client: Client,
  count: number,
  viewOf: (n: number) => ProcessView,
  concurrency = 64,
): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < count; n = next++) {
        const view = viewOf(n);
        const handle = await client.workflow
          .start(view.type, {
            taskQueue: TASK_QUEUE,
            workflowId: view.id,
            typedSearchAttributes: [
              { key: ProcessSearchAttributes.type, value: view.type },
              { key: ProcessSearchAttributes.state, value: view.state },
              { key: ProcessSearchAttributes.businessKey, value: view.businessKey },
              { key: ProcessSearchAttributes.practiceId, value: view.practiceId! },
            ],
          })
          .catch((error: unknown) => {
            // A retried start after a lost answer: the workflow is there.
            if (error instanceof WorkflowExecutionAlreadyStartedError)
              return client.workflow.getHandle(view.id);
            throw error;
          });
        if (view.status === 'done') await handle.terminate('bench: a finished process');
        if (n % 10_000 === 0 && n > 0) {
          log.info(c.gray(`${n.toLocaleString('en')} workflows, ${since(start)} …`));
        }
      }
    }),
  );
  for (;;) {
    const { count: listed } = await client.workflow.count();
    if (listed >= count) break;
    log.info(c.gray(`visibility lists ${listed.toLocaleString('en')} …`));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return (performance.now() - start) / 1000;
}

/** The first page of the same size, as an SDK client reads it (decoded search attributes). */
export async function firstVisibilityPage(
  client: Client,
  query: string | undefined,
  pageSize: number,
): Promise<number> {
  let listed = 0;
  for await (const _ of client.workflow.list({ pageSize, ...(query ? { query } : {}) })) {
    if (++listed >= pageSize) break;
  }
  return listed;
}

/** The page token after `pages` pages of `pageSize` (unfiltered). */
export async function visibilityPageToken(
  client: Client,
  pages: number,
  pageSize: number,
): Promise<Uint8Array> {
  let token: Uint8Array = new Uint8Array();
  for (let page = 0; page < pages; page += 1) {
    ({ nextPageToken: token } = await visibilityPage(client, token, pageSize));
  }
  return token;
}

/** One page by token: the raw gRPC call, nothing decoded. */
export const visibilityPage = (client: Client, nextPageToken: Uint8Array, pageSize: number) =>
  client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    pageSize,
    nextPageToken,
  });
