import { getShortestPaths, getStateNodes } from '@xstate/graph';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { describe, expect, it } from 'vitest';
import { cardProcessV2 } from '../../machines/card-v2.js';
import {
  cardV2InputSchema,
  type CardV2Context,
  type CardV2Event,
  type CardV2Input,
} from '../../machines/card-v2.schema.js';
import { ehbaApplicationInputSchema } from '../../machines/ehba-application.schema.js';
import { notAllowedDetail } from '../../workflows/interpreter/refusals.js';
import { allowedEvents, labelOf, leafPaths, redact } from '../../workflows/interpreter/view.js';
import { machineHarness, type Run } from '../support/machine-harness.js';

/**
 * Card version 2 (PROCESSES.md §3, seed 003) as a pure machine: the Kennwort für die
 * Freischaltung only as a hash, forgotten only before the Freischaltung; production's
 * Transport-PIN letter kept sealed while a resend is possible and destroyed the moment it is
 * not; the 5-year end for every card, activated or not; holder data that change.
 */

const machine = cardProcessV2.machine;
type Snapshot = AnyMachineSnapshot;

const SHIPPED_AT = '2026-03-02T09:30:00.000Z';
const ACTIVATED_AT = '2026-03-10T12:00:00.000Z';
const VALID_UNTIL = '2031-03-02T09:30:00.000Z';
const CARD_NUMBER = 'K-2026-7K3M9QXT-1';
const LETTER = 'TP-AAAAAAAAAAAAAAAAAAAAAA';
const NEXT_LETTER = 'TP-BBBBBBBBBBBBBBBBBBBBBB';
const KENNWORT = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo';
const NEW_KENNWORT =
  '$argon2id$v=19$m=19456,t=2,p=1$bmV1bmV1bmV1bmV1$bmV1ZXNLZW5ud29ydG5ldWVzS2Vubndv';

const at = (receivedAt: string) => ({ receivedAt, actor: 'key-1' }) as const;

const address = {
  name: 'Dr. med. Erika Mustermann',
  street: 'Heidestraße 17',
  postcode: '51147',
  city: 'Köln',
};
const input = cardV2InputSchema.parse({
  cardNumber: CARD_NUMBER,
  cardType: 'eHBA',
  applicationNumber: 'A-2026-7K3M9QXT',
  holder: {
    salutation: 'Frau',
    title: 'Dr. med.',
    firstName: 'Erika',
    lastName: 'Mustermann',
    birthDate: '1975-03-14',
    email: 'erika.mustermann@praxis.example',
    chamber: 'Ärztekammer Nordrhein',
    address,
  },
  practiceId: 'BSNR-123456789',
  activationPasswordHash: KENNWORT,
});
const mail = { cardNumber: CARD_NUMBER, cardType: 'eHBA', holder: input.holder } as const;

const harness = machineHarness(machine);
const start = (startInput: CardV2Input = input) => harness.start(startInput);
const send = (run: Run, event: CardV2Event | AnyEventObject) => harness.send(run, event);
const walk = (events: readonly (CardV2Event | AnyEventObject)[], startInput = input): Run =>
  events.reduce((run, event) => send(run, event).run, start(startInput).run);
const context = (run: Run) => run.snapshot.context as CardV2Context;
const label = (snapshot: Snapshot) =>
  leafPaths(snapshot.value)
    .map((path) => labelOf(machine, path))
    .join(' / ');
const allowed = (snapshot: Snapshot) =>
  allowedEvents(snapshot, Object.keys(cardProcessV2.events)).sort();
const effects = (actions: readonly { type: string }[]) =>
  actions.filter((a) => !a.type.startsWith('xstate.'));

const shipped = {
  type: 'CARD_SHIPPED',
  trackingId: 'JJD000390007123456',
  transportPinLetterId: LETTER,
  ...at(SHIPPED_AT),
} as const;
const activated = { type: 'CARD_ACTIVATED', ...at(ACTIVATED_AT) } as const;
const resend = (when: string) => ({ type: 'TRANSPORT_PIN_RESEND_REQUESTED', ...at(when) }) as const;
const forgotten = {
  type: 'ACTIVATION_PASSWORD_FORGOTTEN',
  activationPasswordHash: NEW_KENNWORT,
  ...at('2026-03-05T08:00:00.000Z'),
} as const;
const letterLost = {
  type: 'TRANSPORT_PIN_LETTER_LOST',
  ...at('2027-01-05T08:00:00.000Z'),
} as const;
const forward = (letter: number) => ({
  type: 'forwardTransportPinLetter',
  params: { ...mail, letterId: LETTER, letter },
});
const destroy = { type: 'destroyTransportPinLetter', params: { letterId: LETTER } };
const rejected = (path: string, detail: RegExp) => ({
  type: 'xstate.emit',
  params: { event: { type: 'rejected', status: 422, path, detail: expect.stringMatching(detail) } },
});

