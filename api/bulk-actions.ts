/**
 * Bulk actions: one action for every process a list filter selects, previewed from the read
 * model, then carried out by a durable job on Temporal (workflows/bulk-action.ts) with a result
 * per process. The processes are fixed when the job is created; those the read model already
 * shows the action does not fit are recorded refused at once, the others are acted on by the
 * job through the same updates an operator's single request sends.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { endBulkAction } from '../db/bulk-actions.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { definitionOf, latestDefinition, migrationsOf } from '../machines/registry.js';
import { secretKeysOf } from '../machines/secrets.js';
import {
  BULK_ACTION_WORKFLOW,
  bulkActionWorkflowId,
  routeMigration,
  type BulkActionArgs,
  type BulkActionSpec,
} from '../workflows/protocol.js';
import { practiceScope, type Caller } from './auth.js';
import { MAX_BULK_PROCESSES, type BulkActionBody } from './bulk-action-schemas.js';
import { AppError, notFound, validationError } from './errors.js';
import { maySend, senderDetail, senderOf, takesField } from './event-senders.js';
import { filterConditions } from './read-model.js';
import { fromTemporal } from './temporal-errors.js';

type RefusalCode =
  'ended' | 'notAllowed' | 'invalidEvent' | 'noIncident' | 'noTimer' | 'notMigratable';

interface Verdict {
  readonly code: RefusalCode;
  readonly reason: string;
}

/** Whether the action fits: null, with what the operator must know (a migration's notes). */
interface Fit {
  readonly verdict: Verdict | null;
  readonly notes?: readonly string[];
}

interface Candidate {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly state: string;
  readonly state_label: string;
  readonly status: string;
  readonly allowed_events: string[];
  readonly incident: boolean;
  readonly timer_names: string[];
}

export interface BulkPreview {
  readonly matched: number;
  readonly willAct: number;
  readonly willRefuse: number;
  readonly refusals: readonly {
    code: RefusalCode;
    reason: string;
    count: number;
    sample: string[];
  }[];
  readonly sample: readonly string[];
  readonly notes?: readonly { text: string; count: number }[];
}

/** Every version of a process type the registry knows, oldest first. */
function versionsOf(type: string): {
  definitions: NonNullable<ReturnType<typeof definitionOf>>[];
  migrations: ReturnType<typeof migrationsOf>;
} {
  const latest = latestDefinition(type)?.version ?? 0;
  const definitions = Array.from({ length: latest }, (_, i) => definitionOf(type, i + 1)).filter(
    (definition) => definition !== undefined,
  );
  return { definitions, migrations: migrationsOf(type) };
}

/**
 * A migration's fit from the read model's version and state, by the pure planner's state
 * mappings; a context the new version refuses is the process's own answer when the job runs.
 */
function migrationFit(action: { toVersion: number }, row: Candidate): Fit {
  const current = definitionOf(row.type, row.version);
  if (!current) {
    return {
      verdict: { code: 'notMigratable', reason: `${row.type} has no version ${row.version}` },
    };
  }
  const route = routeMigration(
    versionsOf(row.type),
    current,
    row.state.split(', '),
    action.toVersion,
  );
  return 'refused' in route
    ? { verdict: { code: 'notMigratable', reason: route.refused.details.detail } }
    : { verdict: null, notes: route.notes };
}

