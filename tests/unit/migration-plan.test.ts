import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { describe, expect, it } from 'vitest';
import { cardProcess } from '../../machines/card.js';
import { cardProcessV2 } from '../../machines/card-v2.js';
import { invitationProcess } from '../../machines/invitation.js';
import { invitationProcessV2 } from '../../machines/invitation-v2.js';
import { cardV1ToV2 } from '../../machines/migrations/card.js';
import { invitationV1ToV2 } from '../../machines/migrations/invitation.js';
import { toEffects } from '../../workflows/interpreter/effects.js';
import {
  planMigration,
  type MigrationPlan,
  type MigrationRefusal,
  type MigrationSubject,
} from '../../workflows/interpreter/migration-plan.js';
import { nextStateEntries } from '../../workflows/interpreter/state-entries.js';
import { applyTimerEffects, PureTimers } from '../../workflows/interpreter/timer-table.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const invitationInput = {
  salutation: 'Frau',
  firstName: 'Erika',
  lastName: 'Mustermann',
  email: 'erika@praxis.example',
  practiceId: 'BSNR-123456789',
};

/** A version-1 invitation stepped as the interpreter steps it: snapshot, entries, timers. */
function invitationAt(events: { type: string; at: number }[] = []) {
  const machine = invitationProcess.machine;
  const [first, actions] = initialTransition(machine, invitationInput);
  const startEffects = toEffects(actions, machine, (i) => `0.${i}`);
  let snapshot: AnyMachineSnapshot = first;
  let entries = nextStateEntries({}, first, startEffects, T0);
  const timers = new PureTimers();
  applyTimerEffects(timers, startEffects, T0, true);
  for (const [step, { type, at }] of events.entries()) {
    const [next, stepActions] = transition(machine, snapshot, { type, receivedAt: iso(at) });
    const effects = toEffects(stepActions, machine, (i) => `${step + 1}.${i}`);
    entries = nextStateEntries(entries, next, effects, at);
    applyTimerEffects(timers, effects, at, true);
    snapshot = next;
  }
  return { snapshot, stateEntries: entries, timers: timers.list() };
}

const invitationSubject = (
  run: ReturnType<typeof invitationAt>,
  migrations: MigrationSubject['migrations'] = [invitationV1ToV2],
): MigrationSubject => ({
  definitions: [invitationProcess, invitationProcessV2],
  migrations,
  current: invitationProcess,
  snapshot: run.snapshot,
  stateEntries: run.stateEntries,
  lastStepAt: T0,
  timers: run.timers,
});

function planned(result: MigrationPlan | MigrationRefusal): MigrationPlan {
  if ('refused' in result) throw new Error(`refused: ${result.refused.details.detail}`);
  return result;
}

function refused(result: MigrationPlan | MigrationRefusal) {
  if (!('refused' in result)) throw new Error(`planned: ${result.view.to.state}`);
  return result.refused;
}

