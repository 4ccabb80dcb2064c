import { assign, setup } from 'xstate';
import { nextBerlinTime, stableSpread } from './berlin-time.js';
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
import { CONTINUE_AS_NEW, DAY, type ProcessDefinition } from './process-definition.js';

/**
 * The per-practice jitter spreads the night's sending over this many whole minutes after the
 * digest time: a practice's overview always comes at the same minute (01:47, say).
 */
export const DIGEST_JITTER_MINUTES = 20;
/** How long a report's key is remembered to drop a repeat. */
export const SEEN_FOR = 7 * DAY;

/**
 * Milliseconds from the event until the practice's next overview. A report counts from when the
 * API accepted it (`sentAt`), not from when a busy worker got to it: a report in before the
 * night's time goes out that night, at once if its slot has already passed.
 */
export function untilNextDigest(context: NightlyDigestContext, event: NightlyDigestEvent): number {
  const now = event.receivedAt ? Date.parse(event.receivedAt) : 0;
  const sent = event.sentAt ? Date.parse(event.sentAt) : Number.NaN;
  const from = sent < now ? sent : now;
  const window = context.jitterMinutes ?? DIGEST_JITTER_MINUTES;
  const jitter = window > 0 ? stableSpread(context.practiceId, window) * 60_000 : 0;
  return Math.max(0, nextBerlinTime(from, context.digestTime, jitter) - now);
}

export const keyOf = (event: { appointmentId: string; kind: string }) =>
  `${event.appointmentId}:${event.kind}`;

/** Appointment time first; at the same time a cancellation before a booking. */
const byAppointment = (a: DigestItem, b: DigestItem): number =>
  Date.parse(a.at) - Date.parse(b.at) || a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key);

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
    isNewReport: ({ context, event }) =>
      event.type === 'APPOINTMENT_RECORDED' && context.seen[keyOf(event)] === undefined,
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
    seen: { ...context.seen, [key]: at },
  };
});

const recordReport = { guard: 'isNewReport' as const, actions: collect };

/** What went is dropped; keys older than SEEN_FOR are forgotten. */
const dropSent = digestSetup.assign(({ context, event }) => {
  if (event.type !== 'DIGEST_SENT') return {};
  const sent = new Set(event.keys);
  const now = event.receivedAt ? Date.parse(event.receivedAt) : 0;
  return {
    items: context.items.filter((item) => !sent.has(item.key)),
    seen: Object.fromEntries(
      Object.entries(context.seen).filter(([, at]) => now - Date.parse(at) < SEEN_FOR),
    ),
    warning: null,
    lastSent: { at: event.receivedAt ?? null, channel: event.channel, count: sent.size },
  };
});

const nightlyDigestMachine = digestSetup.createMachine({
  id: 'nightlyDigest',
  description:
    'Nächtliche Übersicht: bookings and cancellations of a practice are collected and sent ' +
    'once a night at the digest time (default 01:30 German time, both DST days included) ' +
    'plus a stable per-practice jitter of up to 20 minutes, to the confirmed channel only. ' +
    'Choices where PROCESSES.md is silent: nothing collected means no timer at all (the ' +
    'process sleeps until the next report); a report repeated within 7 days (same ' +
    'appointment, same kind) is dropped; without a confirmed channel the overview is held ' +
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

export const nightlyDigestProcess: ProcessDefinition = {
  type: 'nightlyDigest',
  version: 1,
  title: 'Nächtliche Übersicht',
  machine: nightlyDigestMachine,
  input: nightlyDigestInputSchema,
  events: nightlyDigestEventSchemas,
  businessKeyField: 'practiceId',
  practiceId: (input: NightlyDigestInput) => input.practiceId,
};
