import type { Pool } from '../db/pool.js';
import { writeTransition } from '../db/projection.js';
import { ABOUT_SQL, aboutText, type AboutFields } from '../db/about.js';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../db/sla.js';
import type {
  AuditEntry,
  ProcessStatus,
  ProcessView,
  UnwrittenStep,
} from '../workflows/protocol.js';
import { validationError } from './errors.js';

/** Filters of `GET /api/v1/processes`, parsed at the edge. */
export interface ProcessFilter {
  readonly type?: string;
  readonly state?: string;
  readonly status?: string;
  readonly version?: string;
  readonly practiceId?: string;
  readonly businessKey?: string;
  readonly q?: string;
  readonly dueBefore?: Date;
  readonly updatedSince?: Date;
  readonly incident?: 'true' | 'false';
  readonly overdue?: 'true' | 'false';
  readonly limit: number;
  readonly cursor?: string;
}

export type ProcessSummary = Pick<
  ProcessView,
  | 'id'
  | 'type'
  | 'version'
  | 'businessKey'
  | 'practiceId'
  | 'state'
  | 'stateLabel'
  | 'status'
  | 'incident'
  | 'children'
  | 'createdAt'
  | 'updatedAt'
> & {
  readonly nextDueAt: string | null;
  /** Whom the process is about, as an operator may see it: „Erika Mustermann <erika@…>“. */
  readonly about: string | null;
  readonly sla: Sla | null;
};

/**
 * The service level of the state a process is in: due at `dueAt`; once that has passed (and the
 * process still waits there) it is overdue, „überfällig seit“ `overdueSince`.
 */
export interface Sla {
  readonly dueAt: string;
  readonly overdue: boolean;
  readonly overdueSince: string | null;
}

/** Overdue: an active process whose state's due time has passed (by the database's clock). */
const OVERDUE_SQL = `(status = 'active' and sla_due_at <= now())`;

const slaFrom = (dueAt: Date | null, overdue: boolean | null): Sla | null =>
  dueAt
    ? {
        dueAt: dueAt.toISOString(),
        overdue: overdue === true,
        overdueSince: overdue === true ? dueAt.toISOString() : null,
      }
    : null;

/** One entry of `GET /processes/{id}/history`: the audit row as the projection wrote it. */
export type HistoryEntry = AuditEntry;

interface Cursor {
  readonly createdAt: string;
  readonly id: string;
}

const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');

function decodeCursor(raw: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof createdAt === 'string' &&
      typeof id === 'string' &&
      !Number.isNaN(Date.parse(createdAt))
    ) {
      return { createdAt, id };
    }
  } catch {
    // falls through to the 422 below
  }
  throw validationError('The cursor is not one this API handed out', [
    { path: 'cursor', message: 'use nextCursor of the previous page, unchanged' },
  ]);
}

