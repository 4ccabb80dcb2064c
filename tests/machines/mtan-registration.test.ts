import type { AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { mtanRegistrationProcess } from '../../machines/mtan-registration.js';
import {
  mtanRegistrationInputSchema,
  type MtanRegistrationContext,
} from '../../machines/mtan-registration.schema.js';
import { latestDefinition } from '../../machines/registry.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run } from '../support/machine-harness.js';

/**
 * Registrierung zum mTAN-Verfahren as a pure machine: a code by SMS to the number to confirm,
 * 15 minutes, 5 wrong codes, 3 resends and 5 codes per German day; a confirmed number stays in
 * force while a new one is being confirmed.
 */

const machine = mtanRegistrationProcess.machine;
const { start, send, fire, named } = machineHarness(machine);

const input = mtanRegistrationInputSchema.parse({
  practiceId: 'BSNR-123456789',
  haevgId: 'H-104711',
  lanr: '123456701',
  mobile: '0151 12345678',
});
const FIRST = '+4915112345678';
const SECOND = '+4916098765432';

/** Berlin 10:00 on 1 December 2026 plus minutes (CET = UTC+1). */
const T = (minutes: number) =>
  new Date(Date.parse('2026-12-01T09:00:00.000Z') + minutes * 60_000).toISOString();
const NEXT_DAY = (minutes: number) => T(24 * 60 + minutes);
const event = (type: string, at: string, payload: object = {}): AnyEventObject => ({
  type,
  ...payload,
  receivedAt: at,
  actor: 'key-portal',
});
const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const context = (run: Run) => run.snapshot.context as MtanRegistrationContext;
const codesTo = (actions: readonly Action[]) =>
  named(actions)
    .filter((action) => action.type === 'sendMtanRegistrationCode')
    .map((action) => (action.params as { mobile: string }).mobile);
const emitted = (actions: readonly Action[]) =>
  actions
    .filter((action) => action.type === 'xstate.emit')
    .map((action) => (action.params as { event: unknown }).event);

/** The SMS activity answers with the code's hash. */
const issued = (run: Run, at: string) =>
  send(run, event('MTAN_CODE_ISSUED', at, { codeHash: 'H'.repeat(43) })).run;

/** A code typed in and the check's answer. */
function submit(run: Run, at: string, right: boolean) {
  const typed = send(run, event('CODE_SUBMITTED', at, { code: 'sealed:v1:x' }));
  expect(named(typed.actions)).toEqual([
    {
      type: 'verifyMtanRegistrationCode',
      params: { code: 'sealed:v1:x', codeHash: context(run).codeHash },
    },
  ]);
  return send(typed.run, event(right ? 'MTAN_CODE_ACCEPTED' : 'MTAN_CODE_REJECTED', at));
}

function registered() {
  const started = start(input);
  const confirmed = submit(issued(started.run, T(1)), T(2), true);
  return confirmed;
}

describe('mtanRegistration machine', () => {
  it('is its own process type, one per physician and practice, and names its states in German', () => {
    expect(latestDefinition('mtanRegistration')).toBe(mtanRegistrationProcess);
    expect(mtanRegistrationProcess.businessKeyParts?.(input as never)).toEqual([
      'BSNR-123456789',
      'H-104711',
      '123456701',
    ]);
    const labels = ['pending', 'registered', 'expired', 'locked'].map(
      (path) =>
        (machine.getStateNodeById(`mtanRegistration.${path}`).meta as { label: string }).label,
    );
    expect(labels).toEqual([
      'Bestätigung ausstehend',
      'Mobilfunknummer bestätigt',
      'Code abgelaufen',
      'Gesperrt',
    ]);
  });

  it('when it starts, then a code goes by SMS to the number, and nothing is in force yet', () => {
    const { run, actions } = start(input);
    expect(state(run)).toBe('pending');
    expect(codesTo(actions)).toEqual([FIRST]);
    expect(context(run)).toMatchObject({ mtanNumber: null, pendingMobile: FIRST, codesToday: 1 });
    expect(allowedEvents(run.snapshot, Object.keys(mtanRegistrationProcess.events))).toEqual([
      'CODE_SUBMITTED',
      'CODE_RESENT',
      'MOBILE_CHANGED',
    ]);
  });

  it('when the right code is entered, then the number is bestätigt and written for the downloads', () => {
    const { run, actions } = registered();
    expect(state(run)).toBe('registered');
    expect(labelOf(machine, state(run))).toBe('Mobilfunknummer bestätigt');
    expect(context(run)).toMatchObject({
      mtanNumber: { mobile: FIRST, confirmedAt: T(2) },
      pendingMobile: null,
      codeHash: null,
    });
    expect(named(actions)).toEqual([
      {
        type: 'storeMtanNumber',
        params: {
          practiceId: 'BSNR-123456789',
          haevgId: 'H-104711',
          lanr: '123456701',
          mobile: FIRST,
        },
      },
    ]);
  });

  it('when a wrong code is entered, then 422 names the tries left; the fifth locks until tomorrow', () => {
    let run = issued(start(input).run, T(1));
    for (let i = 1; i <= 4; i++) {
      const step = submit(run, T(1 + i), false);
      expect(emitted(step.actions)).toEqual([
        {
          type: 'rejected',
          status: 422,
          detail: `Der Bestätigungscode ist falsch. Noch ${5 - i} ${5 - i === 1 ? 'Versuch' : 'Versuche'}.`,
          path: 'code',
        },
      ]);
      run = step.run;
      expect(state(run)).toBe('pending');
    }
    const fifth = submit(run, T(6), false);
    expect(state(fifth.run)).toBe('locked');
    expect(context(fifth.run).codeHash).toBeNull();
    expect(emitted(fifth.actions)).toEqual([
      expect.objectContaining({
        status: 422,
        detail:
          'Der Bestätigungscode ist falsch. Nach 5 Fehlversuchen ist die Registrierung bis morgen gesperrt.',
      }),
    ]);

    const sameDay = send(fifth.run, event('CODE_RESENT', T(30)));
    expect(state(sameDay.run)).toBe('locked');
    expect(codesTo(sameDay.actions)).toEqual([]);
    expect(emitted(sameDay.actions)).toEqual([
      {
        type: 'rejected',
        status: 409,
        detail: 'Nach 5 Fehlversuchen ist die Registrierung bis morgen gesperrt.',
      },
    ]);
    const changedSameDay = send(fifth.run, event('MOBILE_CHANGED', T(31), { mobile: SECOND }));
    expect(state(changedSameDay.run)).toBe('locked');

    const tomorrow = send(fifth.run, event('CODE_RESENT', NEXT_DAY(0)));
    expect(state(tomorrow.run)).toBe('pending');
    expect(codesTo(tomorrow.actions)).toEqual([FIRST]);
    expect(context(tomorrow.run)).toMatchObject({ failedAttempts: 0, codesToday: 1 });

    const otherTomorrow = send(fifth.run, event('MOBILE_CHANGED', NEXT_DAY(0), { mobile: SECOND }));
    expect(state(otherTomorrow.run)).toBe('pending');
    expect(codesTo(otherTomorrow.actions)).toEqual([SECOND]);
  });

  it('when the code is not entered within 15 minutes, then it expires; a resend confirms the same number', () => {
    const started = start(input);
    expect([...started.run.timers.values()]).toEqual([15 * 60_000]);
    const expired = fire(issued(started.run, T(1)), 'mtanCodeExpiry', T(16));
    expect(state(expired.run)).toBe('expired');
    expect(context(expired.run).codeHash).toBeNull();
    expect(
      allowedEvents(expired.run.snapshot, Object.keys(mtanRegistrationProcess.events)),
    ).toEqual(['CODE_RESENT', 'MOBILE_CHANGED']);

    const resent = send(expired.run, event('CODE_RESENT', T(20)));
    expect(state(resent.run)).toBe('pending');
    expect(codesTo(resent.actions)).toEqual([FIRST]);
    expect(context(resent.run)).toMatchObject({ resends: 1, codesToday: 2 });

    const changed = send(expired.run, event('MOBILE_CHANGED', T(20), { mobile: SECOND }));
    expect(codesTo(changed.actions)).toEqual([SECOND]);
  });

  it('when a code is resent, then the old one is dead at once; after 3 resends a day, 409', () => {
    let run = issued(start(input).run, T(0));
    for (let i = 1; i <= 3; i++) {
      const step = send(run, event('CODE_RESENT', T(i)));
      expect(codesTo(step.actions)).toEqual([FIRST]);
      expect(context(step.run).codeHash).toBeNull();
      run = issued(step.run, T(i));
    }
    const fourth = send(run, event('CODE_RESENT', T(4)));
    expect(codesTo(fourth.actions)).toEqual([]);
    expect(emitted(fourth.actions)).toEqual([
      {
        type: 'rejected',
        status: 409,
        detail:
          'Der Code wurde heute bereits 3-mal neu gesendet. Bitte fordern Sie morgen einen neuen an.',
      },
    ]);
    const tomorrow = send(run, event('CODE_RESENT', NEXT_DAY(0)));
    expect(codesTo(tomorrow.actions)).toEqual([FIRST]);
  });

  it('when a 6th code is asked for on one day, whatever the path, then 409 and no SMS', () => {
    let run = issued(start(input).run, T(0));
    for (let i = 1; i <= 4; i++) {
      const step = send(run, event('MOBILE_CHANGED', T(i), { mobile: i % 2 ? SECOND : FIRST }));
      expect(codesTo(step.actions)).toHaveLength(1);
      run = issued(step.run, T(i));
    }
    expect(context(run).codesToday).toBe(5);
    const sixth = send(run, event('MOBILE_CHANGED', T(5), { mobile: SECOND }));
    expect(codesTo(sixth.actions)).toEqual([]);
    expect(emitted(sixth.actions)).toEqual([
      {
        type: 'rejected',
        status: 409,
        detail:
          'Heute wurden bereits 5 Bestätigungscodes gesendet. Bitte fordern Sie morgen einen neuen an.',
      },
    ]);
  });

  it('when the number changes after the registration, then the old number stays in force until the new one is confirmed', () => {
    const { run } = registered();
    const changed = send(run, event('MOBILE_CHANGED', T(10), { mobile: SECOND }));
    expect(state(changed.run)).toBe('pending');
    expect(codesTo(changed.actions)).toEqual([SECOND]);
    expect(named(changed.actions).map((action) => action.type)).not.toContain('storeMtanNumber');
    expect(context(changed.run)).toMatchObject({
      mtanNumber: { mobile: FIRST },
      pendingMobile: SECOND,
    });

    // A wrong code and an expiry leave the old number where it was.
    const wrong = submit(issued(changed.run, T(10)), T(11), false);
    expect(context(wrong.run).mtanNumber).toMatchObject({ mobile: FIRST });
    const expired = fire(wrong.run, 'mtanCodeExpiry', T(25));
    expect(state(expired.run)).toBe('expired');
    expect(context(expired.run).mtanNumber).toMatchObject({ mobile: FIRST });

    const again = send(expired.run, event('CODE_RESENT', T(30)));
    expect(codesTo(again.actions)).toEqual([SECOND]);
    const confirmed = submit(issued(again.run, T(30)), T(31), true);
    expect(state(confirmed.run)).toBe('registered');
    expect(context(confirmed.run).mtanNumber).toEqual({ mobile: SECOND, confirmedAt: T(31) });
    expect(named(confirmed.actions)).toEqual([
      expect.objectContaining({
        type: 'storeMtanNumber',
        params: expect.objectContaining({ mobile: SECOND }),
      }),
    ]);
  });

  it('when the number is changed while a code is pending, then the new number replaces the candidate', () => {
    const run = issued(start(input).run, T(0));
    const changed = send(run, event('MOBILE_CHANGED', T(1), { mobile: SECOND }));
    expect(state(changed.run)).toBe('pending');
    expect(codesTo(changed.actions)).toEqual([SECOND]);
    expect(context(changed.run)).toMatchObject({ pendingMobile: SECOND, codeHash: null });
  });

  it('keeps the code hash out of every view', () => {
    expect(mtanRegistrationProcess.redact).toContain('codeHash');
  });
});
