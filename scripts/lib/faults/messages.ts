/**
 * The messages of the fault run: what each invitation should have received by its events,
 * every outbox row against the mail catcher, and each copy (same Message-ID) with the fault
 * that cut its send from its mark.
 */
import { SUBJECTS, type Invitation, type SentEvent } from './load.js';
import type { CaughtMail, MailWatcher } from './mail.js';

/** A fault of the run and when it held, in seconds since the run began. */
export interface FaultRecord {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

export interface OutboxRow {
  process_id: string;
  subject: string;
  message_id: string;
  status: string;
  attempts: number;
  recipient: string;
}

export interface Duplicate {
  readonly messageId: string;
  readonly subject: string;
  readonly copies: number;
  readonly reason: string;
}

/** Where findings go: `lose` for a message missing, `violate` for any other breach. */
interface Sink {
  lose(message: string): void;
  violate(message: string): void;
}

const distinctIds = (mails: readonly CaughtMail[], subject: RegExp): string[] => [
  ...new Set(mails.filter((mail) => subject.test(mail.subject)).map((mail) => mail.messageId)),
];

/** One message of a kind under one Message-ID; `expected` undefined: may or may not be due. */
export function checkInvitationMail(
  invitation: Invitation,
  finalState: string,
  personalData: SentEvent['outcome'] | undefined,
  mail: MailWatcher,
  sink: Sink,
): void {
  const id = invitation.id ?? `invitation ${invitation.n}`;
  const one = (to: string, subject: RegExp, what: string, expected: boolean | undefined) => {
    const ids = distinctIds(mail.to(to), subject);
    if (expected === true && ids.length === 0) sink.lose(`${id}: ${what} never arrived`);
    if (expected === false && ids.length > 0) sink.violate(`${id}: ${what} sent, but not due`);
    if (ids.length > 1) sink.violate(`${id}: ${what} arrived under ${ids.length} Message-IDs`);
  };
  one(invitation.email, SUBJECTS.invitation, 'the invitation email', true);
  // Only a left-alone invitation surely waits in "Eingeladen" until the reminder is due.
  one(
    invitation.email,
    SUBJECTS.reminder,
    'the reminder (timer invitationReminder)',
    invitation.plan === 'expire' || undefined,
  );
  one(
    invitation.email,
    SUBJECTS.activationCode,
    'the status email that the activation code is shown',
    // Accepted (202): taken unless the expiry came first, so the code may or may not be due.
    personalData === 'applied'
      ? true
      : personalData === 'unknown' || personalData === 'accepted'
        ? undefined
        : false,
  );
  one(
    invitation.inviterEmail,
    SUBJECTS.expired,
    'the expiry notice to the inviter (timer invitationExpiry)',
    finalState === 'expired',
  );
}

/** Every outbox row sent and caught, nothing caught without a row; returns the copies. */
export function checkOutbox(
  outbox: readonly OutboxRow[],
  mail: MailWatcher,
  faults: readonly FaultRecord[],
  sink: Sink,
): Duplicate[] {
  const caught = new Map<string, CaughtMail[]>();
  for (const message of mail.all) {
    caught.set(message.messageId, [...(caught.get(message.messageId) ?? []), message]);
  }
  for (const row of outbox) {
    const what = `${row.process_id}: "${row.subject}" to ${row.recipient}`;
    if (row.status !== 'sent') sink.lose(`${what} is still ${row.status}`);
    if (!caught.has(row.message_id)) sink.lose(`${what} (${row.message_id}) never arrived`);
  }
  const rows = new Map(outbox.map((row) => [row.message_id, row]));
  const duplicates: Duplicate[] = [];
  for (const [messageId, copies] of caught) {
    if (!rows.has(messageId)) {
      sink.violate(`"${copies[0]?.subject}" (${messageId}) arrived without an outbox row`);
    }
    if (copies.length > 1) {
      duplicates.push({
        messageId,
        subject: copies[0]?.subject ?? '',
        copies: copies.length,
        reason: reasonOf(copies, faults, rows.get(messageId)?.attempts),
      });
    }
  }
  return duplicates;
}

/** Which fault cut a send from its mark: the one under way between the first copy and the next. */
function reasonOf(
  copies: readonly CaughtMail[],
  faults: readonly FaultRecord[],
  attempts?: number,
): string {
  const first = copies[0]?.seenAt ?? 0;
  const next = copies[1]?.seenAt ?? first;
  // The watcher looks once a second: a copy seen at t arrived up to a second or two before.
  const fault = faults.find((candidate) => candidate.to >= first - 3 && candidate.from <= next);
  const tries = attempts === undefined ? '' : `, outbox attempts ${attempts}`;
  return fault
    ? `${fault.name} at t=${fault.from.toFixed(0)}s cut the send from its mark${tries}`
    : `no fault under way between the copies (t=${first.toFixed(0)}s, t=${next.toFixed(0)}s)${tries}`;
}