/** Whether the action fits a process as the read model shows it; why not, if it does not. */
function verdictOf(action: BulkActionSpec, row: Candidate): Verdict | null {
  if (row.status !== 'active') {
    return { code: 'ended', reason: `The process has ended (${row.status})` };
  }
  switch (action.kind) {
    case 'event': {
      const schema = definitionOf(row.type, row.version)?.events[action.event.type];
      if (!schema) {
        return {
          code: 'invalidEvent',
          reason: `${row.type} version ${row.version} has no event ${action.event.type}`,
        };
      }
      const { type: _, ...payload } = action.event;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return {
          code: 'invalidEvent',
          reason: `${row.type} version ${row.version}: ${issue.path.join('.') || 'event'}: ${issue.message}`,
        };
      }
      if (!row.allowed_events.includes(action.event.type)) {
        return {
          code: 'notAllowed',
          reason: `${action.event.type} is not allowed in state „${row.state_label}“`,
        };
      }
      return null;
    }
    case 'cancel':
      return null;
    case 'retry':
      return row.incident ? null : { code: 'noIncident', reason: 'No incident to retry' };
    case 'fireTimer':
      return row.timer_names.includes(action.timer)
        ? null
        : { code: 'noTimer', reason: `No timer ${action.timer} is running` };
    case 'migrate':
      return migrationFit(action, row).verdict;
  }
}

const fitOf = (action: BulkActionSpec, row: Candidate): Fit =>
  action.kind === 'migrate' && row.status === 'active'
    ? migrationFit(action, row)
    : { verdict: verdictOf(action, row) };

