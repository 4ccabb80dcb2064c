/**
 * The back office's daily report of what became overdue (workflows/sla-report.ts runs it): the
 * processes whose state's due time passed since the last report and that still wait there,
 * in one email to the addresses of `PRAXISFLOW_SLA_REPORT_TO`. Nothing new: no email.
 */
import { berlinDay } from '../machines/berlin-time.js';
import type { SlaReportSource } from '../db/sla-report.js';
import { createNotifier } from './notify.js';
import { slaReportEmail, type TitleOf } from './templates/sla-report.js';
import type { ActivityDeps } from './types.js';

export interface SlaReportSettings {
  /** Where it goes; none: no report. */
  readonly to: readonly string[];
  /** German time of day it goes out (`07:00`). */
  readonly time: string;
  /** The dashboard's address, for the links (`https://praxisflow.example/dashboard`). */
  readonly dashboardUrl: string;
}

/** The id of the one report workflow of a deployment (and of its outbox rows). */
export const SLA_REPORT_ID = 'sla-report';

/** On the first report: what became overdue in the day before. */
const FIRST_LOOK_BACK_MS = 24 * 60 * 60 * 1000;

export function createSlaReportActivities(
  deps: ActivityDeps & {
    readonly source: SlaReportSource;
    readonly report: SlaReportSettings;
    readonly titleOf: TitleOf;
  },
) {
  const notifier = createNotifier(deps);
  return {
    /** When the next report goes out, as this worker is configured now; null: none. */
    async slaReportSchedule(): Promise<{ time: string } | null> {
      return deps.report.to.length > 0 ? { time: deps.report.time } : null;
    },

    /** The report due at `at` (ISO): how many processes it listed (0: none sent). */
    async sendSlaReport(at: string): Promise<number> {
      const day = berlinDay(at);
      const since =
        (await deps.source.lastReportUntil()) ??
        new Date(Date.parse(at) - FIRST_LOOK_BACK_MS).toISOString();
      if (Date.parse(since) >= Date.parse(at)) return 0;
      const processes = await deps.source.overdueBetween(since, at);
      if (processes.length > 0 && deps.report.to.length > 0) {
        const email = slaReportEmail({
          day,
          processes,
          titleOf: deps.titleOf,
          dashboardUrl: deps.report.dashboardUrl,
        });
        const meta = {
          workflowId: SLA_REPORT_ID,
          processType: SLA_REPORT_ID,
          step: 0,
          at,
          idempotencyKey: `${SLA_REPORT_ID}:${day}`,
        };
        for (const [part, address] of deps.report.to.entries()) {
          await notifier.deliver(
            { channel: 'email', to: { name: 'Backoffice', address }, ...email },
            meta,
            part,
            { internal: true },
          );
        }
      }
      await deps.source.recordReport(day, at, processes.length);
      return processes.length;
    },
  };
}

export type SlaReportActivities = ReturnType<typeof createSlaReportActivities>;