describe('card v2: production hands over the letter', () => {
  it('when the card ships with the sealed letter, then tracking goes by email, the letter by post, and the 5-year end is set', () => {
    const { run, actions } = send(start().run, shipped);
    expect(run.snapshot.value).toBe('shipped');
    expect(label(run.snapshot)).toBe('Versendet');
    expect(effects(actions)).toEqual([
      {
        type: 'sendCardEmail',
        params: { ...mail, template: 'cardShipped', trackingId: 'JJD000390007123456' },
      },
      forward(1),
    ]);
    expect(context(run)).toMatchObject({
      shippedAt: SHIPPED_AT,
      validUntil: VALID_UNTIL,
      transportPinLetterId: LETTER,
      lettersSent: 1,
    });
  });

  it('when production ships without the letter, then the shipment is refused (422 naming transportPinLetter) and nothing changes', () => {
    const before = start().run;
    const { run, actions } = send(before, {
      type: 'CARD_SHIPPED',
      trackingId: 'X',
      ...at(SHIPPED_AT),
    });
    expect(run.snapshot.value).toBe('inProduction');
    expect(actions).toEqual([rejected('transportPinLetter', /Transport-PIN-Briefs/)]);
  });

  it('when the card is shipped, the view never shows the letter id or the Kennwort hash', () => {
    const shown = JSON.stringify(redact(walk([shipped]).snapshot.context, cardProcessV2.redact));
    expect(shown).not.toContain(LETTER);
    expect(shown).not.toContain('argon2');
    expect(shown).toContain('JJD000390007123456');
  });
});

