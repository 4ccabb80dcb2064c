/** The fault run's closing report: the figures in a box, requests by kind, each violation. */
import { box, c, log } from '../log.js';
import type { HttpRecorder } from './http.js';
import type { Invitation } from './load.js';
import type { FaultRecord } from './messages.js';
import type { Findings } from './verify.js';

interface Summary {
  readonly seconds: number;
  readonly invitations: readonly Invitation[];
  readonly http: HttpRecorder;
  readonly faults: readonly FaultRecord[];
  readonly findings: Findings;
  readonly violations: readonly string[];
}

const SHOWN_VIOLATIONS = 40;

const pct = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export function printSummary(summary: Summary): void {
  const { invitations, http, findings, violations } = summary;
  const count = (predicate: (invitation: Invitation) => boolean) =>
    invitations.filter(predicate).length;
  const events = invitations.flatMap((invitation) => invitation.events);
  const eventCount = (outcome: string) =>
    events.filter((event) => event.outcome === outcome).length;
  const kills = summary.faults.filter((fault) => fault.name.startsWith('worker SIGKILL')).length;
  const others = summary.faults
    .filter((fault) => !fault.name.startsWith('worker SIGKILL'))
    .map((fault) => `${fault.name} ${(fault.to - fault.from).toFixed(0)} s`);
  const zero = (n: number) => (n === 0 ? c.green(String(n)) : c.red(String(n)));

  console.log('\nrequests by kind (2xx / 4xx / 503 / 5xx / no answer, p50 / max):');
  for (const [kind, tally] of [...summary.http.tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    console.log(
      `  ${kind.padEnd(8)} ${String(tally.ok).padStart(5)} / ${String(tally.clientError).padStart(4)} / ${String(tally.unavailable).padStart(4)} / ${String(tally.serverError).padStart(3)} / ${String(tally.noAnswer).padStart(3)}   ${pct(sorted, 0.5).toFixed(0).padStart(5)} ms / ${tally.slowestMs.toFixed(0)} ms`,
    );
  }
  if (findings.duplicates.length > 0) {
    console.log('\nduplicates (same Message-ID):');
    for (const duplicate of findings.duplicates) {
      console.log(
        `  ${duplicate.copies}× "${duplicate.subject}" ${c.gray(duplicate.messageId)}: ${duplicate.reason}`,
      );
    }
  }
  console.log(
    `\n${box(c.bold('praxisflow under faults'), [
      ['duration', `${summary.seconds.toFixed(0)} s`],
      [
        'invitations started',
        `${count((i) => i.start === 'created')} (201), ${count((i) => i.start === 'created late')} after a lost answer (409), ${count((i) => i.start === 'refused')} refused, ${findings.unconfirmed} unconfirmed in Temporal`,
      ],
      [
        'events',
        `${eventCount('applied')} applied (200), ${eventCount('refused')} refused (4xx), ${eventCount('unknown')} unknown`,
      ],
      ['faults', `${kills} worker kills; ${others.join('; ')}`],
      [
        'HTTP answers',
        `${http.total('ok')} 2xx, ${http.total('clientError')} 4xx, ${http.total('unavailable')} × 503, ${http.total('noAnswer')} without answer; ${http.total('slow')} took over 30 s`,
      ],
      ['500s', zero(http.total('serverError'))],
      [
        'emails caught',
        `${findings.emails}, of which ${findings.duplicates.reduce((sum, d) => sum + d.copies - 1, 0)} duplicate(s)`,
      ],
      ['read model vs Temporal', `${findings.reconciled} process(es) compared`],
      ['lost', zero(findings.lost)],
      ['violations', zero(violations.length)],
    ])}`,
  );
  if (violations.length === 0) {
    log.ok(c.green('no process, event or message lost under kills and restarts'));
    return;
  }
  log.error(`${violations.length} violation(s):`);
  for (const violation of violations.slice(0, SHOWN_VIOLATIONS)) console.error(`  - ${violation}`);
  if (violations.length > SHOWN_VIOLATIONS) {
    console.error(`  … and ${violations.length - SHOWN_VIOLATIONS} more`);
  }
}
