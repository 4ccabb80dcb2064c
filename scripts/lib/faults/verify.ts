/**
 * After the faults: waits (bounded) until the run has settled, then checks every confirmed
 * process against what its events imply, the read model against Temporal, and every message
 * against the outbox and the mail catcher. Each finding is a sentence an operator can act on.
 * The processes are read from the read model once `reconcile` has shown each row equal to its
 * workflow's view: querying every ended workflow twice would replay each history twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Pool } from '../../../db/pool.js';
import { c, log } from '../log.js';
import { reconcile } from '../reconcile.js';
import { BIRTH_DATE, type Invitation, type SentEvent } from './load.js';
import type { MailWatcher } from './mail.js';
import {
  checkInvitationMail,
  checkOutbox,
  type Duplicate,
  type FaultRecord,
  type OutboxRow,
} from './messages.js';

/** A fault as it happened: from when to when (seconds since the run began). */
export interface Findings {
  readonly violations: string[];
  /** Confirmed processes missing or in a state their events do not imply, lost effects and messages. */
  lost: number;
  readonly duplicates: Duplicate[];
  /** Processes Temporal runs whose start the API never confirmed (its answer was lost). */
  unconfirmed: number;
  emails: number;
  reconciled: number;
}

interface Deps {
  readonly client: Client;
  readonly pool: Pool;
  readonly invitations: readonly Invitation[];
  readonly mail: MailWatcher;
  readonly faults: readonly FaultRecord[];
}

const TASK_QUEUE = 'praxisflow';

/** Polls until no invitation runs, the outbox is empty of unsent rows, and every start has its email. */
export async function settle(deps: Deps, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let lastShown = 0;
  for (;;) {
    await deps.mail.poll().catch(() => undefined);
    const running = await deps.client.workflow
      .count(`TaskQueue = '${TASK_QUEUE}' AND ExecutionStatus = 'Running'`)
      .then((result) => result.count)
      .catch(() => Number.NaN);
    const { rows } = await deps.pool
      .query<{ n: number }>(`select count(*)::int as n from outbox where status <> 'sent'`)
      .catch(() => ({ rows: [{ n: Number.NaN }] }));
    const unsent = rows[0]?.n ?? Number.NaN;
    const waitingForMail = deps.invitations.filter(
      (invitation) => invitation.id && deps.mail.to(invitation.email).length === 0,
    ).length;
    if (running === 0 && unsent === 0 && waitingForMail === 0) return true;
    if (performance.now() > deadline) return false;
    if (performance.now() - lastShown > 10_000) {
      lastShown = performance.now();
      log.info(
        c.gray(
          `… settling: ${running} running, ${unsent} message(s) unsent, ${waitingForMail} invitation email(s) not yet caught`,
        ),
      );
    }
    await sleep(1000);
  }
}

/** The states an invitation may be in after its events, and a revocation's reason. */
function expectation(invitation: Invitation): { states: string[]; reason?: string } {
  const revoked = invitation.events.find((event) => event.type === 'INVITATION_REVOKED');
  if (revoked?.outcome === 'applied') {
    return { states: ['revoked'], reason: String(revoked.payload.reason) };
  }
  // Accepted (202) or unknown: revoked, unless the expiry came first in the process's line.
  if (revoked?.outcome === 'unknown' || revoked?.outcome === 'accepted') {
    return { states: ['revoked', 'expired'] };
  }
  return { states: ['expired'] };
}

const outcomeOf = (invitation: Invitation, type: string): SentEvent['outcome'] | undefined =>
  invitation.events.find((event) => event.type === type)?.outcome;

/** What the read model holds of a process; reconcile proves it equals Temporal's view. */
interface ProcessRow {
  id: string;
  state: string;
  status: string;
  step: number;
  context: Record<string, unknown>;
}