describe('card v2: Versendet', () => {
  it('when a resend is asked for, then the same sealed letter goes again (letter 2) and nothing is destroyed', () => {
    const { run, actions } = send(walk([shipped]), resend('2026-03-04T08:00:00.000Z'));
    expect(run.snapshot.value).toBe('shipped');
    expect(effects(actions)).toEqual([forward(2)]);
    expect(context(run).transportPinLetterId).toBe(LETTER);
  });

  it('when the card is freigeschaltet, then the certificates are published, the sealed letter is destroyed, and resends are over', () => {
    const { run, actions } = send(walk([shipped]), activated);
    expect(run.snapshot.value).toBe('active');
    expect(label(run.snapshot)).toBe('Freigeschaltet');
    expect(effects(actions)).toEqual([
      destroy,
      {
        type: 'sendCardEmail',
        params: { ...mail, template: 'cardActivated', validUntil: VALID_UNTIL },
      },
    ]);
    expect(context(run)).toMatchObject({
      activatedAt: ACTIVATED_AT,
      certificatesPublishedAt: ACTIVATED_AT,
      transportPinLetterId: null,
    });
  });

  it('when the Kennwort is forgotten before the Freischaltung, then an exchange card is applied for with the new Kennwort, and the old letter is destroyed', () => {
    const { run, actions } = send(walk([shipped]), forgotten);
    expect(run.snapshot.value).toBe('exchangeRequested');
    expect(label(run.snapshot)).toBe('Austausch-/Ersatzkarte beantragt');
    expect(effects(actions)).toEqual([
      destroy,
      {
        type: 'sendCardEmail',
        params: { ...mail, template: 'exchangeRequested', reason: 'activationPasswordForgotten' },
      },
    ]);
    expect(context(run).exchange).toEqual({
      reason: 'activationPasswordForgotten',
      requestedAt: forgotten.receivedAt,
      activationPasswordHash: NEW_KENNWORT,
    });
    // Operators see why; nobody sees the new Kennwort's hash.
    expect(redact(run.snapshot.context, cardProcessV2.redact).exchange).toEqual({
      reason: 'activationPasswordForgotten',
      requestedAt: forgotten.receivedAt,
    });
  });

  it('when the Kennwort is forgotten without a new one for the exchange card, then 422 names activationPassword and the card stays shipped', () => {
    const { run, actions } = send(walk([shipped]), {
      type: 'ACTIVATION_PASSWORD_FORGOTTEN',
      ...at('2026-03-05T08:00:00.000Z'),
    });
    expect(run.snapshot.value).toBe('shipped');
    expect(actions).toEqual([rejected('activationPassword', /neues Kennwort/)]);
  });

  it('when the holder changes email and address, then later messages go there', () => {
    const moved = { ...address, street: 'Lindenallee 3', postcode: '50968' };
    const { run, actions } = send(walk([shipped]), {
      type: 'HOLDER_DATA_CHANGED',
      email: 'e.mustermann@neu.example',
      address: moved,
      ...at('2026-03-03T08:00:00.000Z'),
    });
    expect(effects(actions)).toEqual([]);
    expect(context(run).holder).toMatchObject({
      email: 'e.mustermann@neu.example',
      address: moved,
    });
    const again = send(run, resend('2026-03-04T08:00:00.000Z'));
    expect(effects(again.actions)[0]).toMatchObject({
      params: { holder: { address: moved }, letter: 2 },
    });
  });

  it('when a card is never freigeschaltet, then it still expires at the 5-year end, and its letter is destroyed', () => {
    const run = walk([shipped]);
    const id = harness.timerId(run, 'certificateExpiry');
    expect(run.timers.get(id)).toBe(Date.parse(VALID_UNTIL) - Date.parse(SHIPPED_AT));
    const { run: expired, actions } = harness.fire(run, 'certificateExpiry', VALID_UNTIL);
    expect(expired.snapshot.value).toBe('expired');
    expect(effects(actions)).toEqual([
      destroy,
      {
        type: 'sendCardEmail',
        params: { ...mail, template: 'cardExpired', validUntil: VALID_UNTIL, activated: false },
      },
    ]);
  });

  it('when a shipped card is blocked, then its letter is destroyed too', () => {
    const { run, actions } = send(walk([shipped]), {
      type: 'CARD_BLOCKED',
      reason: 'Karte verloren.',
      ...at('2026-03-04T08:00:00.000Z'),
    });
    expect(run.snapshot.value).toBe('blocked');
    expect(effects(actions)[0]).toEqual(destroy);
  });
});

describe('card v2: Freigeschaltet', () => {
  const active = () => walk([shipped, activated]);

  it('when a resend or a forgotten Kennwort is asked for, then neither is allowed and the reason says to apply for an exchange card', () => {
    const snapshot = active().snapshot;
    expect(allowed(snapshot)).toEqual([
      'CARD_BLOCKED',
      'FOLLOW_UP_REQUESTED',
      'HOLDER_DATA_CHANGED',
      'TRANSPORT_PIN_LETTER_LOST',
    ]);
    expect(notAllowedDetail(snapshot, 'TRANSPORT_PIN_RESEND_REQUESTED')).toMatch(
      /nach der Freischaltung nicht mehr möglich: Austausch- oder Ersatzkarte beantragen/,
    );
    expect(notAllowedDetail(snapshot, 'ACTIVATION_PASSWORD_FORGOTTEN')).toMatch(
      /bereits freigeschaltet.*Austausch- oder Ersatzkarte beantragen/,
    );
  });

  it('when the Transport-PIN letter is lost, then an exchange card is applied for with the same Kennwort, and nothing is left to destroy', () => {
    const { run, actions } = send(active(), letterLost);
    expect(run.snapshot.value).toBe('exchangeRequested');
    expect(effects(actions)).toEqual([
      {
        type: 'sendCardEmail',
        params: { ...mail, template: 'exchangeRequested', reason: 'transportPinLetterLost' },
      },
    ]);
    expect(context(run).exchange).toMatchObject({
      reason: 'transportPinLetterLost',
      activationPasswordHash: KENNWORT,
    });
  });

  it('when the holder asks for the follow-up card, then the application starts prefilled with the Anrede', () => {
    const { actions } = send(active(), { type: 'FOLLOW_UP_REQUESTED', ...at(ACTIVATED_AT) });
    const params = actions[0]?.params as { input: Record<string, unknown> };
    expect(params.input).toMatchObject({ salutation: 'Frau', followUpOf: CARD_NUMBER });
    expect(ehbaApplicationInputSchema.safeParse(params.input).error).toBeUndefined();
  });
});

