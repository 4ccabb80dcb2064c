import type { AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { DIGEST_JITTER_MINUTES, nightlyDigestProcess } from '../../machines/nightly-digest.js';
import {
  appointmentRecordedSchema,
  nightlyDigestInputSchema,
  NO_CHANNEL_WARNING,
  type NightlyDigestContext,
  type NightlyDigestInput,
  type SendDigestParams,
} from '../../machines/nightly-digest.schema.js';
import { CONTINUE_AS_NEW, DAY, HOUR } from '../../machines/process-definition.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run, type Step } from '../support/machine-harness.js';

/**
 * Nächtliche Übersicht (PROCESSES.md §5) as a pure machine: bookings and cancellations are
 * collected per practice and sent once a night at the digest time (01:30 German time) plus the
 * practice's minute; nothing collected, no timer; without a confirmed channel the overview is
 * held and tried the next night; a report counts from when the API accepted it.
 */

const machine = nightlyDigestProcess.machine;
const { start, send, fire, named } = machineHarness(machine);

const PRACTICE = 'BSNR-123456789';
/** Without the practice's minute: the overview is due at the digest time itself. */
const input = nightlyDigestInputSchema.parse({ practiceId: PRACTICE, jitterMinutes: 0 });

/** 10:00 German time on 1 December 2026 (CET); the night's 01:30 is 2026-12-02T00:30Z. */
const MORNING = '2026-12-01T09:00:00.000Z';
const TONIGHT = '2026-12-02T00:30:00.000Z';
const TOMORROW_NIGHT = '2026-12-03T00:30:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

interface Report {
  readonly kind?: 'booked' | 'cancelled';
  readonly appointmentId?: string;
  /** When the appointment is. */
  readonly at?: string;
  readonly patientInitials?: string;
}

/** A report as the appointments route hands it on: parsed, taken at `receivedAt`. */
const recorded = (receivedAt: string, report: Report = {}, sentAt?: string): AnyEventObject => ({
  type: 'APPOINTMENT_RECORDED',
  ...appointmentRecordedSchema.parse({
    kind: 'booked',
    appointmentId: 'TSS-2026-4711',
    at: '2026-12-08T09:30:00+01:00',
    ...report,
  }),
  receivedAt,
  actor: 'key-etermin',
  ...(sentAt === undefined ? {} : { sentAt }),
});
const sent = (receivedAt: string, keys: readonly string[], channel = 'email'): AnyEventObject => ({
  type: 'DIGEST_SENT',
  channel,
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
const label = (run: Run) => labelOf(machine, state(run));
const context = (run: Run) => run.snapshot.context as NightlyDigestContext;
const keys = (run: Run) => context(run).items.map((item) => item.key);
const sentItems = (actions: readonly Action[]) =>
  named(actions)
    .filter((action) => action.type === 'sendDigest')
    .map((action) => (action.params as SendDigestParams).items.map((item) => item.key));
/** When the one pending timer is due, for a step taken at `at`. */
function dueAt(step: Step, at: string): string {
  const delays = [...step.run.timers.values()];
  expect(delays, 'pending timers').toHaveLength(1);
  return plus(at, delays[0]!);
}

const collecting = (report: Report = {}, at = MORNING, startInput: NightlyDigestInput = input) =>
  send(start(startInput).run, recorded(at, report));

describe('nightlyDigest machine', () => {
  it('is one process per practice, keyed by its practice id, that takes only reports from outside', () => {
    expect(nightlyDigestProcess).toMatchObject({
      type: 'nightlyDigest',
      version: 1,
      title: 'Nächtliche Übersicht',
      businessKeyField: 'practiceId',
    });
    expect(nightlyDigestProcess.practiceId?.(input as never)).toBe(PRACTICE);
    expect(Object.keys(nightlyDigestProcess.events)).toEqual(['APPOINTMENT_RECORDED']);
    expect(nightlyDigestInputSchema.parse({ practiceId: PRACTICE }).digestTime).toBe('01:30');
    expect(['idle', 'collecting', 'held', 'sending'].map((path) => labelOf(machine, path))).toEqual(
      [
        'Nichts zu senden',
        'Sammelt für die Nacht',
        'Zurückgehalten: kein bestätigter Kanal',
        'Wird gesendet',
      ],
    );
  });

  it('when it starts, then "Nichts zu senden": nothing collected, no timer, nothing sent', () => {
    const { run, actions } = start(input);
    expect(state(run)).toBe('idle');
    expect(label(run)).toBe('Nichts zu senden');
    expect(context(run)).toMatchObject({ items: [], warning: null, lastSent: null });
    expect(actions).toEqual([]);
    expect(run.timers.size).toBe(0);
  });

  it('when a booking is reported, then "Sammelt für die Nacht": the report is kept with when it came, and the overview is due at 01:30 German time', () => {
    const step = collecting({ patientInitials: 'E. M.' });
    expect(state(step.run)).toBe('collecting');
    expect(label(step.run)).toBe('Sammelt für die Nacht');
    expect(context(step.run).items).toEqual([
      {
        kind: 'booked',
        appointmentId: 'TSS-2026-4711',
        at: '2026-12-08T09:30:00+01:00',
        patientInitials: 'E. M.',
        key: 'TSS-2026-4711:booked',
        receivedAt: MORNING,
      },
    ]);
    expect(named(step.actions)).toEqual([]);
    expect(dueAt(step, MORNING)).toBe(TONIGHT);
    expect(allowedEvents(step.run.snapshot, ['APPOINTMENT_RECORDED'])).toEqual([
      'APPOINTMENT_RECORDED',
    ]);
  });

  it.each([
    ['a winter day', '01:30', '2026-12-01T09:00:00.000Z', '2026-12-02T00:30:00.000Z'],
    ['a summer day', '01:30', '2027-07-01T10:00:00.000Z', '2027-07-01T23:30:00.000Z'],
    [
      'the night after midnight, before 01:30',
      '01:30',
      '2026-12-02T00:10:00.000Z',
      '2026-12-02T00:30:00.000Z',
    ],
    [
      'the day before the March clock change',
      '01:30',
      '2027-03-27T11:00:00.000Z',
      '2027-03-28T00:30:00.000Z',
    ],
    [
      'the day before the October clock change',
      '01:30',
      '2027-10-30T11:00:00.000Z',
      '2027-10-30T23:30:00.000Z',
    ],
    // 02:30 does not exist on the March night: it comes as clocks show it, an hour later.
    [
      'the day before the March clock change, skipped 02:30',
      '02:30',
      '2027-03-27T11:00:00.000Z',
      '2027-03-28T01:30:00.000Z',
    ],
    // 02:30 comes twice on the October night: the first one counts.
    [
      'the day before the October clock change, repeated 02:30',
      '02:30',
      '2027-10-30T11:00:00.000Z',
      '2027-10-31T00:30:00.000Z',
    ],
  ])(
    'when a report comes on %s, then the overview is due that night at the digest time (%s) German time',
    (_, digestTime, reportedAt, due) => {
      const startInput = nightlyDigestInputSchema.parse({ ...input, digestTime });
      expect(dueAt(collecting({}, reportedAt, startInput), reportedAt)).toBe(due);
    },
  );

  it('when the practice has no minute of its own set, then its overview comes at the same minute each night, within 20 minutes after 01:30', () => {
    const spread = nightlyDigestInputSchema.parse({ practiceId: PRACTICE });
    const nights = ['2026-12-01T09:00:00.000Z', '2027-07-01T10:00:00.000Z'].map((reportedAt) => {
      const due = dueAt(collecting({}, reportedAt, spread), reportedAt);
      const slot = Date.parse(dueAt(collecting({}, reportedAt), reportedAt));
      return (Date.parse(due) - slot) / 60_000;
    });
    expect(nights[0]).toBe(nights[1]);
    expect(Number.isInteger(nights[0])).toBe(true);
    expect(nights[0]).toBeGreaterThanOrEqual(0);
    expect(nights[0]).toBeLessThan(DIGEST_JITTER_MINUTES);
  });

  it('when more reports come while collecting, then they are kept in the order they came and the night’s timer stays as it was', () => {
    const first = collecting();
    const second = send(
      first.run,
      recorded(plus(MORNING, HOUR), {
        appointmentId: 'TSS-2026-4712',
        at: '2026-12-04T08:00:00+01:00',
      }),
    );
    expect(second.actions).toEqual([]);
    expect(second.run.timers).toEqual(first.run.timers);
    expect(keys(second.run)).toEqual(['TSS-2026-4711:booked', 'TSS-2026-4712:booked']);
  });

  it('when the same booking is reported twice, then it counts once; its cancellation counts on its own', () => {
    const { run } = collecting();
    const again = send(run, recorded(plus(MORNING, HOUR)));
    expect(again.run.snapshot.context).toEqual(run.snapshot.context);
    expect(again.actions).toEqual([]);
    const cancelledStep = send(run, recorded(plus(MORNING, HOUR), { kind: 'cancelled' }));
    expect(keys(cancelledStep.run)).toEqual(['TSS-2026-4711:booked', 'TSS-2026-4711:cancelled']);
  });

  it('when the night’s time comes, then "Wird gesendet" and the overview goes with the reports sorted by appointment time', () => {
    let { run } = collecting({ appointmentId: 'T-late', at: '2026-12-09T15:00:00+01:00' });
    run = send(
      run,
      recorded(plus(MORNING, 1), { appointmentId: 'T-early', at: '2026-12-03T08:00:00+01:00' }),
    ).run;
    run = send(
      run,
      recorded(plus(MORNING, 2), { appointmentId: 'T-mid', at: '2026-12-05T11:00:00Z' }),
    ).run;
    const { run: sending, actions } = fire(run, 'digestDue', TONIGHT);
    expect(state(sending)).toBe('sending');
    expect(label(sending)).toBe('Wird gesendet');
    expect(named(actions)).toEqual([
      {
        type: 'sendDigest',
        params: { practiceId: PRACTICE, items: expect.any(Array) },
      },
    ]);
    expect(sentItems(actions)).toEqual([['T-early:booked', 'T-mid:booked', 'T-late:booked']]);
    expect(sending.timers.size).toBe(0);
  });

  // Running version 1 overviews keep their order: at the same appointment time the booking
  // comes first (`kind.localeCompare`), though its comment and SendDigestParams say a
  // cancellation comes first. Version 2 lists the cancellation first.
  it('when a slot is cancelled and booked again, then version 1 lists the booking first', () => {
    const at = '2026-12-03T08:00:00+01:00';
    let { run } = collecting({ appointmentId: 'T-new', kind: 'booked', at });
    run = send(
      run,
      recorded(plus(MORNING, 1), { appointmentId: 'T-old', kind: 'cancelled', at }),
    ).run;
    const { actions } = fire(run, 'digestDue', TONIGHT);
    expect(sentItems(actions)).toEqual([['T-new:booked', 'T-old:cancelled']]);
  });

  it('when the overview went out, then "Nichts zu senden" with when and where it went, no timer, and the workflow continues as new', () => {
    const sending = fire(collecting().run, 'digestDue', TONIGHT).run;
    const done = send(sending, sent(plus(TONIGHT, 5_000), ['TSS-2026-4711:booked']));
    expect(state(done.run)).toBe('idle');
    expect(context(done.run)).toMatchObject({
      items: [],
      warning: null,
      lastSent: { at: plus(TONIGHT, 5_000), channel: 'email', count: 1 },
    });
    expect(named(done.actions).map((action) => action.type)).toEqual([CONTINUE_AS_NEW]);
    expect(done.run.timers.size).toBe(0);
  });

  it('when a report comes while the overview is being sent, then it waits for the next night', () => {
    const sending = fire(collecting().run, 'digestDue', TONIGHT).run;
    const during = send(sending, recorded(plus(TONIGHT, 1_000), { appointmentId: 'T-during' }));
    expect(state(during.run)).toBe('sending');
    expect(during.actions).toEqual([]);
    const doneAt = plus(TONIGHT, 5_000);
    const done = send(during.run, sent(doneAt, ['TSS-2026-4711:booked']));
    expect(state(done.run)).toBe('collecting');
    expect(keys(done.run)).toEqual(['T-during:booked']);
    expect(context(done.run).lastSent).toMatchObject({ count: 1 });
    expect(named(done.actions).map((action) => action.type)).toEqual([CONTINUE_AS_NEW]);
    expect(dueAt(done, doneAt)).toBe(TOMORROW_NIGHT);
  });

  it('when no channel is confirmed, then the overview is held with the warning, the reports kept, and it is tried again the next night', () => {
    const sending = fire(collecting().run, 'digestDue', TONIGHT).run;
    const heldAt = plus(TONIGHT, 2_000);
    const holding = send(sending, held(heldAt));
    expect(state(holding.run)).toBe('held');
    expect(label(holding.run)).toBe('Zurückgehalten: kein bestätigter Kanal');
    expect(context(holding.run).warning).toBe(NO_CHANNEL_WARNING);
    expect(keys(holding.run)).toEqual(['TSS-2026-4711:booked']);
    expect(named(holding.actions)).toEqual([]);
    expect(dueAt(holding, heldAt)).toBe(TOMORROW_NIGHT);

    const more = send(
      holding.run,
      recorded(plus(TONIGHT, 8 * HOUR), {
        appointmentId: 'T-next',
        at: '2026-12-10T09:30:00+01:00',
      }),
    );
    expect(state(more.run)).toBe('held');
    expect(more.run.timers).toEqual(holding.run.timers);

    const retried = fire(more.run, 'digestDue', TOMORROW_NIGHT);
    expect(sentItems(retried.actions)).toEqual([['TSS-2026-4711:booked', 'T-next:booked']]);
    const done = send(retried.run, sent(plus(TOMORROW_NIGHT, 5_000), keys(more.run), 'fax'));
    expect(state(done.run)).toBe('idle');
    expect(context(done.run)).toMatchObject({
      warning: null,
      lastSent: { channel: 'fax', count: 2 },
    });
  });

  it.each([
    // The API took it two minutes before the slot; the worker, behind, gets to it three after.
    [
      'accepted before the night’s time and taken after it',
      'at once',
      '2026-12-02T00:28:00.000Z',
      '2026-12-02T00:33:00.000Z',
      '2026-12-02T00:33:00.000Z',
    ],
    [
      'accepted and taken after the night’s time',
      'the next night',
      '2026-12-02T00:31:00.000Z',
      '2026-12-02T00:33:00.000Z',
      TOMORROW_NIGHT,
    ],
    // A clock ahead of the worker's: the report counts from when the worker took it.
    [
      'stamped after the night’s time but taken before it',
      'that night',
      '2026-12-02T00:45:00.000Z',
      '2026-12-02T00:20:00.000Z',
      TONIGHT,
    ],
  ])('when a report is %s, then the overview is due %s', (_, _when, sentAt, receivedAt, due) => {
    const step = send(start(input).run, recorded(receivedAt, {}, sentAt));
    expect(state(step.run)).toBe('collecting');
    expect(dueAt(step, receivedAt)).toBe(due);
  });

  it('when a report that went out comes again within 7 days, then it is dropped; after 7 days, once an overview has gone since, it counts again', () => {
    const firstNight = send(
      fire(collecting().run, 'digestDue', TONIGHT).run,
      sent(TONIGHT, ['TSS-2026-4711:booked']),
    ).run;
    const repeated = send(firstNight, recorded(plus(MORNING, 3 * DAY)));
    expect(state(repeated.run)).toBe('idle');
    expect(repeated.run.snapshot.context).toEqual(firstNight.snapshot.context);

    // Another report on day 8 and its overview in the night to day 9: the first key is 8 days old.
    const other = send(
      firstNight,
      recorded(plus(MORNING, 8 * DAY), { appointmentId: 'T-other' }),
    ).run;
    const ninthNight = plus(TONIGHT, 8 * DAY);
    const secondNight = send(
      fire(other, 'digestDue', ninthNight).run,
      sent(ninthNight, ['T-other:booked']),
    ).run;
    expect(Object.keys(context(secondNight).seen)).toEqual(['T-other:booked']);
    const again = send(secondNight, recorded(plus(MORNING, 9 * DAY)));
    expect(state(again.run)).toBe('collecting');
    expect(keys(again.run)).toEqual(['TSS-2026-4711:booked']);
  });

  // Running version 1 overviews keep their memory: keys are forgotten only when an overview goes
  // out, so after a quiet week a booking reported again after 10 days is still dropped, though
  // the description says "within 7 days". Version 2 forgets a key 7 days after its report.
  it('when a report that went out comes again after 7 quiet days, then version 1 still drops it', () => {
    const firstNight = send(
      fire(collecting().run, 'digestDue', TONIGHT).run,
      sent(TONIGHT, ['TSS-2026-4711:booked']),
    ).run;
    const again = send(firstNight, recorded(plus(MORNING, 10 * DAY)));
    expect(state(again.run)).toBe('idle');
    expect(again.run.snapshot.context).toEqual(firstNight.snapshot.context);
  });
});
