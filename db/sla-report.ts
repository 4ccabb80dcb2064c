/** What the back office's daily report reads and records (see activities/sla-report.ts). */
import { ABOUT_SQL, aboutText, type AboutFields } from './about.js';
import type { Pool } from './pool.js';

/** A process that became overdue in the state it still waits in. */
export interface OverdueProcess {
  readonly id: string;
  readonly type: string;
  readonly stateLabel: string;
  readonly about: string | null;
  /** ISO instant its state's due time passed. */
  readonly overdueSince: string;
}

export interface SlaReportSource {
  /** Up to which instant the latest report looked; null before the first. */
  lastReportUntil(): Promise<string | null>;
  /** Active processes whose due time passed in (since, until], still in that state. */
  overdueBetween(since: string, until: string): Promise<OverdueProcess[]>;
  /** The report of a German day (`2026-12-03`) went out, covering up to `until`. */
  recordReport(day: string, until: string, processes: number): Promise<void>;
}

/** More in one email helps nobody; the list in the dashboard has them all. */
const MOST = 200;

export function postgresSlaReportSource(pool: Pool): SlaReportSource {
  return {
    async lastReportUntil() {
      const { rows } = await pool.query<{ until_at: Date | null }>(
        'select max(until_at) as until_at from sla_reports',
      );
      return rows[0]?.until_at?.toISOString() ?? null;
    },
    async overdueBetween(since, until) {
      const { rows } = await pool.query<{
        id: string;
        type: string;
        state_label: string;
        sla_due_at: Date;
        about: AboutFields | null;
      }>(
        `select id, type, state_label, sla_due_at, ${ABOUT_SQL} from processes
          where status = 'active' and sla_due_at > $1 and sla_due_at <= $2
          order by sla_due_at, id limit ${MOST}`,
        [since, until],
      );
      return rows.map((row) => ({
        id: row.id,
        type: row.type,
        stateLabel: row.state_label,
        about: aboutText(row.about),
        overdueSince: row.sla_due_at.toISOString(),
      }));
    },
    async recordReport(day, until, processes) {
      await pool.query(
        `insert into sla_reports (day, until_at, processes) values ($1, $2, $3)
          on conflict (day) do update set until_at = excluded.until_at,
            processes = excluded.processes, sent_at = now()`,
        [day, until, processes],
      );
    },
  };
}