describe('card v2: Austausch-/Ersatzkarte beantragt', () => {
  it('when the new card ships with its letter, then this card is replaced and the new one starts shipped with the new Kennwort and its own letter', () => {
    const requested = walk([shipped, forgotten]);
    const { run, actions } = send(requested, {
      type: 'CARD_SHIPPED',
      trackingId: 'EX-4711',
      transportPinLetterId: NEXT_LETTER,
      ...at('2026-04-01T08:00:00.000Z'),
    });
    expect(run.snapshot.value).toBe('replaced');
    expect(label(run.snapshot)).toBe('Ersetzt');
    const started = actions.find((a) => a.type === 'startProcess')?.params as {
      type: string;
      input: Record<string, unknown>;
    };
    expect(started.type).toBe('card');
    expect(started.input).toMatchObject({
      cardNumber: 'K-2026-7K3M9QXT-2',
      replaces: CARD_NUMBER,
      activationPasswordHash: NEW_KENNWORT,
      shipment: {
        trackingId: 'EX-4711',
        shippedAt: '2026-04-01T08:00:00.000Z',
        transportPinLetterId: NEXT_LETTER,
      },
    });
    const next = cardV2InputSchema.parse(started.input);
    const { run: nextRun, actions: nextActions } = start(next);
    expect(nextRun.snapshot.value).toBe('shipped');
    expect(effects(nextActions).map((a) => a.type)).toEqual([
      'sendCardEmail',
      'forwardTransportPinLetter',
    ]);
  });

  it('when the new card ships without its letter, then 422 names transportPinLetter and nothing starts', () => {
    const { run, actions } = send(walk([shipped, forgotten]), {
      type: 'CARD_SHIPPED',
      trackingId: 'EX-4711',
      ...at('2026-04-01T08:00:00.000Z'),
    });
    expect(run.snapshot.value).toBe('exchangeRequested');
    expect(actions).toEqual([rejected('transportPinLetter', /Transport-PIN-Briefs/)]);
  });
});

describe('card v2: path coverage (@xstate/graph)', () => {
  const external: AnyEventObject[] = [
    shipped,
    resend('2026-03-04T08:00:00.000Z'),
    activated,
    forgotten,
    letterLost,
    { type: 'HOLDER_DATA_CHANGED', email: 'neu@praxis.example', ...at(ACTIVATED_AT) },
    { type: 'FOLLOW_UP_REQUESTED', ...at(ACTIVATED_AT) },
    {
      type: 'FOLLOW_UP_STARTED',
      processId: 'ehbaApplication-A-2030-DDDDDDDD',
      businessKey: 'A-2030-DDDDDDDD',
      ...at(ACTIVATED_AT),
    },
    { type: 'CARD_BLOCKED', reason: 'verloren', ...at('2026-08-01T08:00:00.000Z') },
  ];
  const timersOf = (snapshot: Snapshot): AnyEventObject[] =>
    snapshot._nodes.flatMap((node) =>
      node.after.map((t) => ({ type: t.eventType, receivedAt: VALID_UNTIL, actor: 'timer' })),
    );
  const events = (snapshot: Snapshot): AnyEventObject[] =>
    snapshot.status !== 'active'
      ? []
      : [...external, ...timersOf(snapshot)].filter((event) => snapshot.can(event));
  const paths = getShortestPaths(machine, {
    input,
    events,
    serializeState: (snapshot) => JSON.stringify(snapshot.value),
  });

  it('reaches every state of PROCESSES.md §3', () => {
    const reached = new Set(paths.flatMap((path) => path.state._nodes.map((node) => node.id)));
    const all = [machine.root, ...getStateNodes(machine.root)].map((node) => node.id);
    expect([...reached].sort()).toEqual(all.sort());
    expect(
      all
        .map((id) => id.replace(/^card\.?/, ''))
        .filter(Boolean)
        .sort(),
    ).toEqual([
      'active',
      'blocked',
      'exchangeRequested',
      'expired',
      'inProduction',
      'replaced',
      'shipped',
    ]);
  });
});
