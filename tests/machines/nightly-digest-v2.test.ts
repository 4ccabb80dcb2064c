import type { AnyEventObject, AnyStateMachine } from 'xstate';
import { getStateNodes } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { nightlyDigestProcess } from '../../machines/nightly-digest.js';
import { nightlyDigestProcessV2 } from '../../machines/nightly-digest-v2.js';
import {
  appointmentRecordedSchema,
  nightlyDigestInputSchema,
  type NightlyDigestContext,
  type SendDigestParams,
} from '../../machines/nightly-digest.schema.js';
import { DAY } from '../../machines/process-definition.js';
import { definitionOf, latestDefinition } from '../../machines/registry.js';
import { leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run } from '../support/machine-harness.js';

/**
 * Version 2 of the Nächtliche Übersicht: as version 1 (tests/machines/nightly-digest.test.ts),
 * and at the same appointment time a cancellation comes before a booking; a report's key is
 * forgotten 7 days after the report, whether or not an overview went out since.
 */

const machine = nightlyDigestProcessV2.machine;
const { start, send, fire, named } = machineHarness(machine);

const PRACTICE = 'BSNR-123456789';
/** Without the practice's minute: the overview is due at the digest time itself. */
const input = nightlyDigestInputSchema.parse({ practiceId: PRACTICE, jitterMinutes: 0 });

/** 10:00 German time on 1 December 2026 (CET); the night's 01:30 is 2026-12-02T00:30Z. */
const MORNING = '2026-12-01T09:00:00.000Z';
const TONIGHT = '2026-12-02T00:30:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

interface Report {
  readonly kind?: 'booked' | 'cancelled';
  readonly appointmentId?: string;
  /** When the appointment is. */
  readonly at?: string;
}

/** A report as the appointments route hands it on: parsed, taken at `receivedAt`. */
const recorded = (receivedAt: string, report: Report = {}): AnyEventObject => ({
  type: 'APPOINTMENT_RECORDED',
  ...appointmentRecordedSchema.parse({
    kind: 'booked',
    appointmentId: 'TSS-2026-4711',
    at: '2026-12-08T09:30:00+01:00',
    ...report,
  }),
  receivedAt,
  actor: 'key-etermin',
});

const sent = (receivedAt: string, keys: readonly string[]): AnyEventObject => ({
  type: 'DIGEST_SENT',
  channel: 'email',
  keys,
  receivedAt,
  actor: 'system',
});
const held = (receivedAt: string): AnyEventObject => ({
  type: 'DIGEST_HELD',
  reason: 'Kein bestätigter Benachrichtigungskanal',
  receivedAt,
  actor: 'system',
});

const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const context = (run: Run) => run.snapshot.context as NightlyDigestContext;
const keys = (run: Run) => context(run).items.map((item) => item.key);
const sentItems = (actions: readonly Action[]) =>
  named(actions)
    .filter((action) => action.type === 'sendDigest')
    .map((action) => (action.params as SendDigestParams).items.map((item) => item.key));

/** Reports them one after another from the morning on; answers the overview that night. */
function overviewOf(reports: readonly Report[]) {
  const run = reports.reduce(
    (current, report, i) => send(current, recorded(plus(MORNING, i), report)).run,
    start(input).run,
  );
  return sentItems(fire(run, 'digestDue', TONIGHT).actions);
}

