/**
 * After the faults: waits (bounded) until the run has settled, then checks every confirmed
 * process against what its events imply, the read model against Temporal, and every message
 * against the outbox and the mail catcher. Each finding is a sentence an operator can act on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { VIEW_QUERY, type ProcessView } from '../../../workflows/interpreter/types.js';
import type { Pool } from '../../../db/pool.js';
import { c, log } from '../log.js';
import { reconcile } from '../reconcile.js';
import { BIRTH_DATE, SUBJECTS, type Invitation, type SentEvent } from './load.js';
import type { CaughtMail, MailWatcher } from './mail.js';

/** A fault as it happened: from when to when (seconds since the run began). */
export interface FaultRecord {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

interface Duplicate {
  readonly messageId: string;
  readonly subject: string;
  readonly copies: number;
  readonly reason: string;
}

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

interface OutboxRow {
  process_id: string;
  subject: string;
  message_id: string;
  status: string;
  attempts: number;
  recipient: string;
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

const distinctIds = (mails: readonly CaughtMail[], subject: RegExp): string[] => [
  ...new Set(mails.filter((mail) => subject.test(mail.subject)).map((mail) => mail.messageId)),
];

/** The states an invitation may be in after its events, and a revocation's reason. */
function expectation(invitation: Invitation): { states: string[]; reason?: string } {
  const revoked = invitation.events.find((event) => event.type === 'INVITATION_REVOKED');
  if (revoked?.outcome === 'applied') {
    return { states: ['revoked'], reason: String(revoked.payload.reason) };
  }
  if (revoked?.outcome === 'unknown') return { states: ['revoked', 'expired'] };
  return { states: ['expired'] };
}

const outcomeOf = (invitation: Invitation, type: string): SentEvent['outcome'] | undefined =>
  invitation.events.find((event) => event.type === type)?.outcome;

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
  const lose = (message: string) => {
    findings.lost += 1;
    findings.violations.push(message);
  };

  const { rows: outbox } = await pool.query<OutboxRow>(
    'select process_id, subject, message_id, status, attempts, recipient from outbox',
  );
  const { rows: audit } = await pool.query<{ process_id: string; step: number; to_state: string }>(
    'select process_id, step, to_state from audit',
  );
  const { rows: processRows } = await pool.query<{ id: string }>('select id from processes');
  const rowIds = new Set(processRows.map((row) => row.id));
  const auditOf = new Map<string, { step: number; to_state: string }[]>();
  for (const row of audit)
    auditOf.set(row.process_id, [...(auditOf.get(row.process_id) ?? []), row]);

