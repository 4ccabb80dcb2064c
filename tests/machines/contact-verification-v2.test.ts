import type { AnyEventObject, AnyStateMachine } from 'xstate';
import { getStateNodes } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { contactVerificationProcess } from '../../machines/contact-verification.js';
import { contactVerificationProcessV2 } from '../../machines/contact-verification-v2.js';
import {
  contactVerificationEventSchemas,
  contactVerificationInputSchema,
  type ContactVerificationContext,
  type IssueConfirmationCodeParams,
} from '../../machines/contact-verification.schema.js';
import { HOUR } from '../../machines/process-definition.js';
import { definitionOf } from '../../machines/registry.js';
import { allowedEvents, labelOf, leafPaths, redact } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run } from '../support/machine-harness.js';

/**
 * Version 2 of Benachrichtigungskanal bestätigen: per process and German calendar day at most 5
 * codes, 3 resends and 5 wrong codes, whatever the path (a resend, a changed channel, the same
 * address again); a lock lasts until the next German day.
 */

const machine = contactVerificationProcessV2.machine;
const { start, send, fire, named } = machineHarness(machine);
const EXPIRY = 'xstate.after.codeExpiry.contactVerification.pending';

const input = contactVerificationInputSchema.parse({
  practiceId: 'BSNR-123456789',
  practiceName: 'Praxis Dr. med. Erika Mustermann',
  channel: 'email',
  address: 'praxis@praxis.example',
});
const EMAIL = { channel: 'email', address: 'praxis@praxis.example' } as const;
const FAX = { channel: 'fax', address: '+492211234567' } as const;

/** Berlin 10:00 on 1 December 2026 (CET = UTC+1) plus minutes; midnight is T(14 * 60). */
const T = (minutes: number) =>
  new Date(Date.parse('2026-12-01T09:00:00.000Z') + minutes * 60_000).toISOString();
const MIDNIGHT = 14 * 60;
const event = (type: string, at: string, payload: object = {}): AnyEventObject => ({
  type,
  ...payload,
  receivedAt: at,
  actor: 'key-portal',
});
const answer = (type: string, at: string, payload: object = {}): AnyEventObject => ({
  type,
  ...payload,
  receivedAt: at,
  actor: 'system',
});
const channelChanged = (at: string, channel: 'email' | 'fax', address: string) =>
  event(
    'CHANNEL_CHANGED',
    at,
    contactVerificationEventSchemas.CHANNEL_CHANGED.parse({ channel, address }),
  );

const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const context = (run: Run) =>
  run.snapshot.context as ContactVerificationContext & { day: string | null; codesToday: number };
const codesTo = (actions: readonly Action[]) =>
  named(actions)
    .filter((action) => action.type === 'issueConfirmationCode')
    .map((action) => (action.params as IssueConfirmationCodeParams).to);
const emitted = (actions: readonly Action[]) =>
  actions
    .filter((action) => action.type === 'xstate.emit')
    .map((action) => (action.params as { event: unknown }).event);
const refused = (detail: string) => [{ type: 'rejected', status: 409, detail }];

const issued = (run: Run, at: string) =>
  send(run, answer('CONFIRMATION_CODE_ISSUED', at, { codeHash: `code-hash-${at}` })).run;

function submit(run: Run, at: string, right: boolean) {
  const typed = send(run, event('CODE_SUBMITTED', at, { code: 'sealed:v1:typed' }));
  return send(
    typed.run,
    answer(right ? 'CONFIRMATION_CODE_ACCEPTED' : 'CONFIRMATION_CODE_REJECTED', at),
  );
}

function wrongCodes(run: Run, times: readonly string[]): Run {
  return times.reduce((current, at) => submit(current, at, false).run, run);
}

const STILL_LOCKED = 'Nach 5 Fehlversuchen ist die Bestätigung bis morgen gesperrt.';
const TOO_MANY_CODES =
  'Heute wurden bereits 5 Bestätigungscodes gesendet. Bitte fordern Sie morgen einen neuen an.';
