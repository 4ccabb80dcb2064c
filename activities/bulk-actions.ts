/**
 * The activities of a bulk action's job (workflows/bulk-action.ts): the action on the next
 * pending processes, and the job's end. Each process's result is a row of `bulk_action_items`;
 * the action itself is the same update an operator's single request sends, naming the bulk
 * action in the process's audit entry.
 */
import { ApplicationFailure, Context, getClient, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { endBulkAction } from '../db/bulk-actions.js';
import type { Pool } from '../db/pool.js';
import {
  cancelUpdate,
  migrateUpdate,
  retryUpdate,
  sendUpdate,
  timerUpdate,
  sendFailureIn,
  type BulkActionSpec,
  type ProcessView,
} from '../workflows/protocol.js';

interface BulkItem {
  readonly position: number;
  readonly processId: string;
}

export interface BulkItemRequest extends BulkItem {
  readonly bulkId: string;
  readonly action: BulkActionSpec;
  readonly actor: string;
}

/** What became of one process: the state it reached, or why not. */
export type BulkOutcome =
  | {
      readonly status: 'done';
      readonly state: string;
      readonly stateLabel: string;
      /** Taken, but its effects were still running when the job moved on. */
      readonly effectsPending?: true;
    }
  | { readonly status: 'refused' | 'failed'; readonly reason: string; readonly httpStatus: number };

/** How long one process's answer is waited for before the job moves on (effects may retry). */
const ANSWER_MS = 20_000;

/** The action's update on one process; its id makes a retried activity send it once. */
function runAction(client: Client, request: BulkItemRequest): Promise<ProcessView> {
  const handle = client.workflow.getHandle(request.processId);
  const updateId = `${request.bulkId}-${request.position}`;
  const { action, actor, bulkId: bulkAction } = request;
  switch (action.kind) {
    case 'event':
      return handle.executeUpdate(sendUpdate, {
        updateId,
        args: [action.event, { actor, bulkAction }],
      });
    case 'cancel':
      return handle.executeUpdate(cancelUpdate, {
        updateId,
        args: [{ reason: action.reason, actor, bulkAction }],
      });
    case 'retry':
      return handle.executeUpdate(retryUpdate, { updateId, args: [{ actor, bulkAction }] });
    case 'fireTimer':
      return handle.executeUpdate(timerUpdate, {
        updateId,
        args: [{ action: 'fire', timer: action.timer, reason: action.reason, actor, bulkAction }],
      });
    case 'migrate':
      return handle.executeUpdate(migrateUpdate, {
        updateId,
        args: [{ toVersion: action.toVersion, reason: action.reason, actor, bulkAction }],
      });
  }
}

/** The refusal a process answered (its problem's detail and status), if it is one. */
async function refusalOf(
  client: Client,
  processId: string,
  error: unknown,
): Promise<BulkOutcome | undefined> {
  const ended = {
    status: 'refused',
    reason: `Process ${processId} has ended`,
    httpStatus: 409,
  } as const;
  if (error instanceof WorkflowNotFoundError) {
    // An update to a closed workflow reads as "not found": the process exists but has ended.
    const closed = await client.workflow
      .getHandle(processId)
      .describe()
      .then(
        () => true,
        () => false,
      );
    return closed
      ? ended
      : { status: 'failed', reason: `No process ${processId}`, httpStatus: 404 };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/workflow execution already completed|already (completed|closed)/i.test(message))
    return ended;
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const refused = sendFailureIn([error, error.cause]);
  return refused
    ? { status: 'refused', reason: refused.details.detail, httpStatus: refused.details.status }
    : { status: 'refused', reason: error.cause?.message ?? error.message, httpStatus: 409 };
}

/** What the item row keeps of an outcome: its facts; the status is a column of its own. */
const outcomeFacts = ({ status: _, ...facts }: BulkOutcome) => facts;

/** How many processes one job acts on at once at most. */
const AT_ONCE = 10;
/** Processes read from Postgres at a time. */
const PAGE = 100;
/** Attempts after which a job whose rows never appeared counts as rolled back. */
const RECORDED_ATTEMPTS = 10;
/** How long one activity takes new processes: well within its start-to-close timeout. */
const TAKING_MS = 10 * 60_000;

export interface BulkPageRequest {
  readonly bulkId: string;
  readonly action: BulkActionSpec;
  readonly actor: string;
  readonly ratePerSecond: number;
  /** Processes to take at most from the pending ones, in their order. */
  readonly limit: number;
}

export function createBulkActionActivities(deps: {
  readonly pool: Pool;
  readonly client?: Client;
}) {
  const { pool } = deps;

  /**
   * Acts on one process and records what became of it. Already recorded, or the job no longer
   * running: nothing. A refusal is a result; Temporal's own trouble is thrown (and retried).
   */
  async function applyItem(request: BulkItemRequest): Promise<void> {
    // Taken while the job runs; one taken before a crash is finished even if the job was
    // cancelled meanwhile (its update may have gone through; the same update id answers again).
    const { rowCount } = await pool.query(
      `update bulk_action_items i set started_at = coalesce(i.started_at, now())
        from bulk_actions b
        where b.id = i.bulk_id and i.bulk_id = $1 and i.position = $2 and i.status = 'pending'
          and (b.status = 'running' or i.started_at is not null)`,
      [request.bulkId, request.position],
    );
    if (rowCount !== 1) return;
    const client = deps.client ?? getClient();
    let outcome: BulkOutcome;
    try {
      const answer = runAction(client, request);
      // Should it settle only after the job moved on, nobody waits for it any more.
      answer.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const view = await Promise.race([
        answer,
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ANSWER_MS))),
      ]).finally(() => clearTimeout(timer));
      outcome = view
        ? { status: 'done', state: view.state, stateLabel: view.stateLabel }
        : { status: 'done', state: '', stateLabel: '', effectsPending: true };
    } catch (error) {
      const refused = await refusalOf(client, request.processId, error);
      if (!refused) throw error;
      outcome = refused;
    }
    await pool.query(
      `update bulk_action_items set status = $3, outcome = $4, finished_at = now()
        where bulk_id = $1 and position = $2 and status = 'pending'`,
      [request.bulkId, request.position, outcome.status, JSON.stringify(outcomeFacts(outcome))],
    );
  }

  /**
   * Whether the job's rows are there. The API starts the job's workflow inside the transaction
   * that records the job, so the first activity may run before that commits: it is retried until
   * the rows are visible. A job still not recorded after {@link RECORDED_ATTEMPTS} attempts (about
   * four minutes) was rolled back, and its workflow has nothing to do.
   */
  async function recorded(bulkId: string): Promise<boolean> {
    const { rowCount } = await pool.query('select 1 from bulk_actions where id = $1', [bulkId]);
    if (rowCount) return true;
    if (Context.current().info.attempt >= RECORDED_ATTEMPTS) return false;
    throw ApplicationFailure.retryable(
      `Bulk action ${bulkId} is not recorded yet`,
      'BulkActionNotRecorded',
    );
  }

  return {
    /**
     * Acts on the next pending processes of the job, up to `limit` and for about ten minutes at
     * most: a few lanes, each taking the next process when its last one is answered and
     * starting one per interval at most, so that all lanes together keep to the rate; the
     * lanes refill from Postgres a page at a time, so none waits for another's slow process.
     * Answers how many it took (0: none left). A retry after a crash finds the answered ones
     * recorded and sends each update under the same id: no process is acted on twice.
     */
    async applyBulkItems(request: BulkPageRequest): Promise<number> {
      if (!(await recorded(request.bulkId))) return 0;
      const stopTakingAt = performance.now() + TAKING_MS;
      const queue: BulkItem[] = [];
      let after = -1;
      let taken = 0;
      let exhausted = false;
      let refilling: Promise<void> | undefined;
      const refill = async (): Promise<void> => {
        const want = Math.min(PAGE, request.limit - taken);
        if (want <= 0 || performance.now() > stopTakingAt) {
          exhausted = true;
          return;
        }
        const { rows } = await pool.query<{ position: number; process_id: string }>(
          `select position, process_id from bulk_action_items
            where bulk_id = $1 and status = 'pending' and position > $2
            order by position limit $3`,
          [request.bulkId, after, want],
        );
        if (rows.length < want) exhausted = true;
        for (const row of rows) queue.push({ position: row.position, processId: row.process_id });
        after = rows.at(-1)?.position ?? after;
        taken += rows.length;
      };
      const next = async (): Promise<BulkItem | undefined> => {
        while (queue.length === 0 && !exhausted) {
          refilling ??= refill().finally(() => (refilling = undefined));
          await refilling;
        }
        return queue.shift();
      };
      const lanes = Math.max(1, Math.min(AT_ONCE, Math.floor(request.ratePerSecond)));
      const interval = (lanes * 1000) / request.ratePerSecond;
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          for (let item = await next(); item; item = await next()) {
            const began = performance.now();
            await applyItem({ ...request, ...item });
            heartbeat();
            const wait = interval - (performance.now() - began);
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          }
        }),
      );
      return taken;
    },

    /** The job ends: done, or cancelled with its pending processes skipped. */
    async finishBulkAction(bulkId: string, status: 'done' | 'cancelled'): Promise<void> {
      await endBulkAction(pool, bulkId, status);
    },
  };
}

export type BulkActionActivities = ReturnType<typeof createBulkActionActivities>;