describe('nightlyDigest machine, version 2', () => {
  it('is what new overviews start; version 1 stays for the running ones, with the same events, input and labels', () => {
    expect(latestDefinition('nightlyDigest')).toBe(nightlyDigestProcessV2);
    expect(definitionOf('nightlyDigest', 1)).toBe(nightlyDigestProcess);
    expect(nightlyDigestProcessV2).toMatchObject({
      type: 'nightlyDigest',
      version: 2,
      title: 'Nächtliche Übersicht',
      businessKeyField: 'practiceId',
    });
    expect(nightlyDigestProcessV2.events).toBe(nightlyDigestProcess.events);
    expect(nightlyDigestProcessV2.input).toBe(nightlyDigestProcess.input);
    const labels = (m: AnyStateMachine) =>
      getStateNodes(m.root).map((node) => [node.path.join('.'), node.meta?.label]);
    expect(labels(machine)).toEqual(labels(nightlyDigestProcess.machine));
  });

  it('when a slot is cancelled and booked again, then the overview lists the cancellation first', () => {
    const at = '2026-12-03T08:00:00+01:00';
    expect(
      overviewOf([
        { appointmentId: 'T-new', kind: 'booked', at },
        { appointmentId: 'T-old', kind: 'cancelled', at },
      ]),
    ).toEqual([['T-old:cancelled', 'T-new:booked']]);
  });

  it('when reports come in any order, then the overview goes by appointment time, the same instant in any zone counting as one', () => {
    expect(
      overviewOf([
        { appointmentId: 'T-late', at: '2026-12-09T15:00:00+01:00' },
        { appointmentId: 'T-b', kind: 'booked', at: '2026-12-05T11:00:00Z' },
        { appointmentId: 'T-early', at: '2026-12-03T08:00:00+01:00' },
        { appointmentId: 'T-a', kind: 'booked', at: '2026-12-05T12:00:00+01:00' },
        { appointmentId: 'T-c', kind: 'cancelled', at: '2026-12-05T11:00:00Z' },
      ]),
    ).toEqual([['T-early:booked', 'T-c:cancelled', 'T-a:booked', 'T-b:booked', 'T-late:booked']]);
  });

  /** The morning's booking went out in the night: then a quiet week and more. */
  const afterFirstNight = (): Run =>
    send(
      fire(send(start(input).run, recorded(MORNING)).run, 'digestDue', TONIGHT).run,
      sent(TONIGHT, ['TSS-2026-4711:booked']),
    ).run;

  it('when a report that went out comes again after 7 quiet days, then it counts again', () => {
    const again = send(afterFirstNight(), recorded(plus(MORNING, 10 * DAY)));
    expect(state(again.run)).toBe('collecting');
    expect(keys(again.run)).toEqual(['TSS-2026-4711:booked']);
    expect(context(again.run).seen).toEqual({ 'TSS-2026-4711:booked': plus(MORNING, 10 * DAY) });
  });

  it('when a report comes again, then it is dropped until 7 days after the first and counts from then', () => {
    const run = afterFirstNight();
    const early = send(run, recorded(plus(MORNING, 7 * DAY - 1)));
    expect(state(early.run)).toBe('idle');
    expect(early.run.snapshot.context).toEqual(run.snapshot.context);
    const due = send(run, recorded(plus(MORNING, 7 * DAY)));
    expect(keys(due.run)).toEqual(['TSS-2026-4711:booked']);
  });

  it('when another report comes after a quiet week, then the old keys are forgotten with it', () => {
    const other = send(
      afterFirstNight(),
      recorded(plus(MORNING, 8 * DAY), { appointmentId: 'T-other' }),
    );
    expect(Object.keys(context(other.run).seen)).toEqual(['T-other:booked']);
  });

  it('when a report held for more than 7 days without a channel comes again, then it is still listed once', () => {
    let run = send(start(input).run, recorded(MORNING)).run;
    let night = TONIGHT;
    for (let i = 0; i < 8; i++, night = plus(night, DAY)) {
      run = send(fire(run, 'digestDue', night).run, held(plus(night, 1_000))).run;
    }
    const again = send(run, recorded(plus(MORNING, 8 * DAY)));
    expect(state(again.run)).toBe('held');
    expect(keys(again.run)).toEqual(['TSS-2026-4711:booked']);
    expect(sentItems(fire(again.run, 'digestDue', night).actions)).toEqual([
      ['TSS-2026-4711:booked'],
    ]);
  });
});
