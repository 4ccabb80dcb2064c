import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSlaReportActivities, SLA_REPORT_ID } from '../../activities/sla-report.js';
import type { OverdueProcess, SlaReportSource } from '../../db/sla-report.js';
import { berlinDay, nextBerlinTime } from '../../machines/berlin-time.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';
import { TASK_QUEUE, useTimeSkippingWorker } from '../support/workflow-env.js';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const BACK_OFFICE = 'backoffice@kv.example';

/** The read model as the report sees it: processes with the instant they became overdue. */
const overdue: OverdueProcess[] = [];
const reports: { day: string; until: string; processes: number }[] = [];
const source: SlaReportSource = {
  lastReportUntil: async () => reports.at(-1)?.until ?? null,
  overdueBetween: async (since, until) =>
    overdue.filter(
      (process) =>
        Date.parse(process.overdueSince) > Date.parse(since) &&
        Date.parse(process.overdueSince) <= Date.parse(until),
    ),
  recordReport: async (day, until, processes) => {
    reports.push({ day, until, processes });
  },
};

const { mailer, sent } = recordingMailer();
let env: TestWorkflowEnvironment;
const testEnv = useTimeSkippingWorker(
  createSlaReportActivities({
    mailer,
    outbox: memoryOutbox(),
    config: TEST_ACTIVITY_CONFIG,
    source,
    report: { to: [BACK_OFFICE], time: '07:00', dashboardUrl: 'https://kv.example/dashboard' },
    titleOf: (type) => ({ ehbaApplication: 'Antrag auf einen eHBA' })[type] ?? type,
  }),
);
beforeAll(() => {
  env = testEnv();
});

const germanDate = (epochMs: number) =>
  berlinDay(new Date(epochMs).toISOString()).split('-').reverse().join('.');

describe('the daily report of what became overdue', () => {
  it('emails the back office at 07:00 German time what became overdue since the last report, and nothing on a day without news', async () => {
    const now = await env.currentTimeMs();
    const first = nextBerlinTime(now, '07:00');
    const second = nextBerlinTime(first, '07:00');
    const process = (id: string, overdueSince: number): OverdueProcess => ({
      id,
      type: 'ehbaApplication',
      stateLabel: 'Eingang Antragsunterlagen',
      about: `Dr. med. ${id} <${id}@praxis.example>`,
      overdueSince: new Date(overdueSince).toISOString(),
    });
    overdue.push(
      process('laengst', first - 30 * HOUR), // before the first report's day: not news
      process('gestern', first - 3 * HOUR),
      process('heute', first + 5 * HOUR),
    );

    const handle = await env.client.workflow.start('slaReport', {
      taskQueue: TASK_QUEUE,
      workflowId: SLA_REPORT_ID,
    });
    await env.sleep(first - now - HOUR);
    expect(sent.filter((mail) => mail.to.includes(BACK_OFFICE))).toHaveLength(0);

    await env.sleep(2 * HOUR);
    const [report] = sent.filter((mail) => mail.to.includes(BACK_OFFICE));
    expect(report?.subject).toBe(
      `Überfällige Vorgänge am ${germanDate(first)}: 1 Vorgang neu überfällig`,
    );
    expect(report?.text).toContain('Antrag auf einen eHBA, „Eingang Antragsunterlagen“');
    expect(report?.text).toContain('Dr. med. gestern <gestern@praxis.example>');
    expect(report?.text).toContain('https://kv.example/dashboard/prozesse/gestern');
    expect(report?.text).not.toContain('laengst');
    expect(report?.text).not.toContain('heute');

    await env.sleep(second - first);
    const next = sent.filter((mail) => mail.to.includes(BACK_OFFICE));
    expect(next).toHaveLength(2);
    expect(next[1]?.subject).toBe(
      `Überfällige Vorgänge am ${germanDate(second)}: 1 Vorgang neu überfällig`,
    );
    expect(next[1]?.text).toContain('heute');
    expect(next[1]?.text).not.toContain('gestern@');

    // A day without anything new: no email, but the day is recorded as looked at.
    await env.sleep(DAY);
    expect(sent.filter((mail) => mail.to.includes(BACK_OFFICE))).toHaveLength(2);
    expect(reports.map((report) => report.processes)).toEqual([1, 1, 0]);
    await handle.terminate();
  });
});
