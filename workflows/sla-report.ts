/**
 * The back office's daily report of what became overdue: once a day at the configured German
 * time (read anew each day, so a changed setting counts from the next report), the activity
 * lists what became overdue since the last report and emails it. Ends when the workers no
 * longer configure a report; continues as new after a month to keep its history short.
 */
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { SlaReportActivities } from '../activities/sla-report.js';
import { nextBerlinTime } from '../machines/berlin-time.js';

const { slaReportSchedule, sendSlaReport } = proxyActivities<SlaReportActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

const DAYS_PER_RUN = 31;

export async function slaReport(): Promise<void> {
  for (let day = 0; day < DAYS_PER_RUN; day += 1) {
    const schedule = await slaReportSchedule();
    if (!schedule) return;
    const due = nextBerlinTime(Date.now(), schedule.time);
    await sleep(due - Date.now());
    await sendSlaReport(new Date(due).toISOString());
  }
  await continueAsNew<typeof slaReport>();
}