/** `%` and `_` in a search mean themselves. */
const likePattern = (text: string): string =>
  `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface ProcessRow {
  id: string;
  type: string;
  version: number;
  business_key: string;
  practice_id: string | null;
  state: string;
  state_label: string;
  status: ProcessStatus;
  next_due_at: Date | null;
  incident: ProcessView['incident'];
  children: ProcessView['children'];
  created_at: Date;
  updated_at: Date;
  about: AboutFields | null;
  sla_due_at: Date | null;
  overdue: boolean | null;
}

const summary = (row: ProcessRow): ProcessSummary => ({
  id: row.id,
  type: row.type,
  version: row.version,
  businessKey: row.business_key,
  practiceId: row.practice_id,
  state: row.state,
  stateLabel: row.state_label,
  status: row.status,
  nextDueAt: row.next_due_at?.toISOString() ?? null,
  incident: row.incident,
  children: row.children,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  about: aboutText(row.about),
  sla: slaFrom(row.sla_due_at, row.overdue),
});

/** Filters a selection of processes can have: the list's, without its paging. */
export type SelectionFilter = Omit<ProcessFilter, 'limit' | 'cursor'>;

/**
 * The SQL conditions (over `processes`) of a filter, limited to `practices` when given; `param`
 * adds a value and answers its placeholder. Shared by the list and the bulk actions.
 */
export function filterConditions(
  filter: SelectionFilter,
  practices: readonly string[] | undefined,
  param: (value: unknown) => string,
): string[] {
  const where: string[] = [];
  if (practices) where.push(`practice_id = any(${param(practices)}::text[])`);
  if (filter.type) where.push(`type = ${param(filter.type)}`);
  if (filter.state) {
    const state = param(filter.state);
    // A parent state finds the processes in any of its children.
    where.push(`(state = ${state} or state like ${state} || '.%')`);
  }
  if (filter.status) where.push(`status = ${param(filter.status)}`);
  if (filter.version) where.push(`version = ${param(Number(filter.version))}`);
  if (filter.practiceId) where.push(`practice_id = ${param(filter.practiceId)}`);
  if (filter.businessKey) where.push(`business_key = ${param(filter.businessKey)}`);
  if (filter.q) where.push(`search_text like ${param(likePattern(filter.q))}`);
  if (filter.dueBefore) where.push(`next_due_at < ${param(filter.dueBefore)}`);
  if (filter.updatedSince) where.push(`updated_at >= ${param(filter.updatedSince)}`);
  if (filter.incident) {
    where.push(filter.incident === 'true' ? 'incident is not null' : 'incident is null');
  }
  if (filter.overdue) {
    where.push(filter.overdue === 'true' ? OVERDUE_SQL : `not coalesce(${OVERDUE_SQL}, false)`);
  }
  return where;
}

/**
 * Reads of the read model. `practices` limits everything to those practices (a client key);
 * undefined means all.
 */
export class ReadModel {
  constructor(
    private readonly pool: Pool,
    private readonly sla: SlaPolicy = DEFAULT_SLA_POLICY,
  ) {}

  /** The row and `STARTED` entry of a process just started, as its projection writes them. */
  recordStart(view: ProcessView, runId: string, actor: string): Promise<boolean> {
    return this.recordStep(view, {
      runId,
      audit: {
        step: view.step,
        event: 'STARTED',
        actor,
        from: null,
        at: view.createdAt,
        to: view.state,
        toLabel: view.stateLabel,
      },
    });
  }

  /**
   * The row and audit entry of a step the workflow has answered but not yet written
   * (`ProcessView.unwritten`), as its projection writes them: idempotent by step, an older step
   * never wins. True when this write was the step's first.
   */
  recordStep(view: ProcessView, step: UnwrittenStep): Promise<boolean> {
    return writeTransition(this.pool, { view, runId: step.runId, audit: step.audit }, this.sla);
  }

  /** One page, newest first; pages are cut by keyset, so paging is stable under inserts. */
  async list(
    filter: ProcessFilter,
    practices: readonly string[] | undefined,
  ): Promise<{ items: ProcessSummary[]; nextCursor: string | null }> {
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    const where = filterConditions(filter, practices, param);
    if (filter.cursor) {
      const cursor = decodeCursor(filter.cursor);
      where.push(
        `(created_at, id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.id)})`,
      );
    }
    const sql = `select id, type, version, business_key, practice_id, state, state_label, status,
        next_due_at, incident, children, created_at, updated_at, sla_due_at,
        coalesce(${OVERDUE_SQL}, false) as overdue, ${ABOUT_SQL}
      from processes ${where.length ? `where ${where.join(' and ')}` : ''}
      order by created_at desc, id desc
      limit ${param(filter.limit + 1)}`;
    const { rows } = await this.pool.query<ProcessRow>(sql, values);
    const page = rows.slice(0, filter.limit).map(summary);
    const last = page.at(-1);
    return {
      items: page,
      nextCursor:
        rows.length > filter.limit && last
          ? encodeCursor({
              createdAt: rows[filter.limit - 1]!.created_at.toISOString(),
              id: last.id,
            })
          : null,
    };
  }

  /** Counts by type and state, what is due soon, incidents, the latest steps. */
  overview(practices: readonly string[] | undefined): Promise<Overview> {
    return overviewOf(this.pool, practices);
  }

  /**
   * The service level of a process as the read model has it, for the live view of `state`;
   * null when the row shows another state (the read model lags a step: the state was just
   * entered) or the state has no target.
   */
  async slaOf(id: string, state: string): Promise<Sla | null> {
    const { rows } = await this.pool.query<{ sla_due_at: Date | null; overdue: boolean | null }>(
      `select sla_due_at, coalesce(${OVERDUE_SQL}, false) as overdue
       from processes where id = $1 and state = $2`,
      [id, state],
    );
    const row = rows[0];
    return row ? slaFrom(row.sla_due_at, row.overdue) : null;
  }

  /** Overdue processes by type and state, for the Prometheus gauge: one indexed scan. */
  async overdueCounts(): Promise<{ type: string; state: string; count: number }[]> {
    const { rows } = await this.pool.query<{ type: string; state: string; count: number }>(
      `select type, state, count(*)::int as count from processes
       where sla_due_at is not null and ${OVERDUE_SQL} group by type, state`,
    );
    return rows;
  }

  /** How many processes of a type run (and have ended) on each machine version. */
  async versionCounts(
    type: string,
  ): Promise<{ version: number; running: number; ended: number }[]> {
    const { rows } = await this.pool.query<{ version: number; running: number; ended: number }>(
      `select version, count(*) filter (where status = 'active')::int as running,
              count(*) filter (where status <> 'active')::int as ended
       from processes where type = $1 group by version order by version`,
      [type],
    );
    return rows;
  }

  /** What the outbox knows of a process's messages (recipients as operators may see them). */
  messages(processId: string): Promise<SentMessage[]> {
    return messagesOf(this.pool, processId);
  }

  /** The practice a process belongs to: undefined if the read model does not know it. */
  async practiceOf(id: string): Promise<{ practiceId: string | null } | undefined> {
    const { rows } = await this.pool.query<{ practice_id: string | null }>(
      'select practice_id from processes where id = $1',
      [id],
    );
    return rows[0] ? { practiceId: rows[0].practice_id } : undefined;
  }

  /** The audit trail of the process now under this id, oldest step first. */
  async history(id: string): Promise<HistoryEntry[] | undefined> {
    const { rows } = await this.pool.query<{
      step: number;
      event: string;
      actor: string;
      from_state: string | null;
      to_state: string;
      to_label: string;
      at: Date;
      detail: Record<string, unknown> | null;
    }>(
      `select a.step, a.event, a.actor, a.from_state, a.to_state, a.to_label, a.at, a.detail
       from processes p join audit a on a.process_id = p.id and a.run_id = p.run_id
       where p.id = $1 order by a.step`,
      [id],
    );
    if (rows.length === 0) return undefined;
    return rows.map((row) => ({
      step: row.step,
      event: row.event,
      actor: row.actor,
      from: row.from_state,
      to: row.to_state,
      toLabel: row.to_label,
      at: row.at.toISOString(),
      ...(row.detail ? { detail: row.detail } : {}),
    }));
  }

  /**
   * What the public status lookup needs of one process: its label, since when it has had that
   * label (the first step of the latest run of steps with it), its status and its context.
   */
  async statusOf(id: string): Promise<PublicStatusRow | undefined> {
    const { rows } = await this.pool.query<{
      state_label: string;
      status: string;
      context: Record<string, unknown>;
      updated_at: Date;
      since: Date | null;
    }>(
      `select p.state_label, p.status, p.context, p.updated_at,
         (select min(a.at) from audit a
           where a.process_id = p.id and a.run_id = p.run_id
             and a.step > coalesce((select max(b.step) from audit b
               where b.process_id = p.id and b.run_id = p.run_id
                 and b.to_label <> p.state_label), -1)) as since
       from processes p where p.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      stateLabel: row.state_label,
      status: row.status,
      context: row.context,
      since: (row.since ?? row.updated_at).toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }
}

