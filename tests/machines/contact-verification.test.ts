import type { AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  CONFIRMATION_HINT,
  contactVerificationProcess,
} from '../../machines/contact-verification.js';
import {
  contactVerificationEventSchemas,
  contactVerificationInputSchema,
  type ContactVerificationContext,
  type IssueConfirmationCodeParams,
} from '../../machines/contact-verification.schema.js';
import { HOUR } from '../../machines/process-definition.js';
import { secretKeysOf } from '../../machines/secrets.js';
import { allowedEvents, labelOf, leafPaths, redact } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run } from '../support/machine-harness.js';

/**
 * Version 1 of Benachrichtigungskanal bestätigen (PROCESSES.md §4), which the confirmations
 * started before version 2 keep: a code by email or fax to the address the practice chose, 24 h,
 * 5 wrong codes, 3 resends; a lock or an expiry starts over on request; the channel in use stays
 * until a new one is confirmed.
 */

const machine = contactVerificationProcess.machine;
const { start, send, fire, named } = machineHarness(machine);
const EXPIRY = 'xstate.after.codeExpiry.contactVerification.pending';

const input = contactVerificationInputSchema.parse({
  practiceId: 'BSNR-123456789',
  practiceName: 'Praxis Dr. med. Erika Mustermann',
  channel: 'email',
  address: 'praxis@Praxis.Example',
});
const EMAIL = { channel: 'email', address: 'praxis@praxis.example' } as const;
const FAX = { channel: 'fax', address: '+492211234567' } as const;

/** Berlin 10:00 on 1 December 2026 plus minutes. */
const T = (minutes: number) =>
  new Date(Date.parse('2026-12-01T09:00:00.000Z') + minutes * 60_000).toISOString();
const event = (type: string, at: string, payload: object = {}): AnyEventObject => ({
  type,
  ...payload,
  receivedAt: at,
  actor: 'key-portal',
});
/** What an activity answers: the interpreter feeds it back as the system. */
const answer = (type: string, at: string, payload: object = {}): AnyEventObject => ({
  type,
  ...payload,
  receivedAt: at,
  actor: 'system',
});
/** The channel as the API hands it on: parsed, so a fax number is in international form. */
const channelChanged = (at: string, channel: 'email' | 'fax', address: string) =>
  event(
    'CHANNEL_CHANGED',
    at,
    contactVerificationEventSchemas.CHANNEL_CHANGED.parse({ channel, address }),
  );

const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const label = (run: Run) => labelOf(machine, state(run));
const context = (run: Run) => run.snapshot.context as ContactVerificationContext;
const allowed = (run: Run) =>
  allowedEvents(run.snapshot, Object.keys(contactVerificationProcess.events));
const view = (run: Run) => redact(run.snapshot.context, contactVerificationProcess.redact);
const codesTo = (actions: readonly Action[]) =>
  named(actions)
    .filter((action) => action.type === 'issueConfirmationCode')
    .map((action) => (action.params as IssueConfirmationCodeParams).to);
const emitted = (actions: readonly Action[]) =>
  actions
    .filter((action) => action.type === 'xstate.emit')
    .map((action) => (action.params as { event: unknown }).event);
const cancelled = (actions: readonly Action[]) =>
  actions
    .filter((action) => action.type === 'xstate.cancel')
    .map((action) => (action.params as { sendId: string }).sendId);
/** The pending timers, by id, with their delay from the step that set them. */
const timers = (run: Run) => Object.fromEntries(run.timers);

/** The code activity answers with the code's keyed hash. */
const issued = (run: Run, at: string, codeHash = 'code-hash-1') =>
  send(run, answer('CONFIRMATION_CODE_ISSUED', at, { codeHash })).run;

/** A code typed in (sealed by the API) and the check's answer. */
function submit(run: Run, at: string, right: boolean) {
  const typed = send(run, event('CODE_SUBMITTED', at, { code: 'sealed:v1:typed' }));
  expect(named(typed.actions)).toEqual([
    {
      type: 'verifyConfirmationCode',
      params: { code: 'sealed:v1:typed', codeHash: context(run).codeHash },
    },
  ]);
  return send(
    typed.run,
    answer(right ? 'CONFIRMATION_CODE_ACCEPTED' : 'CONFIRMATION_CODE_REJECTED', at),
  );
}

