import type { OverdueProcess } from '../../db/sla-report.js';
import { escapeHtml, formatBerlinTime, type RenderedEmail } from './layout.js';

/** „Einladung eines Benutzers“ for `invitation`; the type itself where none is known. */
export type TitleOf = (type: string) => string;

/**
 * The back office's daily report: which processes became overdue since the last one, each with
 * its process, state, whom it is about, since when, and a link to its page in the dashboard.
 */
export function slaReportEmail(report: {
  readonly day: string;
  readonly processes: readonly OverdueProcess[];
  readonly titleOf: TitleOf;
  readonly dashboardUrl: string;
}): RenderedEmail {
  const { processes } = report;
  const [year, month, dayOfMonth] = report.day.split('-');
  const day = `${dayOfMonth}.${month}.${year}`;
  const count = processes.length === 1 ? '1 Vorgang' : `${processes.length} Vorgänge`;
  const subject = `Überfällige Vorgänge am ${day}: ${count} neu überfällig`;
  const link = (id: string) => `${report.dashboardUrl}/prozesse/${encodeURIComponent(id)}`;
  const allOverdue = `${report.dashboardUrl}/prozesse?status=active&overdue=true`;
  const intro =
    `seit dem letzten Bericht ${processes.length === 1 ? 'ist 1 Vorgang' : `sind ${count}`} ` +
    'über die Zielzeit ihres Zustands hinaus („überfällig“) und warten noch dort:';
  const rows = processes.map((process) => ({
    title: report.titleOf(process.type),
    state: process.stateLabel,
    about: process.about ?? '–',
    since: formatBerlinTime(Date.parse(process.overdueSince)),
    link: link(process.id),
  }));
  const text = [
    'Guten Tag,',
    intro,
    ...rows.map(
      (row) =>
        `- ${row.title}, „${row.state}“, ${row.about}, überfällig seit ${row.since}\n  ${row.link}`,
    ),
    `Alle überfälligen Vorgänge: ${allOverdue}`,
    'Diese E-Mail wurde automatisch erstellt.',
  ].join('\n\n');
  const cell = (value: string) =>
    `<td style="padding:4px 8px;border-bottom:1px solid #dddddd">${value}</td>`;
  const html = [
    '<p>Guten Tag,</p>',
    `<p>${escapeHtml(intro)}</p>`,
    '<table style="border-collapse:collapse">',
    `<tr>${['Vorgang', 'Zustand', 'Betrifft', 'Überfällig seit']
      .map((head) => `<th style="text-align:left;padding:4px 8px">${head}</th>`)
      .join('')}</tr>`,
    ...rows.map(
      (row) =>
        `<tr>${cell(`<a href="${escapeHtml(row.link)}">${escapeHtml(row.title)}</a>`)}${cell(
          escapeHtml(row.state),
        )}${cell(escapeHtml(row.about))}${cell(escapeHtml(row.since))}</tr>`,
    ),
    '</table>',
    `<p><a href="${escapeHtml(allOverdue)}">Alle überfälligen Vorgänge im Dashboard</a></p>`,
    '<p style="font-size:13px;color:#555555">Diese E-Mail wurde automatisch erstellt.</p>',
  ].join('\n');
  return { subject, text, html };
}
