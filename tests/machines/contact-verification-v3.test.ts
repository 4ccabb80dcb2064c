import type { AnyEventObject, AnyStateMachine } from 'xstate';
import { getStateNodes } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { contactVerificationProcessV2 } from '../../machines/contact-verification-v2.js';
import { contactVerificationProcessV3 } from '../../machines/contact-verification-v3.js';
import {
  contactVerificationEventSchemas,
  contactVerificationInputSchema,
  type ContactVerificationContext,
  type IssueConfirmationCodeParams,
} from '../../machines/contact-verification.schema.js';
import { definitionOf, latestDefinition } from '../../machines/registry.js';
import { leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run } from '../support/machine-harness.js';

/**
 * Version 3 of Benachrichtigungskanal bestätigen: the limits of version 2 (per process and German
 * day at most 5 codes, 3 resends and 5 wrong codes; a lock lasts until the next day), counted
 * right: a resend refused for the day's five codes says so, and the first code counts for the
 * day of the first event.
 */

const machine = contactVerificationProcessV3.machine;
const { start, send, fire, named } = machineHarness(machine);

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

const TOO_MANY_CODES =
  'Heute wurden bereits 5 Bestätigungscodes gesendet. Bitte fordern Sie morgen einen neuen an.';
const TOO_MANY_RESENDS =
  'Der Code wurde heute bereits 3-mal neu gesendet. Bitte fordern Sie morgen einen neuen an.';

/** Asks for codes one after another; each must go out, and its answer comes at once. */
function codesGo(run: Run, asks: readonly AnyEventObject[]): Run {
  for (const asked of asks) {
    const step = send(run, asked);
    expect(emitted(step.actions), `${asked.type} at ${asked.receivedAt}`).toEqual([]);
    expect(codesTo(step.actions), `${asked.type} at ${asked.receivedAt}`).toHaveLength(1);
    run = issued(step.run, asked.receivedAt as string);
  }
  return run;
}

/** The start's code, two resends and two changes to the same address: five codes today. */
const fiveCodesToday = (): Run =>
  codesGo(issued(start(input).run, T(0)), [
    event('CODE_RESENT', T(1)),
    channelChanged(T(2), 'email', 'praxis@praxis.example'),
    event('CODE_RESENT', T(3)),
    channelChanged(T(4), 'email', 'praxis@praxis.example'),
  ]);

describe('contactVerification machine, version 3', () => {
  it('is what new confirmations start; versions 1 and 2 stay for the running ones, with the same events, input and labels', () => {
    expect(latestDefinition('contactVerification')).toBe(contactVerificationProcessV3);
    expect(definitionOf('contactVerification', 2)).toBe(contactVerificationProcessV2);
    expect(contactVerificationProcessV3).toMatchObject({
      version: 3,
      businessKeyField: 'practiceId',
      redact: ['codeHash'],
    });
    expect(contactVerificationProcessV3.events).toBe(contactVerificationProcessV2.events);
    expect(contactVerificationProcessV3.input).toBe(contactVerificationProcessV2.input);
    const labels = (m: AnyStateMachine) =>
      getStateNodes(m.root).map((node) => [node.path.join('.'), node.meta?.label]);
    expect(labels(machine)).toEqual(labels(contactVerificationProcessV2.machine));
  });

  it('when the first code went out the evening before, then the next day still has its five codes', () => {
    const evening = T(MIDNIGHT - 30);
    const run = codesGo(issued(start(input).run, evening), [
      event('CODE_RESENT', T(MIDNIGHT + 60)),
      event('CODE_RESENT', T(MIDNIGHT + 61)),
      event('CODE_RESENT', T(MIDNIGHT + 62)),
      channelChanged(T(MIDNIGHT + 63), 'fax', '0221 1234567'),
      channelChanged(T(MIDNIGHT + 64), 'email', 'praxis@praxis.example'),
    ]);
    expect(context(run)).toMatchObject({ day: '2026-12-02', codesToday: 5, resends: 3 });
    const sixth = send(run, channelChanged(T(MIDNIGHT + 65), 'fax', '0221 1234567'));
    expect(codesTo(sixth.actions)).toEqual([]);
    expect(emitted(sixth.actions)).toEqual(refused(TOO_MANY_CODES));
  });

  it('when the first code went out the evening before, then it is the first of that evening: four more go out before midnight', () => {
    const evening = T(MIDNIGHT - 30);
    const run = codesGo(issued(start(input).run, evening), [
      event('CODE_RESENT', T(MIDNIGHT - 29)),
      channelChanged(T(MIDNIGHT - 28), 'fax', '0221 1234567'),
      event('CODE_RESENT', T(MIDNIGHT - 27)),
      channelChanged(T(MIDNIGHT - 26), 'email', 'praxis@praxis.example'),
    ]);
    expect(context(run)).toMatchObject({ day: '2026-12-01', codesToday: 5 });
    const sixth = send(run, event('CODE_RESENT', T(MIDNIGHT - 25)));
    expect(codesTo(sixth.actions)).toEqual([]);
    expect(emitted(sixth.actions)).toEqual(refused(TOO_MANY_CODES));
  });

  it('when a resend is refused for the day’s five codes, then the refusal says so, not three resends', () => {
    const run = fiveCodesToday();
    expect(context(run)).toMatchObject({ codesToday: 5, resends: 2 });
    const sixth = send(run, event('CODE_RESENT', T(5)));
    expect(state(sixth.run)).toBe('pending');
    expect(codesTo(sixth.actions)).toEqual([]);
    expect(emitted(sixth.actions)).toEqual(refused(TOO_MANY_CODES));
  });

  it('when the code expired after the day’s five codes, then a resend is refused for the five codes; the next day it goes', () => {
    const expired = fire(fiveCodesToday(), 'codeExpiry', T(MIDNIGHT - 1)).run;
    expect(state(expired)).toBe('expired');
    const refusedResend = send(expired, event('CODE_RESENT', T(MIDNIGHT - 1)));
    expect(state(refusedResend.run)).toBe('expired');
    expect(codesTo(refusedResend.actions)).toEqual([]);
    expect(emitted(refusedResend.actions)).toEqual(refused(TOO_MANY_CODES));
    const tomorrow = send(expired, event('CODE_RESENT', T(MIDNIGHT)));
    expect(codesTo(tomorrow.actions)).toEqual([EMAIL]);
  });

  it('when the code is resent a fourth time with codes left for the day, then the refusal names the three resends', () => {
    const run = codesGo(
      issued(start(input).run, T(0)),
      [1, 2, 3].map((i) => event('CODE_RESENT', T(i))),
    );
    expect(context(run)).toMatchObject({ codesToday: 4, resends: 3 });
    const fourth = send(run, event('CODE_RESENT', T(4)));
    expect(codesTo(fourth.actions)).toEqual([]);
    expect(emitted(fourth.actions)).toEqual(refused(TOO_MANY_RESENDS));
    // The day's fifth code may still go to another address.
    const changed = send(run, channelChanged(T(4), 'fax', '0221 1234567'));
    expect(codesTo(changed.actions)).toEqual([FAX]);
  });
});
