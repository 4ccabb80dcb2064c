/**
 * Compares the read model with what Temporal knows, process by process, and with `fix`
 * rewrites every row that drifted. Temporal is the truth: each process's own view (a query,
 * which works on ended processes too) against its row. Rows whose workflow Temporal no longer
 * lists (its retention passed) are reported, never deleted: the read model outlives history.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { writeProcessRow, type ReadModel } from '../../db/projection.js';
import type { SlaPolicy } from '../../db/sla.js';
import { viewQuery, type ProcessView } from '../../workflows/protocol.js';

interface Drift {
  readonly id: string;
  readonly kind: 'missing' | 'stale' | 'unreadable';
  /** Which fields differ, or why the process could not be read. */
  readonly detail: string;
}

export interface ReconcileReport {
  readonly checked: number;
  readonly drifts: readonly Drift[];
  readonly fixed: number;
  /** Rows of processes Temporal no longer lists. */
  readonly onlyInReadModel: readonly string[];
}

interface Row {
  id: string;
  run_id: string;
  step: number;
  state: string;
  state_label: string;
  status: string;
  practice_id: string | null;
  business_key: string;
  allowed_events: string[];
  timers: unknown;
  context: unknown;
  children: unknown;
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

function differences(view: ProcessView, runId: string, row: Row): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['run', runId, row.run_id],
    ['step', view.step, row.step],
    ['state', view.state, row.state],
    ['stateLabel', view.stateLabel, row.state_label],
    ['status', view.status, row.status],
    ['practiceId', view.practiceId, row.practice_id],
    ['businessKey', view.businessKey, row.business_key],
    ['allowedEvents', view.allowedEvents, row.allowed_events],
    ['timers', view.timers, row.timers],
    ['context', view.context, row.context],
    ['children', view.children, row.children],
  ];
  return pairs.filter(([, a, b]) => stable(a) !== stable(b)).map(([name]) => name);
}

/** Of every execution under one id, the one the id means now: the running one, else the newest. */
function current(executions: readonly WorkflowExecutionInfo[]): WorkflowExecutionInfo[] {
  const byId = new Map<string, WorkflowExecutionInfo>();
  for (const execution of executions) {
    if (execution.status.name === 'CONTINUED_AS_NEW') continue;
    const known = byId.get(execution.workflowId);
    const newer =
      !known ||
      (known.status.name !== 'RUNNING' &&
        (execution.status.name === 'RUNNING' || execution.startTime > known.startTime));
    if (newer) byId.set(execution.workflowId, execution);
  }
  return [...byId.values()];
}

export async function reconcile(options: {
  client: Client;
  readModel: ReadModel & { query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] }> };
  fix: boolean;
  /** Only processes of this type. */
  type?: string;
  /** Only the processes of this task queue (a deployment's: `praxisflow`). */
  taskQueue: string;
  onProgress?: (checked: number, total: number) => void;
  /** The deployment's service levels, for the rows it rewrites; absent: the defaults. */
  sla?: SlaPolicy;
}): Promise<ReconcileReport> {
  const { client, readModel } = options;
  const quoted = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const query = [
    `TaskQueue = ${quoted(options.taskQueue)}`,
    options.type ? `ProcessType = ${quoted(options.type)}` : 'ProcessType IS NOT NULL',
  ].join(' AND ');
  const executions: WorkflowExecutionInfo[] = [];
  for await (const execution of client.workflow.list({ query })) executions.push(execution);
  const processes = current(executions);

  const { rows } = (await readModel.query(
    `select id, run_id, step, state, state_label, status, practice_id, business_key,
       allowed_events, timers, context, children from processes
     ${options.type ? 'where type = $1' : ''}`,
    options.type ? [options.type] : [],
  )) as { rows: Row[] };
  const rowById = new Map(rows.map((row) => [row.id, row]));

  const drifts: Drift[] = [];
  let fixed = 0;
  let checked = 0;
  const queue = [...processes];
  const worker = async (): Promise<void> => {
    for (let execution = queue.shift(); execution; execution = queue.shift()) {
      const runId = execution.raw.firstRunId || execution.runId;
      const row = rowById.get(execution.workflowId);
      try {
        const view = await client.workflow
          .getHandle(execution.workflowId, execution.runId)
          .query(viewQuery);
        const diff = row ? differences(view, runId, row) : ['row'];
        if (diff.length > 0) {
          drifts.push({
            id: execution.workflowId,
            kind: row ? 'stale' : 'missing',
            detail: row ? `differs in ${diff.join(', ')}` : 'no row',
          });
          if (options.fix) {
            await writeProcessRow(readModel, view, runId, options.sla);
            fixed += 1;
          }
        }
      } catch (error) {
        drifts.push({
          id: execution.workflowId,
          kind: 'unreadable',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
      checked += 1;
      options.onProgress?.(checked, processes.length);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));

  const listed = new Set(processes.map((execution) => execution.workflowId));
  return {
    checked,
    drifts: drifts.sort((a, b) => a.id.localeCompare(b.id)),
    fixed,
    onlyInReadModel: rows
      .map((row) => row.id)
      .filter((id) => !listed.has(id))
      .sort(),
  };
}