/** Five wrong codes in a row. */
function lock(run: Run, from: number): Run {
  let locked = run;
  for (let i = 0; i < 5; i++) locked = submit(locked, T(from + i), false).run;
  expect(state(locked)).toBe('locked');
  return locked;
}

const confirmed = () => submit(issued(start(input).run, T(0)), T(5), true).run;

describe('contactVerification machine, version 1', () => {
  it('is one process per practice, keyed by its practice id, with the states of PROCESSES.md', () => {
    expect(contactVerificationProcess).toMatchObject({
      type: 'contactVerification',
      version: 1,
      title: 'Benachrichtigungskanal bestätigen',
      businessKeyField: 'practiceId',
    });
    expect(contactVerificationProcess.practiceId?.(input as never)).toBe('BSNR-123456789');
    expect(
      ['pending', 'verified', 'expired', 'locked'].map((path) => labelOf(machine, path)),
    ).toEqual(['Bestätigung ausstehend', 'Bestätigt', 'Abgelaufen', 'Gesperrt']);
    // What the Webportal eTerminservice tells the practice while it waits for the code.
    expect(machine.getStateNodeById('contactVerification.pending').meta).toMatchObject({
      hint: CONFIRMATION_HINT,
    });
  });

  it('takes the code, a resend and a new channel from outside; the typed code is a secret the API seals', () => {
    expect(Object.keys(contactVerificationProcess.events)).toEqual([
      'CODE_SUBMITTED',
      'CODE_RESENT',
      'CHANNEL_CHANGED',
    ]);
    expect(secretKeysOf(contactVerificationEventSchemas.CODE_SUBMITTED)).toEqual(['code']);
  });

  it('when a practice chooses email, then "Bestätigung ausstehend", a code goes to the address, valid 24 h, and no channel is in use yet', () => {
    const { run, actions } = start(input);
    expect(state(run)).toBe('pending');
    expect(label(run)).toBe('Bestätigung ausstehend');
    expect(named(actions)).toEqual([
      {
        type: 'issueConfirmationCode',
        params: {
          practiceId: 'BSNR-123456789',
          practiceName: 'Praxis Dr. med. Erika Mustermann',
          to: EMAIL,
          maxAttempts: 5,
        },
      },
    ]);
    expect(timers(run)).toEqual({ [EXPIRY]: 24 * HOUR });
    expect(view(run)).toEqual({
      practiceId: 'BSNR-123456789',
      practiceName: 'Praxis Dr. med. Erika Mustermann',
      inUse: null,
      candidate: EMAIL,
      failedAttempts: 0,
      resends: 0,
    });
    expect(allowed(run)).toEqual(['CODE_SUBMITTED', 'CODE_RESENT', 'CHANNEL_CHANGED']);
  });

  it('when a practice chooses fax, then the code goes to the fax number in international form', () => {
    const faxInput = contactVerificationInputSchema.parse({
      ...input,
      channel: 'fax',
      address: '0221 1234567',
    });
    const { run, actions } = start(faxInput);
    expect(codesTo(actions)).toEqual([FAX]);
    expect(context(run).candidate).toEqual(FAX);
  });

  it('when the code’s hash comes back, then it is kept, out of the view, and nothing else happens', () => {
    const { run, actions } = send(
      start(input).run,
      answer('CONFIRMATION_CODE_ISSUED', T(0), { codeHash: 'code-hash-1' }),
    );
    expect(state(run)).toBe('pending');
    expect(context(run).codeHash).toBe('code-hash-1');
    expect(JSON.stringify(view(run))).not.toContain('code-hash-1');
    expect(actions).toEqual([]);
    expect(timers(run)).toEqual({ [EXPIRY]: 24 * HOUR });
  });

  it('when the right code is entered, then "Bestätigt": the address is in use from then on, and the expiry is cancelled', () => {
    const run = issued(start(input).run, T(0));
    const { run: done, actions } = submit(run, T(5), true);
    expect(state(done)).toBe('verified');
    expect(label(done)).toBe('Bestätigt');
    expect(context(done)).toMatchObject({
      inUse: { ...EMAIL, verifiedAt: T(5) },
      candidate: null,
      codeHash: null,
      failedAttempts: 0,
      resends: 0,
    });
    expect(cancelled(actions)).toEqual([EXPIRY]);
    expect(named(actions)).toEqual([]);
    expect(timers(done)).toEqual({});
    expect(allowed(done)).toEqual(['CHANNEL_CHANGED']);
  });

  it('when a wrong code is entered, then 422 names the tries left; the fifth locks, the code is dead and the expiry cancelled', () => {
    let run = issued(start(input).run, T(0));
    for (let i = 1; i <= 4; i++) {
      const step = submit(run, T(i), false);
      const left = 5 - i;
      expect(emitted(step.actions)).toEqual([
        {
          type: 'rejected',
          status: 422,
          detail: `Der Bestätigungscode ist falsch. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`,
          path: 'code',
        },
      ]);
      run = step.run;
      expect(state(run)).toBe('pending');
      expect(view(run).failedAttempts).toBe(i);
    }
    const fifth = submit(run, T(5), false);
    expect(state(fifth.run)).toBe('locked');
    expect(label(fifth.run)).toBe('Gesperrt');
    expect(context(fifth.run).codeHash).toBeNull();
    expect(emitted(fifth.actions)).toEqual([
      {
        type: 'rejected',
        status: 422,
        detail:
          'Der Bestätigungscode ist falsch. Nach 5 Fehlversuchen ist die Bestätigung gesperrt; bitte einen neuen Code anfordern.',
        path: 'code',
      },
    ]);
    expect(cancelled(fifth.actions)).toEqual([EXPIRY]);
    expect(timers(fifth.run)).toEqual({});
    expect(allowed(fifth.run)).toEqual(['CODE_RESENT', 'CHANNEL_CHANGED']);
  });

  it('when 24 hours pass without the right code, then "Abgelaufen" and the code is dead', () => {
    const run = submit(issued(start(input).run, T(0)), T(10), false).run;
    const { run: expired, actions } = fire(run, 'codeExpiry', T(24 * 60));
    expect(state(expired)).toBe('expired');
    expect(label(expired)).toBe('Abgelaufen');
    expect(context(expired)).toMatchObject({ codeHash: null, candidate: EMAIL, inUse: null });
    expect(named(actions)).toEqual([]);
    expect(timers(expired)).toEqual({});
    expect(allowed(expired)).toEqual(['CODE_RESENT', 'CHANNEL_CHANGED']);
  });

  it('when the code is resent, then a new one goes to the same address, the old one is dead and the 24 h start again; a fourth resend is refused with 409', () => {
    let run = issued(start(input).run, T(0));
    for (let i = 1; i <= 3; i++) {
      const step = send(run, event('CODE_RESENT', T(60 * i)));
      expect(state(step.run)).toBe('pending');
      expect(codesTo(step.actions)).toEqual([EMAIL]);
      expect(context(step.run)).toMatchObject({ codeHash: null, resends: i });
      expect(cancelled(step.actions)).toEqual([EXPIRY]);
      expect(timers(step.run)).toEqual({ [EXPIRY]: 24 * HOUR });
      expect(emitted(step.actions)).toEqual([]);
      run = issued(step.run, T(60 * i), `code-hash-${i + 1}`);
    }
    const fourth = send(run, event('CODE_RESENT', T(240)));
    expect(state(fourth.run)).toBe('pending');
    expect(codesTo(fourth.actions)).toEqual([]);
    expect(cancelled(fourth.actions)).toEqual([]);
    expect(context(fourth.run)).toMatchObject({ codeHash: 'code-hash-4', resends: 3 });
    expect(emitted(fourth.actions)).toEqual([
      {
        type: 'rejected',
        status: 409,
        detail:
          'Der Code wurde bereits 3-mal neu gesendet. Bitte warten Sie, bis er abläuft, und fordern Sie dann einen neuen an.',
      },
    ]);
  });

  it.each([
    ['expired', (run: Run) => fire(run, 'codeExpiry', T(24 * 60)).run],
    ['locked', (run: Run) => lock(run, 1)],
  ])(
    'when the confirmation is %s and a new code is asked for, then it starts over for the same address with fresh counts',
    (_, end) => {
      const started = issued(start(input).run, T(0));
      const resent = send(started, event('CODE_RESENT', T(60)));
      const ended = end(issued(resent.run, T(60), 'code-hash-2'));
      const { run, actions } = send(ended, event('CODE_RESENT', T(25 * 60)));
      expect(state(run)).toBe('pending');
      expect(codesTo(actions)).toEqual([EMAIL]);
      expect(context(run)).toMatchObject({
        candidate: EMAIL,
        codeHash: null,
        failedAttempts: 0,
        resends: 0,
      });
      expect(timers(run)).toEqual({ [EXPIRY]: 24 * HOUR });
    },
  );

  it.each([
    ['expired', (run: Run) => fire(run, 'codeExpiry', T(24 * 60)).run],
    ['locked', (run: Run) => lock(run, 1)],
  ])(
    'when the confirmation is %s and the practice gives a fax number, then a code goes there',
    (_, end) => {
      const ended = end(issued(start(input).run, T(0)));
      const { run, actions } = send(ended, channelChanged(T(25 * 60), 'fax', '0221 1234567'));
      expect(state(run)).toBe('pending');
      expect(codesTo(actions)).toEqual([FAX]);
      expect(context(run)).toMatchObject({ candidate: FAX, failedAttempts: 0, resends: 0 });
    },
  );

  it('when the channel is changed while a code is pending, then the new address replaces the candidate, a code goes there and the counts start over', () => {
    let run = issued(start(input).run, T(0));
    run = submit(run, T(1), false).run;
    run = issued(send(run, event('CODE_RESENT', T(2))).run, T(2), 'code-hash-2');
    const { run: changed, actions } = send(run, channelChanged(T(3), 'fax', '0221 1234567'));
    expect(state(changed)).toBe('pending');
    expect(codesTo(actions)).toEqual([FAX]);
    expect(context(changed)).toMatchObject({
      candidate: FAX,
      inUse: null,
      codeHash: null,
      failedAttempts: 0,
      resends: 0,
    });
    expect(cancelled(actions)).toEqual([EXPIRY]);
    expect(timers(changed)).toEqual({ [EXPIRY]: 24 * HOUR });
  });

  it('when a confirmed practice changes to fax, then the code goes by fax and the email stays in use until the fax is confirmed', () => {
    const { run: changed, actions } = send(
      confirmed(),
      channelChanged(T(60), 'fax', '0221 1234567'),
    );
    expect(state(changed)).toBe('pending');
    expect(codesTo(actions)).toEqual([FAX]);
    expect(context(changed)).toMatchObject({
      inUse: { ...EMAIL, verifiedAt: T(5) },
      candidate: FAX,
    });

    // A wrong code and an expiry leave the email where it was.
    const wrong = submit(issued(changed, T(60), 'code-hash-2'), T(61), false).run;
    expect(context(wrong).inUse).toEqual({ ...EMAIL, verifiedAt: T(5) });
    const expired = fire(wrong, 'codeExpiry', T(25 * 60)).run;
    expect(state(expired)).toBe('expired');
    expect(context(expired).inUse).toEqual({ ...EMAIL, verifiedAt: T(5) });

    const again = send(expired, event('CODE_RESENT', T(26 * 60)));
    expect(codesTo(again.actions)).toEqual([FAX]);
    const faxConfirmed = submit(issued(again.run, T(26 * 60), 'code-hash-3'), T(27 * 60), true).run;
    expect(state(faxConfirmed)).toBe('verified');
    expect(context(faxConfirmed)).toMatchObject({
      inUse: { ...FAX, verifiedAt: T(27 * 60) },
      candidate: null,
    });
  });

  it('keeps the code hash out of every view', () => {
    expect(contactVerificationProcess.redact).toEqual(['codeHash']);
  });
});