const TOO_MANY_RESENDS =
  'Der Code wurde heute bereits 3-mal neu gesendet. Bitte fordern Sie morgen einen neuen an.';

describe('contactVerification machine, version 2', () => {
  it('stays registered for the confirmations that started with it, with the same events, input and labels as version 1', () => {
    expect(definitionOf('contactVerification', 2)).toBe(contactVerificationProcessV2);
    expect(contactVerificationProcessV2).toMatchObject({
      version: 2,
      businessKeyField: 'practiceId',
    });
    expect(contactVerificationProcessV2.events).toBe(contactVerificationProcess.events);
    expect(contactVerificationProcessV2.input).toBe(contactVerificationProcess.input);
    expect(contactVerificationProcessV2.redact).toEqual(['codeHash']);
    const labels = (m: AnyStateMachine) =>
      getStateNodes(m.root).map((node) => [node.path.join('.'), node.meta?.label]);
    expect(labels(machine)).toEqual(labels(contactVerificationProcess.machine));
  });

  it('when it starts, then a code goes to the address, valid 24 h, as the first of the day', () => {
    const { run, actions } = start(input);
    expect(state(run)).toBe('pending');
    expect(codesTo(actions)).toEqual([EMAIL]);
    expect(Object.fromEntries(run.timers)).toEqual({ [EXPIRY]: 24 * HOUR });
    expect(context(run)).toMatchObject({ codesToday: 1, failedAttempts: 0, resends: 0 });
  });

  // Running version 2 confirmations keep their count: the first code counts for the day of the
  // first event that counts something, so a first code sent late in the evening counts again on
  // the next day, which then allows only four codes. Version 3 counts it for its own evening.
  it('when the first code went out the evening before, then version 2 counts it again the next day: the fifth code is refused', () => {
    const evening = T(MIDNIGHT - 30);
    let run = issued(start(input).run, evening);
    const asks = [
      event('CODE_RESENT', T(MIDNIGHT + 60)),
      event('CODE_RESENT', T(MIDNIGHT + 61)),
      event('CODE_RESENT', T(MIDNIGHT + 62)),
      channelChanged(T(MIDNIGHT + 63), 'fax', '0221 1234567'),
    ];
    for (const asked of asks) {
      const step = send(run, asked);
      expect(codesTo(step.actions)).toHaveLength(1);
      run = issued(step.run, asked.receivedAt as string);
    }
    expect(context(run)).toMatchObject({ day: '2026-12-02', codesToday: 5 });
    const fifth = send(run, channelChanged(T(MIDNIGHT + 64), 'email', 'praxis@praxis.example'));
    expect(codesTo(fifth.actions)).toEqual([]);
    expect(emitted(fifth.actions)).toEqual(refused(TOO_MANY_CODES));
  });

  it('when a wrong code is entered, then 422 names the tries left; the fifth locks until tomorrow', () => {
    const run = wrongCodes(issued(start(input).run, T(0)), [T(1), T(2), T(3)]);
    const fourth = submit(run, T(4), false);
    expect(emitted(fourth.actions)).toEqual([
      {
        type: 'rejected',
        status: 422,
        detail: 'Der Bestätigungscode ist falsch. Noch 1 Versuch.',
        path: 'code',
      },
    ]);
    const fifth = submit(fourth.run, T(5), false);
    expect(state(fifth.run)).toBe('locked');
    expect(labelOf(machine, state(fifth.run))).toBe('Gesperrt');
    expect(context(fifth.run).codeHash).toBeNull();
    expect(emitted(fifth.actions)).toEqual([
      {
        type: 'rejected',
        status: 422,
        detail:
          'Der Bestätigungscode ist falsch. Nach 5 Fehlversuchen ist die Bestätigung bis morgen gesperrt.',
        path: 'code',
      },
    ]);
  });

  it.each([
    ['winter', '2026-12-01T09:00:00.000Z', '2026-12-01T22:59:00.000Z', '2026-12-01T23:00:00.000Z'],
    ['summer', '2027-07-01T08:00:00.000Z', '2027-07-01T21:59:00.000Z', '2027-07-01T22:00:00.000Z'],
  ])(
    'when five wrong codes lock it (%s), then neither a resend nor a new address unlocks it before midnight German time; from midnight, a code goes out with fresh counts',
    (_, morning, lastMinute, midnight) => {
      const at = (minutes: number) =>
        new Date(Date.parse(morning) + minutes * 60_000).toISOString();
      const locked = wrongCodes(issued(start(input).run, at(0)), [1, 2, 3, 4, 5].map(at));
      expect(state(locked)).toBe('locked');
      // Both stay on offer, so that the practice is told why and until when.
      expect(
        allowedEvents(locked.snapshot, Object.keys(contactVerificationProcessV2.events)),
      ).toEqual(['CODE_RESENT', 'CHANNEL_CHANGED']);

      for (const asked of [
        event('CODE_RESENT', lastMinute),
        channelChanged(lastMinute, 'fax', '0221 1234567'),
      ]) {
        const { run, actions } = send(locked, asked);
        expect(state(run), asked.type).toBe('locked');
        expect(codesTo(actions)).toEqual([]);
        expect(emitted(actions)).toEqual(refused(STILL_LOCKED));
      }

      const resent = send(locked, event('CODE_RESENT', midnight));
      expect(state(resent.run)).toBe('pending');
      expect(codesTo(resent.actions)).toEqual([EMAIL]);
      expect(context(resent.run)).toMatchObject({
        failedAttempts: 0,
        resends: 0,
        codesToday: 1,
        candidate: EMAIL,
      });
      expect(Object.fromEntries(resent.run.timers)).toEqual({ [EXPIRY]: 24 * HOUR });
      const changed = send(locked, channelChanged(midnight, 'fax', '0221 1234567'));
      expect(codesTo(changed.actions)).toEqual([FAX]);
    },
  );

  it('when the code is resent a fourth time on one day, then 409 and nothing is sent; the next day a resend goes', () => {
    let run = issued(start(input).run, T(0));
    for (let i = 1; i <= 3; i++) {
      const step = send(run, event('CODE_RESENT', T(i)));
      expect(codesTo(step.actions)).toEqual([EMAIL]);
      run = issued(step.run, T(i));
    }
    const fourth = send(run, event('CODE_RESENT', T(4)));
    expect(state(fourth.run)).toBe('pending');
    expect(codesTo(fourth.actions)).toEqual([]);
    expect(emitted(fourth.actions)).toEqual(refused(TOO_MANY_RESENDS));
    const tomorrow = send(run, event('CODE_RESENT', T(MIDNIGHT)));
    expect(codesTo(tomorrow.actions)).toEqual([EMAIL]);
    expect(context(tomorrow.run)).toMatchObject({ day: '2026-12-02', resends: 1, codesToday: 1 });
  });

  /** The start's code, two resends and two changes to the same address: five codes today. */
  function fiveCodesToday(): Run {
    let run = issued(start(input).run, T(0));
    const asks = [
      event('CODE_RESENT', T(1)),
      channelChanged(T(2), 'email', 'praxis@praxis.example'),
      event('CODE_RESENT', T(3)),
      channelChanged(T(4), 'email', 'praxis@praxis.example'),
    ];
    for (const asked of asks) {
      const step = send(run, asked);
      expect(codesTo(step.actions), asked.type).toEqual([EMAIL]);
      run = issued(step.run, asked.receivedAt as string);
    }
    expect(context(run)).toMatchObject({ codesToday: 5, resends: 2 });
    return run;
  }

  it('when resends and changes to the same address add up to five codes a day, then the sixth is refused with 409 and nothing is sent; the next day it goes', () => {
    const run = fiveCodesToday();
    for (const asked of [event('CODE_RESENT', T(5)), channelChanged(T(5), 'fax', '0221 1234567')]) {
      const sixth = send(run, asked);
      expect(state(sixth.run), asked.type).toBe('pending');
      expect(codesTo(sixth.actions)).toEqual([]);
      expect(emitted(sixth.actions)).toEqual([expect.objectContaining({ status: 409 })]);
      expect(context(sixth.run).candidate).toEqual(EMAIL);
    }
    const changed = send(run, channelChanged(T(5), 'fax', '0221 1234567'));
    expect(emitted(changed.actions)).toEqual(refused(TOO_MANY_CODES));
    const tomorrow = send(run, channelChanged(T(MIDNIGHT), 'fax', '0221 1234567'));
    expect(codesTo(tomorrow.actions)).toEqual([FAX]);
  });

  // Running version 2 confirmations keep their wording: a resend refused for the day's five
  // codes names three resends (the refusal of CODE_RESENT in `pending` and `expired`). Version 3
  // names the five codes.
  it('when a resend is refused for the day’s five codes, then version 2 names three resends', () => {
    const sixth = send(fiveCodesToday(), event('CODE_RESENT', T(5)));
    expect(emitted(sixth.actions)).toEqual(refused(TOO_MANY_RESENDS));
  });

  it('when the channel changes after four wrong codes, then one more wrong code locks it: the tries hold whatever the path', () => {
    const run = wrongCodes(issued(start(input).run, T(0)), [T(1), T(2), T(3), T(4)]);
    const changed = send(run, channelChanged(T(5), 'fax', '0221 1234567'));
    expect(codesTo(changed.actions)).toEqual([FAX]);
    expect(context(changed.run)).toMatchObject({ candidate: FAX, failedAttempts: 4 });
    const last = submit(issued(changed.run, T(5)), T(6), false);
    expect(state(last.run)).toBe('locked');
  });

  it('when wrong codes fall on two German days, then each day has its five tries', () => {
    const run = wrongCodes(issued(start(input).run, T(0)), [T(1), T(2), T(3), T(4)]);
    const nextDay = submit(run, T(MIDNIGHT + 1), false);
    expect(state(nextDay.run)).toBe('pending');
    expect(emitted(nextDay.actions)).toEqual([
      expect.objectContaining({ detail: 'Der Bestätigungscode ist falsch. Noch 4 Versuche.' }),
    ]);
  });

  it('when an expired code is resent, then it counts as a resend and as a code of the day', () => {
    const run = issued(send(issued(start(input).run, T(0)), event('CODE_RESENT', T(1))).run, T(1));
    const expired = fire(run, 'codeExpiry', T(MIDNIGHT - 1)).run;
    expect(state(expired)).toBe('expired');
    const resent = send(expired, event('CODE_RESENT', T(MIDNIGHT - 1)));
    expect(state(resent.run)).toBe('pending');
    expect(codesTo(resent.actions)).toEqual([EMAIL]);
    expect(context(resent.run)).toMatchObject({ resends: 2, codesToday: 3, codeHash: null });
  });

  it('when the right code is entered, then "Bestätigt" with the address in use; a new channel the same day counts on', () => {
    const run = submit(issued(start(input).run, T(0)), T(1), true).run;
    expect(state(run)).toBe('verified');
    expect(context(run)).toMatchObject({
      inUse: { ...EMAIL, verifiedAt: T(1) },
      candidate: null,
      codeHash: null,
    });
    expect(redact(run.snapshot.context, contactVerificationProcessV2.redact)).not.toHaveProperty(
      'codeHash',
    );
    const changed = send(run, channelChanged(T(2), 'fax', '0221 1234567'));
    expect(state(changed.run)).toBe('pending');
    expect(codesTo(changed.actions)).toEqual([FAX]);
    expect(context(changed.run)).toMatchObject({
      inUse: { ...EMAIL, verifiedAt: T(1) },
      candidate: FAX,
      codesToday: 2,
    });
  });
});
