import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ProcessSearchAttributes } from '../workflows/interpreter/search-attributes.js';
import {
  SEND_UPDATE,
  VIEW_QUERY,
  type ProcessArgs,
  type ProcessEvent,
  type ProcessView,
  type SendMeta,
} from '../workflows/interpreter/types.js';
import { AppError, notFound } from './errors.js';
import { processIdParameter } from './schemas.js';
import { fromTemporal, processEnded } from './temporal-errors.js';

/** A process id from the URL; anything that cannot be one is simply not found. */
export function processId(raw: unknown): string {
  if (typeof raw !== 'string' || !processIdParameter.safeParse(raw).success)
    throw notFound(`No process ${String(raw).slice(0, 80)}`);
  return raw;
}

/** Asks the workflow for its view; right after a start the first workflow task may still run. */
export async function viewOf(handle: WorkflowHandle, attempts = 20): Promise<ProcessView> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handle.query<ProcessView>(VIEW_QUERY);
    } catch (error) {
      const retriable = /not (yet )?ready|no poller|first workflow task/i.test(String(error));
      if (!retriable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/**
 * Starts the workflow `{type}-{businessKey}` with its search attributes and answers its first
 * view; a running process with that id is a 409.
 */
export async function startProcessWorkflow(
  client: Client,
  taskQueue: string,
  type: string,
  args: ProcessArgs,
): Promise<ProcessView> {
  const workflowId = `${type}-${args.businessKey}`;
  try {
    const handle = await client.workflow.start(type, {
      taskQueue,
      workflowId,
      args: [args],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [
        { key: ProcessSearchAttributes.type, value: type },
        { key: ProcessSearchAttributes.businessKey, value: args.businessKey },
        ...(args.practiceId
          ? [{ key: ProcessSearchAttributes.practiceId, value: args.practiceId }]
          : []),
      ],
    });
    return await viewOf(handle);
  } catch (error) {
    throw fromTemporal(error, workflowId);
  }
}

/** An update to a closed workflow reads as "not found"; the process exists but has ended: 409. */
export async function refusalOf(error: unknown, handle: WorkflowHandle): Promise<unknown> {
  const mapped = fromTemporal(error, handle.workflowId);
  if (!(mapped instanceof AppError) || mapped.status !== 404) return mapped;
  try {
    const { status } = await handle.describe();
    return processEnded(handle.workflowId, ` (${status.name})`);
  } catch {
    return mapped;
  }
}

/**
 * Sends an outside event through the `send` update and answers the new view; a refusal (422,
 * 409, an ended process) becomes the API's error.
 */
export function sendEvent(
  handle: WorkflowHandle,
  event: ProcessEvent,
  actor: string,
): Promise<ProcessView> {
  return handle
    .executeUpdate<ProcessView, [ProcessEvent, SendMeta]>(SEND_UPDATE, { args: [event, { actor }] })
    .catch(async (error: unknown) => {
      throw await refusalOf(error, handle);
    });
}