/** What the action needs of the caller and the event before any process is looked at. */
function checkAction(caller: Caller, body: BulkActionBody): void {
  const { action, filter } = body;
  if (action.kind !== 'event' && action.kind !== 'fireTimer' && action.kind !== 'migrate') return;
  if (!filter.type) {
    throw validationError('An event, a timer or a migration needs one process type', [
      {
        path: 'filter.type',
        message: 'Required for an event, a timer or a migration: they differ by type',
      },
    ]);
  }
  const definition = latestDefinition(filter.type);
  if (!definition) {
    throw validationError(`There is no process type ${filter.type}`, [
      { path: 'filter.type', message: `Unknown process type ${filter.type}` },
    ]);
  }
  if (action.kind === 'migrate') {
    if (!definitionOf(filter.type, action.toVersion)) {
      const known = versionsOf(filter.type).definitions.map((d) => d.version);
      throw validationError(`${filter.type} has no version ${action.toVersion}`, [
        { path: 'action.toVersion', message: `Unknown version; known: ${known.join(', ')}` },
      ]);
    }
    return;
  }
  if (action.kind !== 'event') return;
  const eventType = action.event.type;
  const schema = Object.hasOwn(definition.events, eventType)
    ? definition.events[eventType]
    : undefined;
  if (!schema) {
    throw validationError(`${filter.type} has no event ${eventType}`, [
      {
        path: 'action.event.type',
        message: `Unknown event; its events are ${Object.keys(definition.events).join(', ')}`,
      },
    ]);
  }
  if (secretKeysOf(schema).length > 0 || takesField(schema, 'transportPinLetter')) {
    throw validationError(`${eventType} carries a secret and cannot go in bulk`, [
      {
        path: 'action.event.type',
        message: 'Codes, PINs and passwords are one person’s: send this event per process',
      },
    ]);
  }
  if (!maySend(caller, definition, eventType)) {
    throw new AppError('forbidden', 403, senderDetail(eventType, senderOf(definition, eventType)));
  }
  const { type: _, ...payload } = action.event;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw validationError(
      'The event is invalid',
      parsed.error.issues.map((issue) => ({
        path: ['action', 'event', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
  }
}

const newBulkId = (): string => `ba_${randomBytes(12).toString('base64url')}`;

interface JobRow {
  id: string;
  action: BulkActionSpec;
  filter: Record<string, string>;
  actor: string;
  rate: number;
  status: 'running' | 'done' | 'cancelled';
  total: number;
  created_at: Date;
  finished_at: Date | null;
  pending: string;
  done: string;
  refused: string;
  failed: string;
  skipped: string;
}

const JOB_SQL = `select b.*,
    count(*) filter (where i.status = 'pending') as pending,
    count(*) filter (where i.status = 'done') as done,
    count(*) filter (where i.status = 'refused') as refused,
    count(*) filter (where i.status = 'failed') as failed,
    count(*) filter (where i.status = 'skipped') as skipped
  from bulk_actions b left join bulk_action_items i on i.bulk_id = b.id`;

const resource = (row: JobRow) => ({
  id: row.id,
  status: row.status,
  action: row.action,
  filter: row.filter,
  actor: row.actor,
  ratePerSecond: row.rate,
  total: row.total,
  counts: {
    pending: Number(row.pending),
    done: Number(row.done),
    refused: Number(row.refused),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
  },
  createdAt: row.created_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
});

export type BulkActionResource = ReturnType<typeof resource>;

export class BulkActions {
  constructor(
    private readonly pool: Pool,
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** The processes the filter selects, each with whether the action fits it now. */
  private async select(caller: Caller, body: BulkActionBody): Promise<({ id: string } & Fit)[]> {
    checkAction(caller, body);
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    const where = filterConditions(body.filter, practiceScope(caller), param);
    const { rows } = await this.pool.query<Candidate>(
      `select id, type, version, state, state_label, status, allowed_events, incident is not null as incident,
          array(select t->>'name' from jsonb_array_elements(timers) t) as timer_names
        from processes ${where.length ? `where ${where.join(' and ')}` : ''}
        order by created_at, id limit ${MAX_BULK_PROCESSES + 1}`,
      values,
    );
    if (rows.length > MAX_BULK_PROCESSES) {
      throw validationError(
        `The filter selects more than ${MAX_BULK_PROCESSES.toLocaleString('en')} processes`,
        [{ path: 'filter', message: 'Narrow the filter, or run the action in parts' }],
      );
    }
    return rows.map((row) => ({ id: row.id, ...fitOf(body.action, row) }));
  }

  async preview(caller: Caller, body: BulkActionBody): Promise<BulkPreview> {
    const selected = await this.select(caller, body);
    const groups = new Map<string, BulkPreview['refusals'][number]>();
    const acting: string[] = [];
    const notes = new Map<string, number>();
    for (const { id, verdict, notes: fitNotes } of selected) {
      if (!verdict) {
        acting.push(id);
        for (const text of new Set(fitNotes)) notes.set(text, (notes.get(text) ?? 0) + 1);
        continue;
      }
      const key = `${verdict.code}\u0000${verdict.reason}`;
      const group = groups.get(key) ?? { ...verdict, count: 0, sample: [] };
      group.count += 1;
      if (group.sample.length < 5) group.sample.push(id);
      groups.set(key, group);
    }
    return {
      matched: selected.length,
      willAct: acting.length,
      willRefuse: selected.length - acting.length,
      refusals: [...groups.values()].sort((a, b) => b.count - a.count),
      sample: acting.slice(0, 5),
      ...(body.action.kind === 'migrate'
        ? { notes: [...notes].map(([text, count]) => ({ text, count })) }
        : {}),
    };
  }

  /**
   * Creates the job and starts it, or nothing at all: the rows are committed only once
   * Temporal has taken the start.
   */
  async create(
    caller: Caller,
    body: BulkActionBody,
    givenFilter: unknown,
  ): Promise<BulkActionResource> {
    const selected = await this.select(caller, body);
    if (selected.length === 0) {
      throw validationError('The filter selects no process', [
        { path: 'filter', message: 'No process matches (or none this API key may see)' },
      ]);
    }
    const id = newBulkId();
    // Committed only once Temporal has taken the start: all of it, or nothing. The job's first
    // activity waits until the rows are committed (activities/bulk-actions.ts); a start whose
    // commit fails is terminated.
    let started = false;
    await inTransaction(this.pool, async (db) => {
      await db.query(
        `insert into bulk_actions (id, action, filter, actor, practices, rate, status, total)
          values ($1, $2, $3, $4, $5, $6, 'running', $7)`,
        [
          id,
          JSON.stringify(body.action),
          JSON.stringify(givenFilter),
          caller.keyId,
          practiceScope(caller) ?? null,
          body.ratePerSecond,
          selected.length,
        ],
      );
      await db.query(
        `insert into bulk_action_items (bulk_id, position, process_id, status, outcome, finished_at)
          select $1, s.position, s.process_id, s.status, s.outcome,
                 case when s.status = 'pending' then null else now() end
            from unnest($2::int[], $3::text[], $4::text[], $5::jsonb[])
              as s(position, process_id, status, outcome)`,
        [
          id,
          selected.map((_, i) => i),
          selected.map((item) => item.id),
          selected.map((item) => (item.verdict ? 'refused' : 'pending')),
          selected.map((item) =>
            item.verdict
              ? JSON.stringify({
                  reason: item.verdict.reason,
                  code: item.verdict.code,
                  httpStatus: 409,
                })
              : null,
          ),
        ],
      );
      const args: BulkActionArgs = {
        bulkId: id,
        action: body.action,
        actor: caller.keyId,
        ratePerSecond: body.ratePerSecond,
      };
      try {
        await this.client.workflow.start(BULK_ACTION_WORKFLOW, {
          taskQueue: this.taskQueue,
          workflowId: bulkActionWorkflowId(id),
          args: [args],
        });
        started = true;
      } catch (error) {
        throw fromTemporal(error, bulkActionWorkflowId(id));
      }
    }).catch(async (error: unknown) => {
      if (started) {
        await this.client.workflow
          .getHandle(bulkActionWorkflowId(id))
          .terminate('The bulk action was not recorded')
          .catch(() => undefined);
      }
      throw error;
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<BulkActionResource | undefined> {
    const { rows } = await this.pool.query<JobRow>(`${JOB_SQL} where b.id = $1 group by b.id`, [
      id,
    ]);
    return rows[0] ? resource(rows[0]) : undefined;
  }

  async list(limit: number): Promise<BulkActionResource[]> {
    const { rows } = await this.pool.query<JobRow>(
      `${JOB_SQL} group by b.id order by b.created_at desc, b.id desc limit $1`,
      [limit],
    );
    return rows.map(resource);
  }

  async items(
    id: string,
    query: { status?: string; after?: number; limit: number },
  ): Promise<{ items: unknown[]; nextAfter: number | null }> {
    const known = await this.pool.query('select 1 from bulk_actions where id = $1', [id]);
    if (known.rowCount === 0) throw notFound(`No bulk action ${id}`);
    const { rows } = await this.pool.query<{
      position: number;
      process_id: string;
      status: string;
      outcome: Record<string, unknown> | null;
      finished_at: Date | null;
    }>(
      `select position, process_id, status, outcome, finished_at from bulk_action_items
        where bulk_id = $1 and position > $2 and ($3::text is null or status = $3)
        order by position limit $4`,
      [id, query.after ?? -1, query.status ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((row) => ({
        position: row.position,
        processId: row.process_id,
        status: row.status,
        outcome: row.outcome,
        finishedAt: row.finished_at?.toISOString() ?? null,
      })),
      nextAfter: rows.length > query.limit ? page.at(-1)!.position : null,
    };
  }

  /**
   * Stops the job: no further process is acted on (those in flight finish and keep their
   * result, pending until then), the others are skipped. 409 when it has already ended.
   */
  async cancel(id: string): Promise<BulkActionResource> {
    const job = await this.get(id);
    if (!job) throw notFound(`No bulk action ${id}`);
    if (job.status !== 'running') {
      throw new AppError('bulk-action-ended', 409, `Bulk action ${id} has ended (${job.status})`);
    }
    await endBulkAction(this.pool, id, 'cancelled');
    // The job finds nothing pending any more; cancelling it only ends its wait sooner.
    await this.client.workflow
      .getHandle(bulkActionWorkflowId(id))
      .cancel()
      .catch(() => undefined);
    return (await this.get(id))!;
  }
}
