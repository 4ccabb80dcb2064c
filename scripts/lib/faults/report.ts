/**
 * The fault run's closing report: the figures in a box, requests by kind, each violation; and
 * the same figures kept as JSON in `bench/results/` (one file a run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { box, c, log } from '../log.js';
import type { HttpRecorder } from './http.js';
import type { Invitation } from './load.js';
import type { FaultRecord } from './messages.js';
import type { Findings } from './verify.js';

interface Summary {
  /** API processes and workers each. */
  readonly scale: number;
  readonly seconds: number;
  readonly invitations: readonly Invitation[];
  readonly http: HttpRecorder;
  readonly faults: readonly FaultRecord[];
  readonly findings: Findings;
  readonly violations: readonly string[];
  /** With several APIs: requests the proxy sent to each, and those it answered 503 itself. */
  readonly proxy?: { readonly byPort: ReadonlyMap<number, number>; readonly cutOff: number };
}

const SHOWN_VIOLATIONS = 40;

const pct = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** The q-quantile of some latencies in ms (0 without any). */
export const percentileMs = (latencies: readonly number[], q: number): number =>
  pct(
    [...latencies].sort((a, b) => a - b),
    q,
  );

const isWorkerKill = (name: string) => /^worker\b.*SIGKILL/.test(name);
const isApiKill = (name: string) => /^API\b.*SIGKILL/.test(name);

export function printSummary(summary: Summary): void {
  const { invitations, http, findings, violations } = summary;
  const count = (predicate: (invitation: Invitation) => boolean) =>
    invitations.filter(predicate).length;
  const events = invitations.flatMap((invitation) => invitation.events);
  const eventCount = (outcome: string) =>
    events.filter((event) => event.outcome === outcome).length;
  const kills = summary.faults.filter((fault) => isWorkerKill(fault.name)).length;
  const apiKills = summary.faults.filter((fault) => isApiKill(fault.name)).length;
  const others = summary.faults
    .filter((fault) => !isWorkerKill(fault.name) && !isApiKill(fault.name))
    .map((fault) => `${fault.name} ${(fault.to - fault.from).toFixed(0)} s`);
  const zero = (n: number) => (n === 0 ? c.green(String(n)) : c.red(String(n)));

  console.log('\nrequests by kind (2xx / 4xx / 503 / 5xx / no answer, p50 / p99 / max):');
  for (const [kind, tally] of [...summary.http.tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    console.log(
      `  ${kind.padEnd(8)} ${String(tally.ok).padStart(5)} / ${String(tally.clientError).padStart(4)} / ${String(tally.unavailable).padStart(4)} / ${String(tally.serverError).padStart(3)} / ${String(tally.noAnswer).padStart(3)}   ${pct(sorted, 0.5).toFixed(0).padStart(5)} ms / ${pct(sorted, 0.99).toFixed(0).padStart(5)} ms / ${tally.slowestMs.toFixed(0)} ms`,
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
      [
        'processes',
        summary.scale === 1
          ? '1 API, 1 worker'
          : `${summary.scale} APIs behind a round-robin proxy, ${summary.scale} workers`,
      ],
      ['duration', `${summary.seconds.toFixed(0)} s`],
      [
        'invitations started',
        `${count((i) => i.start === 'created')} (201), ${count((i) => i.start === 'created late')} after a lost answer (409), ${count((i) => i.start === 'refused')} refused, ${findings.unconfirmed} unconfirmed in Temporal`,
      ],
      [
        'events',
        `${eventCount('applied')} applied (200), ${eventCount('accepted')} accepted (202), ${eventCount('refused')} refused (4xx), ${eventCount('unknown')} unknown`,
      ],
      [
        'faults',
        `${kills} worker kills${apiKills ? `, ${apiKills} API kills` : ''}; ${others.join('; ')}`,
      ],
      [
        "an event's answer",
        `p50 ${(percentileMs(eventLatencies(http), 0.5) / 1000).toFixed(1)} s, p99 ${(percentileMs(eventLatencies(http), 0.99) / 1000).toFixed(1)} s, max ${((http.tallies.get('event')?.slowestMs ?? 0) / 1000).toFixed(1)} s; ${http.accepted} × 202 (effects still running)`,
      ],
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
  const slow = http.slowest('event');
  if (slow.length > 0) {
    console.log(
      `slowest events: ${slow.map((entry) => `${(entry.ms / 1000).toFixed(1)} s (${entry.status}, sent at t=${entry.atS} s)`).join(', ')}`,
    );
  }
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

const eventLatencies = (http: HttpRecorder): number[] => http.tallies.get('event')?.latencies ?? [];

/** Writes the run's figures to `bench/results/faults-<scale>x-<time>.json`. */
export function keepSummary(summary: Summary): string {
  const { invitations, http, findings, violations } = summary;
  const events = invitations.flatMap((invitation) => invitation.events);
  const latency = (kind: string) => {
    const tally = http.tallies.get(kind);
    const latencies = tally?.latencies ?? [];
    return {
      count: latencies.length,
      p50Ms: Math.round(percentileMs(latencies, 0.5)),
      p99Ms: Math.round(percentileMs(latencies, 0.99)),
      maxMs: Math.round(tally?.slowestMs ?? 0),
    };
  };
  const at = new Date();
  const record = {
    at: at.toISOString(),
    passed: violations.length === 0,
    apis: summary.scale,
    workers: summary.scale,
    seconds: Math.round(summary.seconds),
    faults: summary.faults.map((fault) => ({
      name: fault.name,
      fromS: Math.round(fault.from),
      toS: Math.round(fault.to),
    })),
    started: invitations.filter((invitation) => invitation.id).length,
    events: {
      applied: events.filter((event) => event.outcome === 'applied').length,
      accepted202: events.filter((event) => event.outcome === 'accepted').length,
      refused: events.filter((event) => event.outcome === 'refused').length,
      unknown: events.filter((event) => event.outcome === 'unknown').length,
    },
    http: {
      ok: http.total('ok'),
      clientError: http.total('clientError'),
      unavailable503: http.total('unavailable'),
      serverError5xx: http.total('serverError'),
      noAnswer: http.total('noAnswer'),
    },
    latency: { event: latency('event'), start: latency('start'), view: latency('view') },
    slowestEvents: http.slowest('event'),
    ...(summary.proxy
      ? {
          proxy: {
            byApi: [...summary.proxy.byPort.values()],
            answered503ForCutOffRequests: summary.proxy.cutOff,
          },
        }
      : {}),
    emails: findings.emails,
    duplicates: findings.duplicates.reduce((sum, d) => sum + d.copies - 1, 0),
    lost: findings.lost,
    violations,
  };
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `faults-${summary.scale}x-${at.toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`,
  );
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  log.info(c.gray(`summary kept in ${file}`));
  return file;
}
