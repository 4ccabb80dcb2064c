import { getShortestPaths, getStateNodes } from '@xstate/graph';
import {
  initialTransition,
  type AnyEventObject,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import { describe, expect, it } from 'vitest';
import { cardProcess } from '../../machines/card.js';
import {
  cardInputSchema,
  type CardContext,
  type CardEvent,
  type CardInput,
} from '../../machines/card.schema.js';
import { ehbaApplicationProcess } from '../../machines/ehba-application.js';
import {
  ehbaApplicationInputSchema,
  type EhbaApplicationContext,
} from '../../machines/ehba-application.schema.js';
import { DAY } from '../../machines/process-definition.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Run } from '../support/machine-harness.js';

/**
 * Version 1 of the card, which running cards started before version 2 keep: the card's life
 * (PROCESSES.md §3 as it was) as a pure machine: every state reached and every
 * transition taken on a path (@xstate/graph), and on the way what the holder observes — the
 * state label, the emails and Transport-PIN letters, the timers computed from the
 * certificates' end, the exchange card and the follow-up application it starts.
 */

const machine: AnyStateMachine = cardProcess.machine;
type Snapshot = AnyMachineSnapshot;
type Action = { readonly type: string; readonly params?: unknown };

const SHIPPED_AT = '2026-03-02T09:30:00.000Z';
const ACTIVATED_AT = '2026-03-10T12:00:00.000Z';
/** 5 calendar years after shipping; 90 days before it the renewal reminder. */
const VALID_UNTIL = '2031-03-02T09:30:00.000Z';
const REMINDER_AT = '2030-12-02T09:30:00.000Z';
/** 6 calendar months after shipping: a free exchange card only strictly before. */
const EXCHANGE_UNTIL = '2026-09-02T09:30:00.000Z';

const at = (receivedAt: string) => ({ receivedAt, actor: 'key-1' }) as const;
const CARD_NUMBER = 'K-2026-7K3M9QXT-1';
const APPLICATION_NUMBER = 'A-2026-7K3M9QXT';

const address = {
  name: 'Dr. med. Erika Mustermann',
  street: 'Heidestraße 17',
  postcode: '51147',
  city: 'Köln',
};
const holder = {
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email: 'erika.mustermann@praxis.example',
  chamber: 'Ärztekammer Nordrhein',
  address: { ...address, country: 'DE' },
};
const input = cardInputSchema.parse({
  cardNumber: CARD_NUMBER,
  cardType: 'eHBA',
  applicationNumber: APPLICATION_NUMBER,
  holder: { ...holder, address },
  practiceId: 'BSNR-123456789',
});
/** What every card email and letter carries besides its own fields. */
const mail = { cardNumber: CARD_NUMBER, cardType: 'eHBA', holder } as const;

const harness = machineHarness(machine);
const start = (startInput: CardInput = input) => harness.start(startInput);
const send = (run: Run, event: CardEvent | AnyEventObject) => harness.send(run, event);
type Delay = 'renewalReminder' | 'certificateExpiry';
const timerId = (run: Run, delay: Delay): string => harness.timerId(run, delay);

/** The timer fires: the interpreter sends the after-event with its id as type. */
const fire = (run: Run, delay: Delay, firedAt: string) => harness.fire(run, delay, firedAt);

function walk(events: readonly CardEvent[], startInput = input): Run {
  return events.reduce((run, event) => send(run, event).run, start(startInput).run);
}

const context = (run: Run) => run.snapshot.context as CardContext;
/** The label the interpreter shows: the deepest one on the active path (PROCESSES.md §3). */
const label = (snapshot: Snapshot) =>
  leafPaths(snapshot.value)
    .map((path) => labelOf(machine, path))
    .join(' / ');
const allowed = (snapshot: Snapshot) =>
  allowedEvents(snapshot, Object.keys(cardProcess.events)).sort();

const email = (template: string, extra: Record<string, unknown> = {}) => ({
  type: 'sendCardEmail',
  params: { ...mail, template, ...extra },
});
const letter = (n: number) => ({ type: 'sendTransportPinLetter', params: { ...mail, letter: n } });
const cancel = (sendId: string) => ({ type: 'xstate.cancel', params: { sendId } });
const rejected = (detail: string | RegExp) => ({
  type: 'xstate.emit',
  params: {
    event: {
      type: 'rejected',
      status: 409,
      detail: typeof detail === 'string' ? detail : expect.stringMatching(detail),
    },
  },
});
/** When each timer of a transition is due: the entering event's time plus its delay. */
const dueTimes = (actions: readonly Action[], enteredAt: string) =>
  Object.fromEntries(
    actions
      .filter((a) => a.type === 'xstate.raise')
      .map((a) => {
        const { id, delay } = a.params as { id: string; delay: number };
        return [id.split('.')[2], new Date(Date.parse(enteredAt) + delay).toISOString()];
      }),
  );

const shipped: CardEvent = {
  type: 'CARD_SHIPPED',
  trackingId: 'JJD000390007123456',
  ...at(SHIPPED_AT),
};
const activated = { type: 'CARD_ACTIVATED', ...at(ACTIVATED_AT) } as const;
const forgotten = (when: string) =>
  ({ type: 'ACTIVATION_PASSWORD_FORGOTTEN', ...at(when) }) as const;
const followUpRequested = { type: 'FOLLOW_UP_REQUESTED', ...at(REMINDER_AT) } as const;
const followUpStarted = {
  type: 'FOLLOW_UP_STARTED',
  processId: 'ehbaApplication-A-2030-DDDDDDDD',
  businessKey: 'A-2030-DDDDDDDD',
  receivedAt: REMINDER_AT,
  actor: 'system',
} as const;

const toShipped: CardEvent[] = [shipped];
const toActive: CardEvent[] = [shipped, activated];
const toExchangeRequested: CardEvent[] = [...toActive, forgotten('2026-05-01T08:00:00.000Z')];

describe('card: inProduction', () => {
  it('when a card starts, then it is "In Produktion" with the holder recorded, and nothing goes out yet', () => {
    const { run, actions } = start();
    expect(run.snapshot.value).toBe('inProduction');
    expect(label(run.snapshot)).toBe('In Produktion');
    expect(context(run)).toEqual({
      cardNumber: CARD_NUMBER,
      cardType: 'eHBA',
      applicationNumber: APPLICATION_NUMBER,
      holder,
      practiceId: 'BSNR-123456789',
      replaces: null,
      trackingId: null,
      shippedAt: null,
      validUntil: null,
      exchangeUntil: null,
      activatedAt: null,
      transportPinLetters: 0,
      blockReason: null,
      replacedBy: null,
      followUpApplication: null,
    });
    expect(actions).toEqual([]);
  });

  it('takes shipping and blocking from outside', () => {
    expect(allowed(start().run.snapshot)).toEqual(['CARD_BLOCKED', 'CARD_SHIPPED']);
  });
});

describe('card: shipped', () => {
  it('when the card is shipped, then it is "Versendet", the tracking email and Transport-PIN letter 1 go out', () => {
    const { run, actions } = send(start().run, shipped);
    expect(run.snapshot.value).toBe('shipped');
    expect(label(run.snapshot)).toBe('Versendet');
    expect(context(run)).toMatchObject({
      trackingId: 'JJD000390007123456',
      shippedAt: SHIPPED_AT,
      validUntil: VALID_UNTIL,
      exchangeUntil: EXCHANGE_UNTIL,
      transportPinLetters: 1,
    });
    expect(actions).toEqual([
      email('cardShipped', { trackingId: 'JJD000390007123456' }),
      letter(1),
    ]);
  });

  it.each([
    ['2026-03-02T09:30:00.000Z', '2031-03-02T09:30:00.000Z', '2026-09-02T09:30:00.000Z'],
    ['2028-02-29T10:00:00.000Z', '2033-02-28T10:00:00.000Z', '2028-08-29T10:00:00.000Z'],
    ['2026-08-31T08:00:00.000Z', '2031-08-31T08:00:00.000Z', '2027-02-28T08:00:00.000Z'],
    ['2027-08-31T08:00:00.000Z', '2032-08-31T08:00:00.000Z', '2028-02-29T08:00:00.000Z'],
    ['2026-12-31T23:30:00.000Z', '2031-12-31T23:30:00.000Z', '2027-06-30T23:30:00.000Z'],
  ])(
    'when shipped at %s, then the certificates end %s (5 calendar years) and the exchange period %s (6 months)',
    (shippedAt, validUntil, exchangeUntil) => {
      const { run } = send(start().run, { ...shipped, receivedAt: shippedAt });
      expect(context(run)).toMatchObject({ shippedAt, validUntil, exchangeUntil });
    },
  );

  it('when the Transport-PIN letter is asked for again, then letter 2 and 3 go out and nothing else', () => {
    const second = send(walk(toShipped), {
      type: 'TRANSPORT_PIN_RESEND_REQUESTED',
      ...at('2026-03-05T08:00:00.000Z'),
    });
    expect(second.run.snapshot.value).toBe('shipped');
    expect(second.actions).toEqual([letter(2)]);
    expect(context(second.run).transportPinLetters).toBe(2);
    const third = send(second.run, {
      type: 'TRANSPORT_PIN_RESEND_REQUESTED',
      ...at('2026-03-06T08:00:00.000Z'),
    });
    expect(third.actions).toEqual([letter(3)]);
    expect(third.run.snapshot.value).toBe('shipped');
  });

  it('takes activation, a new Transport-PIN letter and blocking from outside', () => {
    expect(allowed(walk(toShipped).snapshot)).toEqual([
      'CARD_ACTIVATED',
      'CARD_BLOCKED',
      'TRANSPORT_PIN_RESEND_REQUESTED',
    ]);
  });
});

describe('card: active', () => {
  it('when the card is activated, then it is "Freigeschaltet", the holder is told until when, and both timers are set', () => {
    const { run, actions } = send(walk(toShipped), activated);
    expect(run.snapshot.value).toBe('active');
    expect(label(run.snapshot)).toBe('Freigeschaltet');
    expect(context(run).activatedAt).toBe(ACTIVATED_AT);
    expect(actions.filter((a) => a.type !== 'xstate.raise')).toEqual([
      email('cardActivated', { validUntil: VALID_UNTIL }),
    ]);
    expect(actions.filter((a) => a.type === 'xstate.raise')).toHaveLength(2);
    expect(dueTimes(actions, ACTIVATED_AT)).toEqual({
      renewalReminder: REMINDER_AT,
      certificateExpiry: VALID_UNTIL,
    });
    // exactly validUntil − 90 days after activation, and validUntil after it
    expect(run.timers.get(timerId(run, 'renewalReminder'))).toBe(
      Date.parse(VALID_UNTIL) - 90 * DAY - Date.parse(ACTIVATED_AT),
    );
    expect(run.timers.get(timerId(run, 'certificateExpiry'))).toBe(
      Date.parse(VALID_UNTIL) - Date.parse(ACTIVATED_AT),
    );
  });

  it('counts both timers from the shipping date, whenever the card is activated', () => {
    const late = '2027-11-20T07:15:00.000Z';
    const { actions } = send(walk(toShipped), { type: 'CARD_ACTIVATED', ...at(late) });
    expect(dueTimes(actions, late)).toEqual({
      renewalReminder: REMINDER_AT,
      certificateExpiry: VALID_UNTIL,
    });
  });

  it('when activated only after the reminder date, then the renewal reminder is due at once', () => {
    const late = '2031-01-15T08:00:00.000Z';
    const { run } = send(walk(toShipped), { type: 'CARD_ACTIVATED', ...at(late) });
    expect(run.timers.get(timerId(run, 'renewalReminder'))).toBe(0);
    expect(run.timers.get(timerId(run, 'certificateExpiry'))).toBe(
      Date.parse(VALID_UNTIL) - Date.parse(late),
    );
  });

  it('when the card is active, then a Transport-PIN letter can no longer be asked for', () => {
    const active = walk(toActive);
    const resend = {
      type: 'TRANSPORT_PIN_RESEND_REQUESTED',
      ...at('2026-04-01T08:00:00.000Z'),
    } as const;
    expect(active.snapshot.can(resend)).toBe(false);
    expect(allowed(active.snapshot)).not.toContain('TRANSPORT_PIN_RESEND_REQUESTED');
    const { run, actions } = send(active, resend);
    expect(actions).toEqual([]);
    expect(context(run).transportPinLetters).toBe(1);
  });

  it('when the renewal reminder is due, then the "Folgekarte beantragen" email goes out and the card stays active', () => {
    const active = walk(toActive);
    const expiry = timerId(active, 'certificateExpiry');
    const { run, actions } = fire(active, 'renewalReminder', REMINDER_AT);
    expect(run.snapshot.value).toBe('active');
    expect(actions).toEqual([email('renewalReminder', { validUntil: VALID_UNTIL })]);
    expect([...run.timers.keys()]).toEqual([expiry]); // the expiry keeps its time
  });

  it('when the certificates end, then it is "Abgelaufen" (final) and the holder is told', () => {
    const reminded = fire(walk(toActive), 'renewalReminder', REMINDER_AT).run;
    const { run, actions } = fire(reminded, 'certificateExpiry', VALID_UNTIL);
    expect(run.snapshot.value).toBe('expired');
    expect(run.snapshot.status).toBe('done');
    expect(label(run.snapshot)).toBe('Abgelaufen');
    expect(actions.filter((a) => a.type !== 'xstate.cancel')).toEqual([
      email('cardExpired', { validUntil: VALID_UNTIL }),
    ]);
    expect(run.timers.size).toBe(0);
  });

  it('takes the forgotten password, the follow-up application and blocking from outside', () => {
    expect(allowed(walk(toActive).snapshot)).toEqual([
      'ACTIVATION_PASSWORD_FORGOTTEN',
      'CARD_BLOCKED',
      'FOLLOW_UP_REQUESTED',
    ]);
  });
});

describe('card: forgotten activation password', () => {
  it.each(['2026-03-10T12:00:01.000Z', '2026-09-02T09:29:59.999Z'])(
    'when it is forgotten at %s (before the 6 months end), then it is "Austausch beantragt" and the card’s timers stop',
    (when) => {
      const active = walk(toActive);
      const { run, actions } = send(active, forgotten(when));
      expect(run.snapshot.value).toBe('exchangeRequested');
      expect(label(run.snapshot)).toBe('Austausch beantragt');
      expect(actions.filter((a) => a.type !== 'xstate.cancel')).toEqual([
        email('exchangeRequested'),
      ]);
      expect(actions.filter((a) => a.type === 'xstate.cancel')).toEqual(
        expect.arrayContaining([...active.timers.keys()].map(cancel)),
      );
      expect(run.timers.size).toBe(0);
    },
  );

  it.each([EXCHANGE_UNTIL, '2026-09-03T09:30:00.000Z', '2029-01-01T00:00:00.000Z'])(
    'when it is forgotten at %s (6 months after shipping or later), then it is refused with 409: an Ersatzkarte needs a new application',
    (when) => {
      const active = walk(toActive);
      const { run, actions } = send(active, forgotten(when));
      expect(run.snapshot.value).toBe('active');
      expect(run.snapshot.context).toEqual(active.snapshot.context);
      expect(actions).toEqual([
        rejected(
          'Die kostenlose Austauschkarte ist nur bis 6 Monate nach dem Versand möglich ' +
            '(bis 2026-09-02). Bitte beantragen Sie eine Ersatzkarte mit einem neuen Antrag.',
        ),
      ]);
      expect(actions).toEqual([rejected(/Ersatzkarte/)]);
      expect(run.timers).toEqual(active.timers); // the card's timers keep running
    },
  );
});

describe('card: exchange card', () => {
  const exchangeShipped = {
    type: 'CARD_SHIPPED',
    trackingId: 'JJD000390007999999',
    ...at('2026-05-20T10:00:00.000Z'),
  } as const;
  const exchangeInput = {
    cardNumber: 'K-2026-7K3M9QXT-2',
    cardType: 'eHBA',
    applicationNumber: APPLICATION_NUMBER,
    holder,
    practiceId: 'BSNR-123456789',
    replaces: CARD_NUMBER,
    shipment: { trackingId: 'JJD000390007999999', shippedAt: '2026-05-20T10:00:00.000Z' },
  };

  it('when the exchange card is shipped, then this card is "Ersetzt" (final) and the exchange card’s process starts', () => {
    const { run, actions } = send(walk(toExchangeRequested), exchangeShipped);
    expect(run.snapshot.value).toBe('replaced');
    expect(run.snapshot.status).toBe('done');
    expect(label(run.snapshot)).toBe('Ersetzt');
    expect(context(run).replacedBy).toBe('K-2026-7K3M9QXT-2');
    expect(actions).toEqual([
      { type: 'startProcess', params: { type: 'card', input: exchangeInput } },
    ]);
    expect(cardInputSchema.parse(exchangeInput)).toEqual(exchangeInput);
  });

  it('when an exchange card starts with its shipment, then it is "Versendet" at once with tracking email and letter 1', () => {
    const { run, actions } = start(cardInputSchema.parse(exchangeInput));
    expect(run.snapshot.value).toBe('shipped');
    expect(label(run.snapshot)).toBe('Versendet');
    expect(context(run)).toMatchObject({
      cardNumber: 'K-2026-7K3M9QXT-2',
      replaces: CARD_NUMBER,
      trackingId: 'JJD000390007999999',
      shippedAt: '2026-05-20T10:00:00.000Z',
      validUntil: '2031-05-20T10:00:00.000Z',
      exchangeUntil: '2026-11-20T10:00:00.000Z',
      transportPinLetters: 1,
    });
    const exchangeMail = { ...mail, cardNumber: 'K-2026-7K3M9QXT-2' };
    expect(actions).toEqual([
      {
        type: 'sendCardEmail',
        params: { ...exchangeMail, template: 'cardShipped', trackingId: 'JJD000390007999999' },
      },
      { type: 'sendTransportPinLetter', params: { ...exchangeMail, letter: 1 } },
    ]);
    expect(allowed(run.snapshot)).toEqual([
      'CARD_ACTIVATED',
      'CARD_BLOCKED',
      'TRANSPORT_PIN_RESEND_REQUESTED',
    ]);
  });

  it('when an exchange card is exchanged in turn, then the next one is -3 and replaces the -2', () => {
    const second = cardInputSchema.parse(exchangeInput);
    const events: CardEvent[] = [
      { type: 'CARD_ACTIVATED', ...at('2026-05-25T08:00:00.000Z') },
      forgotten('2026-06-01T08:00:00.000Z'),
    ];
    const { run, actions } = send(walk(events, second), {
      type: 'CARD_SHIPPED',
      trackingId: 'T-3',
      ...at('2026-06-15T08:00:00.000Z'),
    });
    expect(run.snapshot.value).toBe('replaced');
    expect(actions.map((a) => a.type)).toEqual(['startProcess']);
    const params = actions[0]?.params as { type: string; input: Record<string, unknown> };
    expect(params.input).toMatchObject({
      cardNumber: 'K-2026-7K3M9QXT-3',
      replaces: 'K-2026-7K3M9QXT-2',
      shipment: { trackingId: 'T-3', shippedAt: '2026-06-15T08:00:00.000Z' },
    });
    expect(cardInputSchema.safeParse(params.input).error).toBeUndefined();
  });

  it('takes only the exchange card’s shipping and blocking in "Austausch beantragt"', () => {
    expect(allowed(walk(toExchangeRequested).snapshot)).toEqual(['CARD_BLOCKED', 'CARD_SHIPPED']);
  });
});

describe('card: follow-up application', () => {
  const applicationInput = {
    cardType: 'eHBA',
    title: 'Dr. med.',
    firstName: 'Erika',
    lastName: 'Mustermann',
    birthDate: '1975-03-14',
    email: 'erika.mustermann@praxis.example',
    chamber: 'Ärztekammer Nordrhein',
    address: { ...address, country: 'DE' },
    practiceId: 'BSNR-123456789',
    followUpOf: CARD_NUMBER,
  };

  it('when a follow-up is requested, then an application starts prefilled with the holder and asks for a reply', () => {
    const active = fire(walk(toActive), 'renewalReminder', REMINDER_AT).run;
    const { run, actions } = send(active, followUpRequested);
    expect(run.snapshot.value).toBe('active');
    expect(actions).toEqual([
      {
        type: 'startProcess',
        params: { type: 'ehbaApplication', input: applicationInput, reply: 'FOLLOW_UP_STARTED' },
      },
    ]);
    // The application of today takes it too (an Anrede it did not know is none).
    expect(ehbaApplicationInputSchema.parse(applicationInput)).toEqual({
      ...applicationInput,
      salutation: null,
    });
  });

  it('starts an application that knows the card it follows up', () => {
    const { actions } = send(walk(toActive), followUpRequested);
    const { input: started } = actions[0]!.params as { input: object };
    const [application] = initialTransition(
      ehbaApplicationProcess.machine,
      ehbaApplicationInputSchema.parse({ ...started, applicationNumber: 'A-2030-DDDDDDDD' }),
    );
    expect(application.value).toBe('inProgress');
    expect(application.context as EhbaApplicationContext).toMatchObject({
      followUpOf: CARD_NUMBER,
      cardType: 'eHBA',
      practiceId: 'BSNR-123456789',
    });
  });

  it('when the holder has no title and no practice, then the application input leaves them out and still parses', () => {
    const plain = cardInputSchema.parse({
      ...input,
      holder: { ...holder, title: null },
      practiceId: undefined,
    });
    const { actions } = send(walk(toActive, plain), followUpRequested);
    const { input: started } = actions[0]!.params as { input: Record<string, unknown> };
    expect(started).not.toHaveProperty('title');
    expect(started).not.toHaveProperty('practiceId');
    expect(ehbaApplicationInputSchema.safeParse(started).error).toBeUndefined();
  });

  it('when the application runs, then the card records it, and a second request is refused with 409', () => {
    const requested = send(walk(toActive), followUpRequested).run;
    const { run, actions } = send(requested, followUpStarted);
    expect(actions).toEqual([]);
    expect(run.snapshot.value).toBe('active');
    expect(context(run).followUpApplication).toEqual({
      processId: 'ehbaApplication-A-2030-DDDDDDDD',
      businessKey: 'A-2030-DDDDDDDD',
    });
    const again = send(run, followUpRequested);
    expect(again.actions).toEqual([rejected('Der Folgeantrag A-2030-DDDDDDDD läuft bereits.')]);
    expect(again.run.snapshot.context).toEqual(run.snapshot.context);
  });

  it('is only offered to an active card, and its reply is no outside event', () => {
    expect(walk(toShipped).snapshot.can(followUpRequested)).toBe(false);
    expect(start().run.snapshot.can(followUpRequested)).toBe(false);
    expect(cardProcess.events).not.toHaveProperty('FOLLOW_UP_STARTED');
  });
});

describe('card: blocking', () => {
  const live: [string, () => Run][] = [
    ['inProduction', () => start().run],
    ['shipped', () => walk(toShipped)],
    ['active', () => walk(toActive)],
    ['exchangeRequested', () => walk(toExchangeRequested)],
  ];

  it('covers every state that is not final', () => {
    const states = getStateNodes(machine.root)
      .filter((node) => node.type !== 'final')
      .map((node) => node.key);
    expect(live.map(([state]) => state).sort()).toEqual(states.sort());
  });

  it.each(live)(
    'when the card is blocked in %s, then it is "Gesperrt" (final), the holder is told why, and nothing follows',
    (state, reach) => {
      const run = reach();
      expect(run.snapshot.value).toBe(state);
      const { run: blocked, actions } = send(run, {
        type: 'CARD_BLOCKED',
        reason: 'Karte verloren',
        ...at('2026-08-01T08:00:00.000Z'),
      });
      expect(blocked.snapshot.value).toBe('blocked');
      expect(blocked.snapshot.status).toBe('done');
      expect(label(blocked.snapshot)).toBe('Gesperrt');
      expect(context(blocked).blockReason).toBe('Karte verloren');
      expect(actions.filter((a) => a.type !== 'xstate.cancel')).toEqual([
        email('cardBlocked', { reason: 'Karte verloren' }),
      ]);
      expect(blocked.timers.size).toBe(0); // no reminder or expiry email after blocking
      expect(allowed(blocked.snapshot)).toEqual([]);
    },
  );
});

describe('card: final states', () => {
  const finals: [string, () => Run][] = [
    ['replaced', () => walk([...toExchangeRequested, shipped])],
    ['blocked', () => walk([{ type: 'CARD_BLOCKED', reason: 'defekt', ...at(SHIPPED_AT) }])],
    ['expired', () => fire(walk(toActive), 'certificateExpiry', VALID_UNTIL).run],
  ];

  it('are exactly the final states of the machine', () => {
    const states = getStateNodes(machine.root)
      .filter((node) => node.type === 'final')
      .map((node) => node.key);
    expect(finals.map(([state]) => state).sort()).toEqual(states.sort());
  });

  it.each(finals)(
    '%s is done: the interpreter takes no event and no timer is left',
    (state, reach) => {
      const run = reach();
      expect(run.snapshot.value).toBe(state);
      expect(run.snapshot.status).toBe('done');
      expect(allowed(run.snapshot)).toEqual([]);
      expect(run.timers.size).toBe(0);
    },
  );
});

describe('card: labels', () => {
  it('shows the German label of PROCESSES.md for every state', () => {
    const paths = getStateNodes(machine.root).map((node) => node.path.join('.'));
    const labels = Object.fromEntries(paths.map((path) => [path, labelOf(machine, path)]));
    expect(labels).toEqual({
      inProduction: 'In Produktion',
      shipped: 'Versendet',
      active: 'Freigeschaltet',
      exchangeRequested: 'Austausch beantragt',
      replaced: 'Ersetzt',
      blocked: 'Gesperrt',
      expired: 'Abgelaufen',
    });
  });
});

describe('card: path coverage (@xstate/graph)', () => {
  // One or more valid events of every type the outside world may send, as the interpreter
  // hands them over (with receivedAt and actor), and the reply of the follow-up's start.
  const external: { [K in Exclude<CardEvent['type'], 'FOLLOW_UP_STARTED'>]: CardEvent[] } = {
    CARD_SHIPPED: [shipped],
    TRANSPORT_PIN_RESEND_REQUESTED: [
      { type: 'TRANSPORT_PIN_RESEND_REQUESTED', ...at('2026-03-05T08:00:00.000Z') },
    ],
    CARD_ACTIVATED: [activated],
    ACTIVATION_PASSWORD_FORGOTTEN: [
      forgotten('2026-05-01T08:00:00.000Z'),
      forgotten('2026-10-01T08:00:00.000Z'), // after the exchange period
    ],
    FOLLOW_UP_REQUESTED: [followUpRequested],
    CARD_BLOCKED: [{ type: 'CARD_BLOCKED', reason: 'verloren', ...at('2026-08-01T08:00:00.000Z') }],
  };
  const internal: CardEvent[] = [followUpStarted];

  /** The timers of the active states, as the interpreter sends them when they fire. */
  const timersOf = (snapshot: Snapshot): AnyEventObject[] =>
    snapshot._nodes.flatMap((node) =>
      node.after.map((t) => ({ type: t.eventType, receivedAt: VALID_UNTIL, actor: 'timer' })),
    );

  /** What the interpreter would take now: nothing once done, otherwise what `can` allows. */
  const events = (snapshot: Snapshot): AnyEventObject[] =>
    snapshot.status !== 'active'
      ? []
      : [...Object.values(external).flat(), ...internal, ...timersOf(snapshot)].filter((event) =>
          snapshot.can(event),
        );

  /** `<source> <event> #<branch>` of the transition an event takes from a snapshot. */
  const transitionKey = (snapshot: Snapshot, event: AnyEventObject) =>
    machine
      .getTransitionData(snapshot, event)
      .map(
        (t) =>
          `${t.source.id} ${t.eventType} #${t.source.transitions.get(t.eventType)?.indexOf(t)}`,
      )
      .join(', ');

  // A vertex is a state, whether a follow-up runs (it decides a guard), and the transition that
  // led there: every transition the machine takes ends at least one shortest path.
  const serializeState = (snapshot: Snapshot, event?: AnyEventObject, prev?: Snapshot) =>
    JSON.stringify([
      snapshot.value,
      (snapshot.context as CardContext).followUpApplication !== null,
      event && prev ? transitionKey(prev, event) : null,
    ]);

  const exchangeCard = cardInputSchema.parse({
    ...input,
    cardNumber: 'K-2026-7K3M9QXT-2',
    replaces: CARD_NUMBER,
    shipment: { trackingId: 'T-2', shippedAt: SHIPPED_AT },
  });
  const runs = [input, exchangeCard].map((startInput) => ({
    startInput,
    paths: getShortestPaths(machine, { input: startInput, events, serializeState }),
  }));
  const paths = runs.flatMap((run) => run.paths);

  const allTransitions = [machine.root, ...getStateNodes(machine.root)].flatMap((node) => [
    ...[...node.transitions].flatMap(([eventType, branches]) =>
      branches.map((_, i) => `${node.id} ${eventType} #${i}`),
    ),
    ...(node.always ?? []).map((_, i) => `${node.id} always #${i}`),
  ]);
  /** Each step of each path: the event and the transition it took from the step before. */
  const steps = paths.flatMap((path) =>
    path.steps.slice(1).map((step, i) => ({
      event: step.event,
      key: transitionKey(path.steps[i]!.state, step.event),
    })),
  );

  it('reaches every state node of the machine, and those are the states of PROCESSES.md', () => {
    const reached = new Set(paths.flatMap((path) => path.state._nodes.map((node) => node.id)));
    const all = [machine.root, ...getStateNodes(machine.root)].map((node) => node.id);
    expect([...reached].sort()).toEqual(all.sort());
    expect([...reached].sort()).toEqual(
      [
        'card',
        'card.inProduction',
        'card.shipped',
        'card.active',
        'card.exchangeRequested',
        'card.replaced',
        'card.blocked',
        'card.expired',
      ].sort(),
    );
  });

  it('ends in every final state', () => {
    const done = new Set(
      paths.filter((path) => path.state.status === 'done').map((path) => path.state.value),
    );
    expect([...done].sort()).toEqual(['blocked', 'expired', 'replaced']);
  });

  it('takes every external event type on some path, and every transition of the machine', () => {
    const takenTypes = new Set(steps.filter((s) => s.key !== '').map((s) => s.event.type));
    for (const type of Object.keys(cardProcess.events)) {
      expect(takenTypes.has(type), type).toBe(true);
    }
    expect(Object.keys(external).sort()).toEqual(Object.keys(cardProcess.events).sort());

    const taken = new Set(steps.flatMap((s) => s.key.split(', ')));
    // The eventless move: an exchange card's input passes inProduction straight to shipped.
    const initial = machine.root.states[machine.root.initial.target[0]!.key]!;
    for (const { startInput } of runs) {
      const [first] = initialTransition(machine, startInput);
      (initial.always ?? []).forEach((t, i) => {
        if (t.target?.some((target) => first._nodes.includes(target))) {
          taken.add(`${initial.id} always #${i}`);
        }
      });
    }
    expect(allTransitions).toHaveLength(13);
    expect([...taken].sort()).toEqual([...allTransitions].sort());
  });

  it('reaches "Ersetzt" the shortest way through shipping, activation and a forgotten password', () => {
    const toReplaced = getShortestPaths(machine, {
      input,
      events,
      serializeState,
      toState: (snapshot) => snapshot.value === 'replaced',
    });
    expect(toReplaced.length).toBeGreaterThan(0);
    expect(toReplaced.every((path) => path.state.value === 'replaced')).toBe(true);
    const [shortest] = toReplaced.sort((a, b) => a.weight - b.weight);
    expect(shortest!.steps.slice(1).map((step) => step.event.type)).toEqual([
      'CARD_SHIPPED',
      'CARD_ACTIVATED',
      'ACTIVATION_PASSWORD_FORGOTTEN',
      'CARD_SHIPPED',
    ]);
  });
});
