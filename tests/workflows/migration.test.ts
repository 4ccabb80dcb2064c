import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import {
  migrateUpdate,
  migrationPreviewQuery,
  type MigrationPlanView,
  type ProcessView,
} from '../../workflows/protocol.js';
import { memoryLetterStore } from '../support/letter-store.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';
import {
  HOUR,
  projected,
  recordHistory,
  refusalOf,
  send,
  settledHistoryEventTypes,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/**
 * Running processes moved to the next version of their machine, in the time-skipping
 * environment: the deadline that keeps its instant, the new version's events afterwards, a
 * refused migration that leaves no trace, and one recorded history with a migration in it.
 */

const { mailer, sent } = recordingMailer();
const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    mailer,
    transportPinLetters: memoryLetterStore(),
    config: TEST_ACTIVITY_CONFIG,
  }),
);
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

const scenarios: { name: string; handle: WorkflowHandle }[] = [];
afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
});

let counter = 0;
const unique = () => {
  counter += 1;
  return `${counter}-${Math.floor(Math.random() * 1e9)}`;
};

const migrate = (handle: WorkflowHandle, toVersion: number, reason = 'Regeln der Version 2') =>
  handle.executeUpdate(migrateUpdate, { args: [{ toVersion, reason, actor: 'key-operator' }] });

const dryRun = (handle: WorkflowHandle, toVersion: number) =>
  handle.query(migrationPreviewQuery, toVersion, new Date().toISOString());

const dueOf = (v: ProcessView, name: string): number =>
  Date.parse(v.timers.find((timer) => timer.name === name)!.dueAt);

async function invitationV1(options: { continueAsNewAfterSteps?: number } = {}) {
  const id = unique();
  const email = `migration${id}@praxis.example`;
  const handle = await startProcess(env, 'invitation', {
    input: {
      salutation: 'Frau',
      firstName: 'Erika',
      lastName: 'Mustermann',
      email,
      practiceId: 'BSNR-123456789',
      inviter: { name: 'Dr. Admin', email: `admin${id}@praxis.example` },
    },
    version: 1,
    ...options,
  });
  const started = await view(handle);
  return { handle, email, createdAt: Date.parse(started.createdAt) };
}

const cardHolder = (email: string) => ({
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email,
  chamber: 'Ärztekammer Nordrhein',
  address: { name: 'Erika Mustermann', street: 'Heidestraße 17', postcode: '50667', city: 'Köln' },
});

async function shippedCardV1() {
  const alphabet = '3467ACDEFGHJKMNPQRTUVWXY9';
  const serial = Array.from(
    { length: 8 },
    () => alphabet[Math.floor(Math.random() * alphabet.length)],
  ).join('');
  const cardNumber = `K-2026-${serial}-1`;
  const handle = await startProcess(env, 'card', {
    input: {
      cardNumber,
      cardType: 'eHBA',
      applicationNumber: `A-2026-${serial}`,
      holder: cardHolder(`karte.${serial.toLowerCase()}@praxis.example`),
    },
    businessKey: cardNumber,
    version: 1,
  });
  const shipped = await send(handle, { type: 'CARD_SHIPPED', trackingId: '00340434161094015902' });
  expect(shipped).toMatchObject({ version: 1, state: 'shipped' });
  return { handle, cardNumber };
}