  const confirmed = invitations.filter((invitation) => invitation.id);
  for (const invitation of invitations) {
    if (
      invitation.start === 'refused' &&
      invitation.startStatus !== 503 &&
      invitation.startStatus !== 0
    ) {
      findings.violations.push(
        `start of invitation ${invitation.n} was refused with ${invitation.startStatus}, not 503`,
      );
    }
  }
  await Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      for (let i = worker; i < confirmed.length; i += 8) {
        const invitation = confirmed[i]!;
        await checkProcess(invitation);
      }
    }),
  );

  async function checkProcess(invitation: Invitation): Promise<void> {
    const id = invitation.id!;
    let view: ProcessView;
    try {
      view = await client.workflow.getHandle(id).query<ProcessView>(VIEW_QUERY);
    } catch (error) {
      lose(
        `${id}: confirmed with ${invitation.start}, but Temporal cannot show it (${String(error)})`,
      );
      return;
    }
    if (!rowIds.has(id)) lose(`${id}: in Temporal, but no row in the read model`);
    const expected = expectation(invitation);
    if (!expected.states.includes(view.state) || view.status !== 'done') {
      lose(
        `${id}: ${view.state} (${view.status}), but its events imply ${expected.states.join(' or ')} (done); events: ${
          invitation.events.map((event) => `${event.type} ${event.outcome}`).join(', ') || 'none'
        }`,
      );
    }
    if (expected.reason !== undefined && view.context.revocationReason !== expected.reason) {
      lose(
        `${id}: revoked, but the reason sent is missing (${String(view.context.revocationReason)})`,
      );
    }
    const steps = (auditOf.get(id) ?? []).sort((a, b) => a.step - b.step);
    const reached = new Set(steps.map((row) => row.to_state));
    const gaps = Array.from({ length: view.step + 1 }, (_, step) => step).filter(
      (step) => !steps.some((row) => row.step === step),
    );
    if (gaps.length > 0)
      lose(`${id}: the audit trail lacks step(s) ${gaps.join(', ')} of 0…${view.step}`);
    if (
      outcomeOf(invitation, 'REGISTRATION_STARTED') === 'applied' &&
      !reached.has('registration.personalData')
    ) {
      lose(
        `${id}: REGISTRATION_STARTED answered 200, but the audit trail never shows Persönliche Daten`,
      );
    }
    const personalData = outcomeOf(invitation, 'PERSONAL_DATA_SUBMITTED');
    if (personalData === 'applied') {
      const kept = (view.context.personalData as { birthDate?: string } | null)?.birthDate;
      if (kept !== BIRTH_DATE || !reached.has('registration.deviceRegistration')) {
        lose(`${id}: PERSONAL_DATA_SUBMITTED answered 200, but the birth date is ${String(kept)}`);
      }
    }
    checkMail(invitation, view, personalData);
  }

  function checkMail(
    invitation: Invitation,
    view: ProcessView,
    personalData: SentEvent['outcome'] | undefined,
  ): void {
    const id = invitation.id!;
    const toInvitee = mail.to(invitation.email);
    const toInviter = mail.to(invitation.inviterEmail);
    const exactlyOne = (
      mails: readonly CaughtMail[],
      subject: RegExp,
      what: string,
      expected: boolean | undefined,
    ) => {
      const ids = distinctIds(mails, subject);
      if (expected === true && ids.length === 0) lose(`${id}: ${what} never arrived`);
      if (expected === false && ids.length > 0)
        findings.violations.push(`${id}: ${what} sent, but not due`);
      if (ids.length > 1) {
        findings.violations.push(
          `${id}: ${what} arrived under ${ids.length} different Message-IDs`,
        );
      }
    };
    exactlyOne(toInvitee, SUBJECTS.invitation, 'the invitation email', true);
    const stayedInvited = invitation.plan === 'expire';
    exactlyOne(
      toInvitee,
      SUBJECTS.reminder,
      'the reminder (timer invitationReminder)',
      stayedInvited || undefined,
    );
    exactlyOne(
      toInvitee,
      SUBJECTS.activationCode,
      'the activation code email',
      personalData === 'applied' ? true : personalData === 'unknown' ? undefined : false,
    );
    exactlyOne(
      toInviter,
      SUBJECTS.expired,
      'the expiry notice to the inviter',
      view.state === 'expired',
    );
  }

  // Every message the outbox holds arrived, and nothing arrived that it does not hold.
  const caught = new Map<string, CaughtMail[]>();
  for (const message of mail.all)
    caught.set(message.messageId, [...(caught.get(message.messageId) ?? []), message]);
  for (const row of outbox) {
    if (row.status !== 'sent')
      lose(`${row.process_id}: "${row.subject}" to ${row.recipient} is still ${row.status}`);
    if (!caught.has(row.message_id)) {
      lose(
        `${row.process_id}: "${row.subject}" to ${row.recipient} (${row.message_id}) marked ${row.status}, never arrived`,
      );
    }
  }
  const known = new Set(outbox.map((row) => row.message_id));
  for (const [messageId, copies] of caught) {
    if (!known.has(messageId)) {
      findings.violations.push(
        `"${copies[0]?.subject}" (${messageId}) arrived without an outbox row`,
      );
    }
    if (copies.length > 1) {
      const row = outbox.find((candidate) => candidate.message_id === messageId);
      findings.duplicates.push({
        messageId,
        subject: copies[0]?.subject ?? '',
        copies: copies.length,
        reason: reasonOf(copies, deps.faults, row?.attempts),
      });
    }
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
    findings.violations.push(`read model ≠ Temporal: ${drift.id} ${drift.kind}, ${drift.detail}`);
  }
  for (const id of report.onlyInReadModel)
    findings.violations.push(`read model row ${id} without a workflow`);
  const confirmedIds = new Set(confirmed.map((invitation) => invitation.id));
  findings.unconfirmed = report.checked - [...confirmedIds].filter((id) => id !== undefined).length;
  return findings;
}

/** Which fault cut a send from its mark: the one under way between the first copy and the next. */
function reasonOf(
  copies: readonly CaughtMail[],
  faults: readonly FaultRecord[],
  attempts?: number,
): string {
  const first = copies[0]!.seenAt;
  const next = copies[1]!.seenAt;
  // The watcher looks once a second: a copy seen at t arrived up to a second or two before.
  const fault = faults.find((candidate) => candidate.to >= first - 3 && candidate.from <= next);
  const tries = attempts === undefined ? '' : `, outbox attempts ${attempts}`;
  return fault
    ? `${fault.name} at t=${fault.from.toFixed(0)}s cut the send from its mark${tries}`
    : `no fault under way between the copies (t=${first.toFixed(0)}s, t=${next.toFixed(0)}s)${tries}`;
}
