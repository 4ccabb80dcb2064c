import { assign, setup } from 'xstate';
import { keyOf, SEEN_FOR, untilNextDigest } from './nightly-digest.js';
import {
  nightlyDigestEventSchemas,
  nightlyDigestInputSchema,
  NO_CHANNEL_WARNING,
  type DigestItem,
  type NightlyDigestContext,
  type NightlyDigestEvent,
  type NightlyDigestInput,
  type SendDigestParams,
} from './nightly-digest.schema.js';
import { CONTINUE_AS_NEW, type ProcessDefinition } from './process-definition.js';

/**
 * Version 2 of the nightly overview: at the same appointment time a cancellation comes before a
 * booking, as the overview promises (version 1 sorted the booking first); a report's key is
 * forgotten 7 days after the report, whether or not an overview went out since (version 1
 * forgot keys only when one went, so after a quiet week a booking reported again was still
 * dropped). Version 1 stays for the overviews that started with it, across their
 * continue-as-new.
 */

/** Milliseconds since the epoch of the event's time; 0 without one (the interpreter sets it). */
const timeOf = (event: { receivedAt?: string }): number =>
  event.receivedAt ? Date.parse(event.receivedAt) : 0;

/** The keys of reports less than SEEN_FOR before `now`. */
const recentlySeen = (
  seen: NightlyDigestContext['seen'],
  now: number,
): NightlyDigestContext['seen'] =>
  Object.fromEntries(Object.entries(seen).filter(([, at]) => now - Date.parse(at) < SEEN_FOR));

const KIND_ORDER: Readonly<Record<DigestItem['kind'], number>> = { cancelled: 0, booked: 1 };

/** Appointment time first; at the same time a cancellation before a booking. */
const byAppointment = (a: DigestItem, b: DigestItem): number =>
  Date.parse(a.at) - Date.parse(b.at) ||
  KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
  a.key.localeCompare(b.key);

const digestSetup = setup({
  types: {
    context: {} as NightlyDigestContext,
    events: {} as NightlyDigestEvent,
    input: {} as NightlyDigestInput,
    meta: {} as { label: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    sendDigest: (_, _params: SendDigestParams) => {},
    [CONTINUE_AS_NEW]: () => {},
  },
  guards: {
    // A repeat within SEEN_FOR of the first report is dropped, and so is one still waiting to go.
    isNewReport: ({ context, event }) => {
      if (event.type !== 'APPOINTMENT_RECORDED') return false;
      const key = keyOf(event);
      return (
        recentlySeen(context.seen, timeOf(event))[key] === undefined &&
        !context.items.some((item) => item.key === key)
      );
    },
    // Reports that came in while the overview was being sent wait for the next night.
    leavesItems: ({ context, event }) =>
      event.type === 'DIGEST_SENT' && context.items.some((item) => !event.keys.includes(item.key)),
  },
  delays: { digestDue: ({ context, event }) => untilNextDigest(context, event) },
});

const collect = digestSetup.assign(({ context, event }) => {
  if (event.type !== 'APPOINTMENT_RECORDED') return {};
  const { type: _type, receivedAt, actor: _actor, sentAt: _sentAt, ...report } = event;
  const key = keyOf(report);
  const at = receivedAt ?? '';
  return {
    items: [...context.items, { ...report, key, receivedAt: at }],
    seen: { ...recentlySeen(context.seen, timeOf(event)), [key]: at },
  };
});

const recordReport = { guard: 'isNewReport' as const, actions: collect };

/** What went is dropped; keys older than SEEN_FOR are forgotten. */
const dropSent = digestSetup.assign(({ context, event }) => {
  if (event.type !== 'DIGEST_SENT') return {};
  const sent = new Set(event.keys);
  return {
    items: context.items.filter((item) => !sent.has(item.key)),
    seen: recentlySeen(context.seen, timeOf(event)),
    warning: null,
    lastSent: { at: event.receivedAt ?? null, channel: event.channel, count: sent.size },
  };
});

const nightlyDigestMachineV2 = digestSetup.createMachine({
  id: 'nightlyDigest',
  description:
    'Nächtliche Übersicht: bookings and cancellations of a practice are collected and sent ' +
    'once a night at the digest time (default 01:30 German time, both DST days included) ' +
    'plus a stable per-practice jitter of up to 20 minutes, to the confirmed channel only, ' +
    'sorted by appointment time, a cancellation before a booking at the same time. ' +
    'Choices where PROCESSES.md is silent: nothing collected means no timer at all (the ' +
    'process sleeps until the next report); a report repeated within 7 days of the first ' +
    '(same appointment, same kind) is dropped, and so is one still waiting to go; without a confirmed channel the overview is held ' +
    'and tried again each night; after each overview sent the workflow continues as new; a ' +
    'report counts from when the API accepted it, so one accepted before the night’s time ' +
    'goes out that night even when the worker takes it late (at once, if the slot has passed).',
  initial: 'idle',
  context: ({ input }) => ({
    practiceId: input.practiceId,
    digestTime: input.digestTime,
    ...(input.jitterMinutes === undefined ? {} : { jitterMinutes: input.jitterMinutes }),
    items: [],
    seen: {},
    warning: null,
    lastSent: null,
  }),
  states: {
    idle: {
      meta: { label: 'Nichts zu senden' },
      on: { APPOINTMENT_RECORDED: { ...recordReport, target: 'collecting' } },
    },
    collecting: {
      meta: { label: 'Sammelt für die Nacht' },
      after: { digestDue: { target: 'sending' } },
      on: { APPOINTMENT_RECORDED: recordReport },
    },
    held: {
      meta: { label: 'Zurückgehalten: kein bestätigter Kanal' },
      description: 'Tried again the next night; reports keep being collected.',
      after: { digestDue: { target: 'sending' } },
      on: { APPOINTMENT_RECORDED: recordReport },
    },
    sending: {
      meta: { label: 'Wird gesendet' },
      entry: {
        type: 'sendDigest',
        params: ({ context }) => ({
          practiceId: context.practiceId,
          items: [...context.items].sort(byAppointment),
        }),
      },
      on: {
        APPOINTMENT_RECORDED: recordReport,
        DIGEST_SENT: [
          {
            guard: 'leavesItems',
            target: 'collecting',
            actions: [dropSent, { type: CONTINUE_AS_NEW }],
          },
          { target: 'idle', actions: [dropSent, { type: CONTINUE_AS_NEW }] },
        ],
        DIGEST_HELD: {
          target: 'held',
          actions: assign({ warning: NO_CHANNEL_WARNING }),
        },
      },
    },
  },
});

export const nightlyDigestProcessV2: ProcessDefinition = {
  type: 'nightlyDigest',
  version: 2,
  title: 'Nächtliche Übersicht',
  machine: nightlyDigestMachineV2,
  input: nightlyDigestInputSchema,
  events: nightlyDigestEventSchemas,
  businessKeyField: 'practiceId',
  practiceId: (input: NightlyDigestInput) => input.practiceId,
};