describe('migrating a running process', () => {
  it('when an invitation moves to version 2 at 300 h of its 720 h, then it still expires at 720 h, not at 1020 h', async () => {
    const { handle, email, createdAt } = await invitationV1();
    scenarios.push({ name: 'invitation--migrated-to-version-2-mid-window', handle });
    await env.sleep(300 * HOUR);

    const plan = (await dryRun(handle, 2)) as MigrationPlanView;
    expect(plan.to.timers.find((timer) => timer.name === 'invitationExpiry')).toMatchObject({
      dueAt: new Date(createdAt + 720 * HOUR).toISOString(),
      firesAtOnce: false,
    });
    expect((await view(handle)).version).toBe(1);

    const migrated = await migrate(handle, 2);
    // Step 1 was the link the start issued; the migration is step 2.
    expect(migrated).toMatchObject({ version: 2, state: 'registration.invited', step: 2 });
    expect(dueOf(migrated, 'invitationExpiry')).toBe(createdAt + 720 * HOUR);
    expect(dueOf(migrated, 'invitationReminder')).toBe(createdAt + 696 * HOUR);
    const audit = projected.find(
      (record) => record.view.id === handle.workflowId && record.audit.event === 'MIGRATED',
    );
    expect(audit?.audit).toMatchObject({
      actor: 'key-operator',
      from: 'registration.invited',
      to: 'registration.invited',
      detail: { fromVersion: 1, toVersion: 2, reason: 'Regeln der Version 2' },
    });
    expect(audit?.view.version).toBe(2);

    await env.sleep(420 * HOUR - 60_000);
    expect(await view(handle)).toMatchObject({ state: 'registration.invited', version: 2 });
    // The invitation and the one reminder, at 696 h.
    expect(sent.filter((mail) => mail.to === email)).toHaveLength(2);
    await env.sleep(2 * 60_000);
    expect(await view(handle)).toMatchObject({ state: 'expired', status: 'done', version: 2 });
  });

  it('when a shipped version-1 card moves to version 2, then it takes ACTIVATION_PASSWORD_FORGOTTEN with a new Kennwort', async () => {
    const { handle } = await shippedCardV1();
    scenarios.push({ name: 'card--migrated-to-version-2-when-shipped', handle });
    const before = await view(handle);
    expect(before.allowedEvents).not.toContain('TRANSPORT_PIN_LETTER_LOST');

    const migrated = await migrate(handle, 2, 'Kennwort und versiegelter Brief (Version 2)');
    expect(migrated).toMatchObject({ version: 2, state: 'shipped', stateLabel: 'Versendet' });
    expect(migrated.allowedEvents).toContain('ACTIVATION_PASSWORD_FORGOTTEN');
    expect(migrated.timers.map((timer) => timer.name)).toEqual(['certificateExpiry']);

    // Its letter went out under version 1: nothing sealed to send again, and it says so.
    const resend = await refusalOf(send(handle, { type: 'TRANSPORT_PIN_RESEND_REQUESTED' }));
    expect(resend.details).toMatchObject({ status: 409 });
    expect(resend.details.detail).toContain('TRANSPORT_PIN_LETTER_LOST');

    const exchange = await send(handle, {
      type: 'ACTIVATION_PASSWORD_FORGOTTEN',
      activationPasswordHash:
        '$argon2id$v=19$m=19456,t=2,p=1$bmV1bmV1bmV1bmV1$bmV1ZXNLZW5ud29ydG5ldWVzS2Vubndv',
    });
    expect(exchange).toMatchObject({
      version: 2,
      state: 'exchangeRequested',
      stateLabel: 'Austausch-/Ersatzkarte beantragt',
    });
  });

  it('when a migration is refused, then the history has no new event and the process runs on unchanged', async () => {
    const { handle } = await invitationV1();
    const before = await settledHistoryEventTypes(handle);

    const unknown = await refusalOf(migrate(handle, 7));
    expect(unknown).toMatchObject({ type: 'UnknownVersion', details: { status: 422 } });
    const same = await refusalOf(migrate(handle, 1));
    expect(same).toMatchObject({ type: 'NoMigrationPath', details: { status: 409 } });
    const noReason = await refusalOf(migrate(handle, 2, ' '));
    expect(noReason).toMatchObject({ type: 'InvalidPayload', details: { status: 422 } });
    expect(await dryRun(handle, 7)).toMatchObject({ refused: { type: 'UnknownVersion' } });

    expect(await settledHistoryEventTypes(handle)).toEqual(before);
    expect(await view(handle)).toMatchObject({ version: 1, step: 1 });
  });

  it('when a migrated process continues as new, then the next run keeps the new version and its timers', async () => {
    const { handle, createdAt } = await invitationV1({ continueAsNewAfterSteps: 1 });
    await env.sleep(10 * HOUR);
    const runBefore = (await handle.describe()).runId;
    await migrate(handle, 2);
    for (let i = 0; i < 50 && (await handle.describe()).runId === runBefore; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await handle.describe()).runId).not.toBe(runBefore);
    const next = await view(handle);
    expect(next).toMatchObject({ version: 2, state: 'registration.invited', step: 2 });
    expect(dueOf(next, 'invitationExpiry')).toBe(createdAt + 720 * HOUR);
    expect((await refusalOf(migrate(handle, 2))).type).toBe('NoMigrationPath');
  });

  it('when a bulk action migrates a process, then the audit entry names the bulk action, and an id not of its form is left out', async () => {
    const named = await invitationV1();
    await named.handle.executeUpdate(migrateUpdate, {
      args: [
        {
          toVersion: 2,
          reason: 'Alle auf Version 2',
          actor: 'key-operator',
          bulkAction: 'ba_Xq3v9LmT0aBcDeFg',
        },
      ],
      updateId: 'ba_Xq3v9LmT0aBcDeFg:1',
    });
    const odd = await invitationV1();
    await odd.handle.executeUpdate(migrateUpdate, {
      args: [
        { toVersion: 2, reason: 'Alle auf Version 2', actor: 'key-operator', bulkAction: 'no id' },
      ],
    });
    const detailOf = (id: string) =>
      projected.find((record) => record.view.id === id && record.audit.event === 'MIGRATED')?.audit
        .detail;
    expect(detailOf(named.handle.workflowId)).toMatchObject({ bulkAction: 'ba_Xq3v9LmT0aBcDeFg' });
    expect(detailOf(odd.handle.workflowId)).not.toHaveProperty('bulkAction');
  });

  it('when a migration races an event that ends the process, then one of them wins and the other is refused with 409', async () => {
    const { handle } = await shippedCardV1();
    const [migration, block] = await Promise.allSettled([
      migrate(handle, 2),
      send(handle, { type: 'CARD_BLOCKED', reason: 'Karte gestohlen' }),
    ]);
    const final = await view(handle);
    expect(block.status).toBe('fulfilled');
    expect(final).toMatchObject({ state: 'blocked', status: 'done' });
    if (migration.status === 'fulfilled') {
      expect(final.version).toBe(2);
    } else {
      expect(final.version).toBe(1);
      const refused = await refusalOf(Promise.reject(migration.reason));
      expect(refused.details).toMatchObject({ status: 409 });
    }
  });
});
