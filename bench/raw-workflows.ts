/**
 * The baseline of `npm run bench:digest`: what raw Temporal does for the same night — one
 * workflow per practice that sleeps until the digest instant and runs one activity sending the
 * same email. No machine, no outbox, no read model.
 */
import {
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { DigestItem } from '../machines/nightly-digest.schema.js';

export interface RawDigestActivities {
  sendRawDigest(practiceId: string, items: readonly DigestItem[]): Promise<void>;
}

export interface RawInvitationActivities {
  /** Sends the invitation email to the mail catcher, through the same kind of SMTP transport. */
  sendRawInvitation(round: number): Promise<void>;
}

const { sendRawDigest, sendRawInvitation } = proxyActivities<
  RawDigestActivities & RawInvitationActivities
>({
  startToCloseTimeout: '1 minute',
});

export async function rawNightlyDigest(
  practiceId: string,
  dueAt: number,
  items: readonly DigestItem[],
): Promise<void> {
  await sleep(Math.max(1, dueAt - Date.now()));
  await sendRawDigest(practiceId, items);
}

/**
 * The baseline of `npm run bench` (B1, B2): the most trivial long-lived workflow raw Temporal
 * offers — an update handler that counts and answers, nothing else.
 */
export async function rawTrivial(): Promise<void> {
  let count = 0;
  setHandler(bumpUpdate, () => ++count);
  await condition(() => false);
}

export const bumpUpdate = defineUpdate<number>('bump');

/**
 * The same with one regular activity before each answer, as praxisflow writes a step's read
 * model row: what one activity round trip costs raw Temporal on the same server.
 */
export async function rawTrivialWithActivity(): Promise<void> {
  let count = 0;
  setHandler(bumpUpdate, async () => {
    await sendRawDigest('bench', []);
    return ++count;
  });
  await condition(() => false);
}

export const resendUpdate = defineUpdate<number>('resend');

/**
 * The baseline of B2 with an effect: an invitation at its most raw — a reminder and an expiry
 * timer, and an update that sends the invitation email again and starts both timers over
 * before it answers, as a resent invitation does.
 */
export async function rawInvitation(): Promise<void> {
  let round = 0;
  let timers: CancellationScope | undefined;
  const armTimers = () => {
    timers?.cancel();
    const scope = new CancellationScope();
    timers = scope;
    scope.run(() => Promise.all([sleep('696 hours'), sleep('720 hours')])).catch(() => undefined);
  };
  setHandler(resendUpdate, async () => {
    await sendRawInvitation(round);
    armTimers();
    return ++round;
  });
  armTimers();
  await condition(() => false);
}

/**
 * The baseline of `npm run bench:live` (B4): a live process at its cheapest — one open 720 h
 * timer and a query that answers, like an invitation waiting for its invitee.
 */
export async function rawLiveProcess(): Promise<void> {
  const startedAt = Date.now();
  setHandler(liveQuery, () => startedAt);
  await sleep('720 hours');
}

export const liveQuery = defineQuery<number>('view');