describe('planning a migration', () => {
  it('when an invitation moves 300 h into its 720 h window, then its expiry keeps its instant', () => {
    const plan = planned(planMigration(invitationSubject(invitationAt()), 2, T0 + 300 * HOUR));

    expect(plan.view.to).toMatchObject({
      state: 'registration.invited',
      stateLabel: 'Eingeladen',
      status: 'active',
    });
    expect(plan.view.to.timers).toEqual([
      {
        name: 'invitationReminder',
        dueAt: iso(T0 + 696 * HOUR),
        countedFrom: iso(T0),
        firesAtOnce: false,
      },
      {
        name: 'invitationExpiry',
        dueAt: iso(T0 + 720 * HOUR),
        countedFrom: iso(T0),
        firesAtOnce: false,
      },
    ]);
    expect(plan.view.contextChanges).toEqual([{ path: 'linkRef', change: 'added' }]);
    expect(plan.snapshot.context).toMatchObject({ linkRef: null });
  });

  it('when the invitation was resent, then its timers count from the resend', () => {
    const resent = T0 + 100 * HOUR;
    const run = invitationAt([{ type: 'INVITATION_RESENT', at: resent }]);
    const plan = planned(planMigration(invitationSubject(run), 2, T0 + 300 * HOUR));

    expect(plan.view.to.timers.map((timer) => [timer.name, timer.dueAt])).toEqual([
      ['invitationReminder', iso(resent + 696 * HOUR)],
      ['invitationExpiry', iso(resent + 720 * HOUR)],
    ]);
  });

  it('when the reminder already went out, then it is not set again', () => {
    const run = invitationAt();
    const subject = {
      ...invitationSubject(run),
      timers: run.timers.filter((timer) => timer.name !== 'invitationReminder'),
    };
    const plan = planned(planMigration(subject, 2, T0 + 700 * HOUR));

    expect(plan.view.to.timers.map((timer) => timer.name)).toEqual(['invitationExpiry']);
  });

  it('when a timer new in version 2 is already due, then the plan says it fires at once', () => {
    const machine = invitationProcess.machine;
    const run = invitationAt();
    // Personal data since 10 h: version 1 has no reminder there, version 2 on the whole window.
    const snapshot = machine.resolveState({
      value: { registration: 'personalData' },
      context: run.snapshot.context,
    });
    const subject: MigrationSubject = {
      ...invitationSubject(run),
      snapshot,
      stateEntries: { registration: T0, 'registration.personalData': T0 + 10 * HOUR },
      timers: run.timers.filter((timer) => timer.name === 'invitationExpiry'),
    };
    const plan = planned(planMigration(subject, 2, T0 + 700 * HOUR));

    expect(plan.view.to.timers).toContainEqual({
      name: 'invitationReminder',
      dueAt: iso(T0 + 696 * HOUR),
      countedFrom: iso(T0),
      firesAtOnce: true,
    });
    expect(plan.view.notes).toHaveLength(1);
  });

  it('when the version is unknown, then 422 names toVersion', () => {
    const refusal = refused(planMigration(invitationSubject(invitationAt()), 7, T0));
    expect(refusal.type).toBe('UnknownVersion');
    expect(refusal.details).toMatchObject({ status: 422, errors: [{ path: 'toVersion' }] });
  });

  it('when the process already runs the version, then 409 says there is no way', () => {
    const refusal = refused(planMigration(invitationSubject(invitationAt()), 1, T0));
    expect(refusal).toMatchObject({ type: 'NoMigrationPath', details: { status: 409 } });
  });

  it('when no migration leads there, then 409 says so', () => {
    const refusal = refused(planMigration(invitationSubject(invitationAt(), []), 2, T0));
    expect(refusal).toMatchObject({
      type: 'NoMigrationPath',
      details: { status: 409, detail: 'No migration of invitation leads from version 1 to 2' },
    });
  });

  it('when the mapping refuses the state, then 409 names the state and the reason', () => {
    const refusing = {
      ...invitationV1ToV2,
      states: { 'registration.invited': { refuse: 'erst nach der Prüfung' } },
    };
    const refusal = refused(planMigration(invitationSubject(invitationAt(), [refusing]), 2, T0));
    expect(refusal).toMatchObject({
      type: 'StateNotMigratable',
      details: {
        status: 409,
        detail:
          'State registration.invited (Eingeladen) of version 1 has no place in version 2: erst nach der Prüfung',
      },
    });
  });

  it('when the new context rules refuse the context, then 422 names the field', () => {
    const run = invitationAt();
    const subject = {
      ...invitationSubject(run),
      snapshot: invitationProcess.machine.resolveState({
        value: { registration: 'invited' },
        context: { ...run.snapshot.context, failedActivationAttempts: -1 },
      }),
    };
    const refusal = refused(planMigration(subject, 2, T0));
    expect(refusal).toMatchObject({
      type: 'ContextRefused',
      details: { status: 422, errors: [{ path: 'context.failedActivationAttempts' }] },
    });
  });

  it('when a shipped version-1 card moves, then it takes the forgotten Kennwort and expires at its end', () => {
    const input = {
      cardNumber: 'K-2026-7K3M9QXT-1',
      cardType: 'eHBA',
      applicationNumber: 'A-2026-7K3M9QXT',
      holder: {
        firstName: 'Erika',
        lastName: 'Mustermann',
        birthDate: '1975-03-14',
        email: 'erika@praxis.example',
        chamber: 'Ärztekammer Nordrhein',
        address: {
          name: 'Erika Mustermann',
          street: 'Heidestraße 17',
          postcode: '50667',
          city: 'Köln',
        },
      },
    };
    const machine = cardProcess.machine;
    const [first] = initialTransition(machine, cardProcess.input.parse(input));
    const shippedAt = T0 + 24 * HOUR;
    const [shipped, actions] = transition(machine, first, {
      type: 'CARD_SHIPPED',
      trackingId: 'DHL-1',
      receivedAt: iso(shippedAt),
    });
    const effects = toEffects(actions, machine, (i) => `1.${i}`);
    const plan = planned(
      planMigration(
        {
          definitions: [cardProcess, cardProcessV2],
          migrations: [cardV1ToV2],
          current: cardProcess,
          snapshot: shipped,
          stateEntries: nextStateEntries({}, shipped, effects, shippedAt),
          lastStepAt: shippedAt,
          timers: [],
        },
        2,
        shippedAt + 48 * HOUR,
      ),
    );

    expect(plan.view.to).toMatchObject({ state: 'shipped', stateLabel: 'Versendet' });
    expect(plan.view.to.allowedEvents).toContain('ACTIVATION_PASSWORD_FORGOTTEN');
    expect(plan.view.to.timers).toEqual([
      {
        name: 'certificateExpiry',
        dueAt: (shipped.context as { validUntil: string }).validUntil,
        countedFrom: iso(shippedAt),
        firesAtOnce: false,
      },
    ]);
    expect(plan.snapshot.context).toMatchObject({
      activationPasswordHash: null,
      transportPinLetterId: null,
      lettersSent: 1,
    });
    expect(plan.view.contextChanges.map((change) => change.path)).toEqual(
      expect.arrayContaining(['exchangeUntil', 'lettersSent', 'certificatesPublishedAt']),
    );
  });
});
