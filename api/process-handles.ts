import type { WorkflowHandle } from '@temporalio/client';
import { VIEW_QUERY, type ProcessView } from '../workflows/interpreter/types.js';
import { notFound } from './errors.js';
import { processIdParameter } from './schemas.js';

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