export interface PublicStatusRow {
  readonly stateLabel: string;
  readonly status: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly since: string;
  readonly updatedAt: string;
}

/** What the operators' overview shows: where processes stand, what is due, what went wrong. */
export interface Overview {
  readonly counts: {
    readonly type: string;
    readonly state: string;
    readonly stateLabel: string;
    readonly status: string;
    readonly count: number;
    /** Of those, how many are overdue in that state. */
    readonly overdue: number;
  }[];
  /** Active processes past their state's due time. */
  readonly overdue: number;
  readonly dueWithin24h: number;
  readonly dueWithin7d: number;
  readonly incidents: number;
  readonly recent: {
    readonly processId: string;
    readonly step: number;
    readonly event: string;
    readonly actor: string;
    readonly toLabel: string;
    readonly at: string;
    readonly about: string | null;
  }[];
}

/** One message a process sent (or tried to), as the outbox keeps it: no body. */
export interface SentMessage {
  readonly step: number;
  readonly channel: string;
  readonly recipient: string;
  readonly subject: string;
  readonly status: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

async function overviewOf(pool: Pool, practices: readonly string[] | undefined): Promise<Overview> {
  const scope = practices ? 'where practice_id = any($1::text[])' : '';
  const values = practices ? [practices] : [];
  const [counts, due, recent] = await Promise.all([
    pool.query<{
      type: string;
      state: string;
      state_label: string;
      status: string;
      count: number;
      overdue: number;
    }>(
      `select type, state, state_label, status, count(*)::int as count,
         count(*) filter (where ${OVERDUE_SQL})::int as overdue
       from processes ${scope}
       group by type, state, state_label, status order by type, state`,
      values,
    ),
    pool.query<{ due24h: number; due7d: number; incidents: number; overdue: number }>(
      `select
         count(*) filter (where ${OVERDUE_SQL})::int as overdue,
         count(*) filter (where status = 'active' and next_due_at < now() + interval '24 hours')::int as due24h,
         count(*) filter (where status = 'active' and next_due_at < now() + interval '7 days')::int as due7d,
         count(*) filter (where incident is not null)::int as incidents
       from processes ${scope}`,
      values,
    ),
    pool.query<{
      process_id: string;
      step: number;
      event: string;
      actor: string;
      to_label: string;
      at: Date;
      about: AboutFields | null;
    }>(
      `select a.process_id, a.step, a.event, a.actor, a.to_label, a.at, ${ABOUT_SQL}
       from audit a join processes p on p.id = a.process_id and p.run_id = a.run_id
       ${practices ? 'where p.practice_id = any($1::text[])' : ''}
       order by a.at desc, a.step desc limit 15`,
      values,
    ),
  ]);
  const totals = due.rows[0] ?? { due24h: 0, due7d: 0, incidents: 0, overdue: 0 };
  return {
    counts: counts.rows.map((row) => ({
      type: row.type,
      state: row.state,
      stateLabel: row.state_label,
      status: row.status,
      count: row.count,
      overdue: row.overdue,
    })),
    overdue: totals.overdue,
    dueWithin24h: totals.due24h,
    dueWithin7d: totals.due7d,
    incidents: totals.incidents,
    recent: recent.rows.map((row) => ({
      processId: row.process_id,
      step: row.step,
      event: row.event,
      actor: row.actor,
      toLabel: row.to_label,
      at: row.at.toISOString(),
      about: aboutText(row.about),
    })),
  };
}

/** The messages of a process, oldest first. */
async function messagesOf(pool: Pool, processId: string): Promise<SentMessage[]> {
  const { rows } = await pool.query<{
    step: number;
    channel: string;
    recipient: string;
    subject: string;
    status: string;
    attempts: number;
    last_error: string | null;
    created_at: Date;
    sent_at: Date | null;
  }>(
    `select step, channel, recipient, subject, status, attempts, last_error, created_at, sent_at
     from outbox where process_id = $1 order by created_at, step`,
    [processId],
  );
  return rows.map((row) => ({
    step: row.step,
    channel: row.channel,
    recipient: row.recipient,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  }));
}