export async function verify(deps: Deps): Promise<Findings> {
  const { client, pool, invitations, mail } = deps;
  const findings: Findings = {
    violations: [],
    lost: 0,
    duplicates: [],
    unconfirmed: 0,
    emails: mail.all.length,
    reconciled: 0,
  };
  const sink = {
    lose(message: string) {
      findings.lost += 1;
      findings.violations.push(message);
    },
    violate(message: string) {
      findings.violations.push(message);
    },
  };

  for (const invitation of invitations) {
    const status = invitation.startStatus;
    if (invitation.start === 'refused' && status !== 503 && status !== 0) {
      sink.violate(`start of invitation ${invitation.n} was refused with ${status}, not 503`);
    }
  }

  // Temporal first: which processes it has, and whether each row equals the workflow's view.
  const quoted = `TaskQueue = '${TASK_QUEUE}' AND ProcessType = 'invitation'`;
  const inTemporal = new Set<string>();
  for await (const execution of client.workflow.list({ query: quoted })) {
    inTemporal.add(execution.workflowId);
  }
  const report = await reconcile({
    client,
    readModel: pool,
    fix: false,
    taskQueue: TASK_QUEUE,
    type: 'invitation',
  });
  findings.reconciled = report.checked;
  for (const drift of report.drifts) {
    sink.violate(`read model ≠ Temporal: ${drift.id} ${drift.kind}, ${drift.detail}`);
  }
  for (const id of report.onlyInReadModel) sink.violate(`read model row ${id} without a workflow`);

  const { rows } = await pool.query<ProcessRow>(
    `select id, state, status, step, context from processes where type = 'invitation'`,
  );
  const rowOf = new Map(rows.map((row) => [row.id, row]));
  const { rows: audit } = await pool.query<{ process_id: string; step: number; to_state: string }>(
    'select process_id, step, to_state from audit',
  );
  const auditOf = new Map<string, { step: number; to_state: string }[]>();
  for (const row of audit) {
    auditOf.set(row.process_id, [...(auditOf.get(row.process_id) ?? []), row]);
  }

  const confirmed = invitations.filter((invitation) => invitation.id);
  findings.unconfirmed = [...inTemporal].filter(
    (id) => !confirmed.some((invitation) => invitation.id === id),
  ).length;
  for (const invitation of confirmed) {
    const id = invitation.id!;
    const row = rowOf.get(id);
    if (!inTemporal.has(id)) sink.lose(`${id}: confirmed (${invitation.start}), not in Temporal`);
    if (!row) {
      sink.lose(`${id}: confirmed (${invitation.start}), no row in the read model`);
      continue;
    }
    const expected = expectation(invitation);
    if (!expected.states.includes(row.state) || row.status !== 'done') {
      const events = invitation.events.map((event) => `${event.type} ${event.outcome}`);
      sink.lose(
        `${id}: ${row.state} (${row.status}), but its events imply ${expected.states.join(' or ')} (done); events: ${events.join(', ') || 'none'}`,
      );
    }
    if (expected.reason !== undefined && row.context.revocationReason !== expected.reason) {
      sink.lose(`${id}: revoked without the reason sent (${String(row.context.revocationReason)})`);
    }
    const steps = auditOf.get(id) ?? [];
    const reached = new Set(steps.map((entry) => entry.to_state));
    const gaps = Array.from({ length: row.step + 1 }, (_, step) => step).filter(
      (step) => !steps.some((entry) => entry.step === step),
    );
    if (gaps.length > 0) {
      sink.lose(`${id}: the audit trail lacks step(s) ${gaps.join(', ')} of 0…${row.step}`);
    }
    if (
      outcomeOf(invitation, 'REGISTRATION_STARTED') === 'applied' &&
      !reached.has('registration.personalData')
    ) {
      sink.lose(`${id}: REGISTRATION_STARTED answered 200, the audit shows no Persönliche Daten`);
    }
    const personalData = outcomeOf(invitation, 'PERSONAL_DATA_SUBMITTED');
    const kept = (row.context.personalData as { birthDate?: string } | null)?.birthDate;
    if (
      personalData === 'applied' &&
      (kept !== BIRTH_DATE || !reached.has('registration.deviceRegistration'))
    ) {
      sink.lose(`${id}: PERSONAL_DATA_SUBMITTED answered 200, the birth date is ${String(kept)}`);
    }
    checkInvitationMail(invitation, row.state, personalData, mail, sink);
  }

  const { rows: outbox } = await pool.query<OutboxRow>(
    'select process_id, subject, message_id, status, attempts, recipient from outbox',
  );
  findings.duplicates.push(...checkOutbox(outbox, mail, deps.faults, sink));
  return findings;
}
