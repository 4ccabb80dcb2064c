/**
 * The read model's writes: the process row and its audit entries, shared by the workflow's
 * projection activity, the API (the row of a process it just started) and `reconcile`.
 */
import type { AuditEntry, ProcessView } from '../workflows/protocol.js';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from './sla.js';

export type { AuditEntry };

/** What the interpreter hands the projection after every transition. */
export interface TransitionRecord {
  /** The process as its view shows it after the step. */
  readonly view: ProcessView;
  /** The first run of the workflow chain: tells a new process under a reused id from the old. */
  readonly runId: string;
  readonly audit: AuditEntry;
}

export interface ReadModel {
  query(sql: string, values?: unknown[]): Promise<unknown>;
}

const nextDueAt = (view: ProcessView): string | null =>
  view.timers.reduce<string | null>(
    (earliest, timer) => (earliest === null || timer.dueAt < earliest ? timer.dueAt : earliest),
    null,
  );

/** What `q` finds: the id, business key, label and the (redacted) context's words. */
const searchText = (view: ProcessView): string =>
  [view.id, view.businessKey, view.practiceId ?? '', view.stateLabel, JSON.stringify(view.context)]
    .join(' ')
    .toLowerCase();

const ROW_COLUMNS = `id, run_id, step, type, version, business_key, practice_id, state,
  state_label, status, allowed_events, timers, next_due_at, context, created_at, updated_at,
  search_text, incident, state_entered_at, sla_due_at, children`;

/** The same run in the same state: the state was entered before, its due time stands. */
const SAME_STATE = 'processes.run_id = excluded.run_id and processes.state = excluded.state';

/**
 * The process row, written only over an older step of the same run; a process started again
 * under the id of an ended one (another first run) replaces the row.
 */
const UPSERT_ROW = `
insert into processes (${ROW_COLUMNS})
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
  $21)
on conflict (id) do update set
  run_id = excluded.run_id, step = excluded.step, type = excluded.type,
  version = excluded.version, business_key = excluded.business_key,
  practice_id = excluded.practice_id, state = excluded.state,
  state_label = excluded.state_label, status = excluded.status,
  allowed_events = excluded.allowed_events, timers = excluded.timers,
  next_due_at = excluded.next_due_at, context = excluded.context,
  created_at = excluded.created_at, updated_at = excluded.updated_at,
  search_text = excluded.search_text, incident = excluded.incident,
  children = excluded.children,
  state_entered_at = case when ${SAME_STATE} then processes.state_entered_at
    else excluded.state_entered_at end,
  sla_due_at = case when excluded.status <> 'active' then null
    when ${SAME_STATE} then processes.sla_due_at else excluded.sla_due_at end
where (processes.run_id = excluded.run_id and processes.step <= excluded.step)
   or (processes.run_id <> excluded.run_id and processes.created_at <= excluded.created_at)
returning type, state, status, state_entered_at, sla_due_at`;

/**
 * Row and audit entry in one statement, idempotent by step: a retried or replayed projection
 * neither duplicates an audit row nor lets an older step overwrite a newer row. `audited` says
 * whether this write was the step's first (its audit row is new): a step is written again by a
 * retried action that carries it, a retried write, the catch-up queue.
 */
const UPSERT_ROW_AND_AUDIT = `
with audit_row as (
  insert into audit (process_id, run_id, step, to_state, to_label, event, actor, from_state, at, detail)
  values ($1, $2, $3, $8, $9, $22, $23, $24, $25, $26)
  on conflict (process_id, run_id, step) do nothing
  returning step
), written as (${UPSERT_ROW})
select written.*, (select count(*) from audit_row)::int as audited
from (select 1) as one left join written on true`;

/**
 * Postgres keeps no NUL in text or jsonb: a NUL that got into a process (a payload from an old
 * version, a field whose schema allows it) would fail the projection on every retry and stall
 * the process. It is written as U+FFFD instead; the process itself keeps what it has.
 */
function withoutNul<T>(value: T): T {
  // Walking every value of a large context costs more than the write; JSON shows a NUL as
  // `\u0000` (a false alarm from an escaped backslash only takes the slow path).
  return JSON.stringify(value).includes('\\u0000') ? replaceNul(value) : value;
}

function replaceNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\ufffd') as T;
  if (Array.isArray(value)) return value.map(replaceNul) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [replaceNul(key), replaceNul(inner)]),
    ) as T;
  }
  return value;
}

/** The parameters $1…$21 of the process row. */
function rowValues(original: ProcessView, runId: string, sla: SlaPolicy): unknown[] {
  const view = withoutNul(original);
  return [
    view.id,
    runId,
    view.step,
    view.type,
    view.version,
    view.businessKey,
    view.practiceId,
    view.state,
    view.stateLabel,
    view.status,
    view.allowedEvents,
    JSON.stringify(view.timers),
    nextDueAt(view),
    JSON.stringify(view.context),
    view.createdAt,
    view.updatedAt,
    searchText(view),
    view.incident ? JSON.stringify(view.incident) : null,
    // A step into another state enters it now; in the same state the row keeps what it has.
    view.updatedAt,
    view.status === 'active' ? sla.dueAt(view.type, view.state, view.updatedAt) : null,
    // A view from a worker before `children` (a write retried from the catch-up queue) has none.
    JSON.stringify(view.children ?? []),
  ];
}

interface WrittenRow {
  /** Of a transition's write: 1 when its audit row is new. */
  audited?: number;
  type: string;
  state: string;
  status: string;
  state_entered_at: Date | null;
  sla_due_at: Date | null;
}

/**
 * A row from before service levels (or before its state had a target) has no due time while it
 * stays in its state: give it one from the instant it entered the state, once.
 */
async function completeDueTime(
  readModel: ReadModel,
  written: unknown,
  id: string,
  runId: string,
  sla: SlaPolicy,
): Promise<void> {
  const row = (written as { rows?: WrittenRow[] } | undefined)?.rows?.[0];
  if (!row || row.status !== 'active' || row.sla_due_at || !row.state_entered_at) return;
  const due = sla.dueAt(row.type, row.state, row.state_entered_at.toISOString());
  if (!due) return;
  await readModel.query(
    `update processes set sla_due_at = $1
     where id = $2 and run_id = $3 and state = $4 and status = 'active' and sla_due_at is null`,
    [due, id, runId, row.state],
  );
}

/** Writes just the row (no audit entry): how `reconcile` repairs a drifted read model. */
export async function writeProcessRow(
  readModel: ReadModel,
  view: ProcessView,
  runId: string,
  sla: SlaPolicy = DEFAULT_SLA_POLICY,
): Promise<void> {
  const written = await readModel.query(UPSERT_ROW, rowValues(view, runId, sla));
  await completeDueTime(readModel, written, view.id, runId, sla);
}

/**
 * Writes the row and the audit entry of one step; idempotent, an older step never wins. True
 * when this write was the step's first.
 */
export async function writeTransition(
  readModel: ReadModel,
  record: TransitionRecord,
  sla: SlaPolicy = DEFAULT_SLA_POLICY,
): Promise<boolean> {
  const audit = withoutNul(record.audit);
  const written = await readModel.query(UPSERT_ROW_AND_AUDIT, [
    ...rowValues(record.view, record.runId, sla),
    audit.event,
    audit.actor,
    audit.from,
    audit.at,
    audit.detail ? JSON.stringify(audit.detail) : null,
  ]);
  await completeDueTime(readModel, written, record.view.id, record.runId, sla);
  return (written as { rows?: WrittenRow[] } | undefined)?.rows?.[0]?.audited === 1;
}
