import {
  adjacencyMapToArray,
  getAdjacencyMap,
  getShortestPaths,
  getStateNodes,
} from '@xstate/graph';
import {
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyEventObject,
} from 'xstate';
import { describe, expect, it } from 'vitest';
import { cardProcess } from '../../machines/card.js';
import { cardInputSchema } from '../../machines/card.schema.js';
import { ehbaApplicationProcess } from '../../machines/ehba-application.js';
import {
  drawApplicationNumber,
  ehbaApplicationInputSchema,
} from '../../machines/ehba-application.schema.js';

/**
 * Path coverage of the card issuer's two machines with @xstate/graph: every state is reached
 * and every transition (every guarded branch) is taken from the events the outside world,
 * the activities and the timers can send — plus the behaviour a user sees on the way.
 */

const SHIPPED_AT = '2026-03-02T09:30:00.000Z';
const at = (iso: string) => ({ receivedAt: iso, actor: 'key-1' });
const now = at(SHIPPED_AT);
const address = {
  name: 'Dr. med. Erika Mustermann',
  street: 'Heidestraße 17',
  postcode: '51147',
  city: 'Köln',
};
const applicant = {
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email: 'erika@praxis.example',
  chamber: 'Ärztekammer Nordrhein',
  address,
};
const applicationInput = ehbaApplicationInputSchema.parse({
  cardType: 'eHBA',
  ...applicant,
  applicationNumber: 'A-2026-7K3M9QXT',
});
const cardInput = cardInputSchema.parse({
  cardNumber: 'K-2026-7K3M9QXT-1',
  cardType: 'eHBA',
  applicationNumber: 'A-2026-7K3M9QXT',
  holder: applicant,
});

/** The executed actions of a transition, by name and params. */
const named = (actions: readonly unknown[]) =>
  actions as readonly { readonly type: string; readonly params?: unknown }[];

const after = (delay: string, stateId: string) => ({ type: `xstate.after.${delay}.${stateId}` });

/** Atomic and final state ids of a machine. */
const leaves = (machine: AnyStateMachine) =>
  getStateNodes(machine.root)
    .filter((node) => node.type === 'atomic' || node.type === 'final')
    .map((node) => node.id)
    .sort();

const reached = (snapshot: AnyMachineSnapshot) =>
  snapshot._nodes
    .filter((node) => node.type === 'atomic' || node.type === 'final')
    .map((node) => node.id);

/** Every (state, event, branch) a graph walk takes, and every one the machine has. */
function coverage(
  machine: AnyStateMachine,
  runs: { input: unknown; events: AnyEventObject[] }[],
  serialize: (snapshot: AnyMachineSnapshot) => string,
) {
  const states = new Set<string>();
  const taken = new Set<string>();
  for (const { input, events } of runs) {
    const options = { input, events, serializeState: serialize };
    for (const path of getShortestPaths(machine, options)) {
      for (const id of reached(path.state)) states.add(id);
    }
    const adjacency = getAdjacencyMap(machine, options);
    for (const { state, event } of adjacencyMapToArray(adjacency)) {
      for (const t of machine.getTransitionData(state as never, event as never)) {
        taken.add(
          `${t.source.id} ${t.eventType} #${t.source.transitions.get(t.eventType)?.indexOf(t)}`,
        );
      }
    }
    // Eventless transitions are taken at the start (an exchange card begins shipped).
    const [first] = initialTransition(machine, input as never);
    for (const id of reached(first)) states.add(id);
    for (const node of getStateNodes(machine.root)) {
      for (const t of node.always ?? []) {
        if (first._nodes.includes(t.target?.[0] as never)) taken.add(`${node.id} always`);
      }
    }
  }
  const all = [machine.root, ...getStateNodes(machine.root)].flatMap((node) => [
    ...[...node.transitions].flatMap(([eventType, branches]) =>
      branches.map((_, i) => `${node.id} ${eventType} #${i}`),
    ),
    ...(node.always ?? []).map(() => `${node.id} always`),
  ]);
  return { states: [...states].sort(), taken: [...taken].sort(), all: all.sort() };
}

describe('ehbaApplication machine', () => {
  const machine = ehbaApplicationProcess.machine;
  const events = [
    { type: 'APPLICATION_UPDATED', chamber: 'Ärztekammer Westfalen-Lippe', ...now },
    { type: 'APPLICATION_SUBMITTED', ...now },
    { type: 'APPLICATION_WITHDRAWN', reason: 'doppelt', ...now },
    { type: 'DOCUMENTS_RECEIVED', ...now },
    { type: 'QUERY_RAISED', missing: ['Meldebescheinigung'], ...now },
    { type: 'DOCUMENTS_RESUBMITTED', ...now },
    { type: 'CHECK_PASSED', ...now },
    { type: 'APPLICATION_REJECTED', reason: 'signatureMismatch', ...now },
    { type: 'CHAMBER_APPROVED', ...now },
    { type: 'CHAMBER_REJECTED', reason: 'nein', ...now },
    after('draftExpiry', 'ehbaApplication.inProgress'),
    after('documentsReminder', 'ehbaApplication.submitted.awaitingDocuments'),
    after('documentsReminder', 'ehbaApplication.submitted.remindedOnce'),
    after('documentsDeadline', 'ehbaApplication.submitted'),
    after('resubmissionReminder', 'ehbaApplication.awaitingResubmission'),
    after('resubmissionDeadline', 'ehbaApplication.awaitingResubmission'),
  ] as AnyEventObject[];
  const serialize = (s: AnyMachineSnapshot) =>
    JSON.stringify([s.value, Math.min(2, (s.context as { queries: number }).queries)]);

  it('reaches every state and takes every transition from the outside events and timers', () => {
    const { states, taken, all } = coverage(
      machine,
      [{ input: applicationInput, events }],
      serialize,
    );
    expect(states).toEqual(leaves(machine));
    expect(states).toEqual(
      [
        'inProgress',
        'submitted.awaitingDocuments',
        'submitted.remindedOnce',
        'submitted.remindedTwice',
        'documentsReceived',
        'awaitingResubmission',
        'awaitingApproval',
        'approved',
        'rejected',
        'withdrawn',
        'abandoned',
        'expired',
      ]
        .map((id) => `ehbaApplication.${id}`)
        .sort(),
    );
    expect(taken).toEqual(all);
    for (const type of Object.keys(ehbaApplicationProcess.events)) {
      expect(
        taken.some((t) => t.includes(` ${type} `)),
        type,
      ).toBe(true);
    }
  });

  it('has the German label of PROCESSES.md on every state', () => {
    const labels = Object.fromEntries(
      getStateNodes(machine.root).map((node) => [node.key, node.meta?.label]),
    );
    expect(labels).toMatchObject({
      inProgress: 'Antrag in Bearbeitung',
      submitted: 'Bearbeitung beendet',
      documentsReceived: 'Eingang Antragsunterlagen',
      awaitingResubmission: 'Nachreichung angefordert',
      awaitingApproval: 'Zur Freigabe',
      approved: 'Freigegeben',
      rejected: 'Abgelehnt',
      withdrawn: 'Zurückgezogen',
      abandoned: 'Verworfen',
      expired: 'Abgelaufen',
    });
  });

  it('when the chamber approves, then the card starts under the card number with input the card accepts', () => {
    let [snapshot] = initialTransition(machine, applicationInput);
    for (const type of ['APPLICATION_SUBMITTED', 'DOCUMENTS_RECEIVED', 'CHECK_PASSED']) {
      [snapshot] = transition(machine, snapshot, { type, ...now });
    }
    const [approved, executed] = transition(machine, snapshot, {
      type: 'CHAMBER_APPROVED',
      ...now,
    });
    expect(approved.status).toBe('done');
    const start = named(executed).find((action) => action.type === 'startProcess');
    const params = start?.params as { type: string; input: { cardNumber: string } };
    expect(params.type).toBe('card');
    expect(params.input.cardNumber).toBe('K-2026-7K3M9QXT-1');
    expect(cardInputSchema.safeParse(params.input).success).toBe(true);
    expect(named(executed).map((action) => action.type)).toContain('sendApplicationEmail');
  });

  it('when changes are sent, then only the given fields change', () => {
    const [draft] = initialTransition(machine, applicationInput);
    const [changed] = transition(machine, draft, {
      type: 'APPLICATION_UPDATED',
      lastName: 'Musterfrau',
      ...now,
    });
    expect(changed.context.applicant).toEqual({
      ...draft.context.applicant,
      lastName: 'Musterfrau',
    });
  });

  it('draws application numbers readable and spread over the whole alphabet', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const numbers = Array.from({ length: 2000 }, () =>
      drawApplicationNumber(random, new Date('2026-05-01T00:00:00Z')),
    );
    for (const number of numbers) expect(number).toMatch(/^A-2026-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(new Set(numbers.join('').slice(0)).size).toBeGreaterThanOrEqual(25);
    expect(
      ehbaApplicationInputSchema.safeParse({
        ...applicationInput,
        applicationNumber: 'A-2026-000123',
      }).success,
    ).toBe(false);
  });
});

describe('card machine', () => {
  const machine = cardProcess.machine;
  const late = at('2026-09-03T09:30:00.000Z'); // 6 months and a day after shipping
  const events = [
    { type: 'CARD_SHIPPED', trackingId: 'T-1', ...now },
    { type: 'TRANSPORT_PIN_RESEND_REQUESTED', ...now },
    { type: 'CARD_ACTIVATED', ...now },
    { type: 'ACTIVATION_PASSWORD_FORGOTTEN', ...now },
    { type: 'ACTIVATION_PASSWORD_FORGOTTEN', ...late },
    { type: 'FOLLOW_UP_REQUESTED', ...now },
    {
      type: 'FOLLOW_UP_STARTED',
      processId: 'ehbaApplication-A-2031-DDDDDDDD',
      businessKey: 'A-2031-DDDDDDDD',
    },
    { type: 'CARD_BLOCKED', reason: 'verloren', ...now },
    after('renewalReminder', 'card.active'),
    after('certificateExpiry', 'card.active'),
  ] as AnyEventObject[];
  const serialize = (s: AnyMachineSnapshot) => {
    const context = s.context as { transportPinLetters: number; followUpApplication: unknown };
    return JSON.stringify([
      s.value,
      Math.min(2, context.transportPinLetters),
      context.followUpApplication !== null,
    ]);
  };
  const exchangeCard = cardInputSchema.parse({
    ...cardInput,
    cardNumber: 'K-2026-7K3M9QXT-2',
    replaces: 'K-2026-7K3M9QXT-1',
    shipment: { trackingId: 'T-2', shippedAt: SHIPPED_AT },
  });

  it('reaches every state and takes every transition, blocking from every live state', () => {
    const { states, taken, all } = coverage(
      machine,
      [
        { input: cardInput, events },
        { input: exchangeCard, events },
      ],
      serialize,
    );
    expect(states).toEqual(leaves(machine));
    expect(states).toEqual(
      ['inProduction', 'shipped', 'active', 'exchangeRequested', 'replaced', 'blocked', 'expired']
        .map((id) => `card.${id}`)
        .sort(),
    );
    expect(taken).toEqual(all);
  });

  it('when a card is blocked in any state that is not final, then it is Gesperrt for good', () => {
    const steps: Record<string, AnyEventObject[]> = {
      inProduction: [],
      shipped: [{ type: 'CARD_SHIPPED', trackingId: 'T', ...now }],
      active: [
        { type: 'CARD_SHIPPED', trackingId: 'T', ...now },
        { type: 'CARD_ACTIVATED', ...now },
      ],
      exchangeRequested: [
        { type: 'CARD_SHIPPED', trackingId: 'T', ...now },
        { type: 'CARD_ACTIVATED', ...now },
        { type: 'ACTIVATION_PASSWORD_FORGOTTEN', ...now },
      ],
    };
    const live = getStateNodes(machine.root)
      .filter((node) => node.type !== 'final')
      .map((node) => node.key);
    expect(Object.keys(steps).sort()).toEqual(live.sort());
    for (const [state, path] of Object.entries(steps)) {
      let [snapshot] = initialTransition(machine, cardInput);
      for (const event of path) [snapshot] = transition(machine, snapshot, event);
      expect(snapshot.value).toBe(state);
      const [blocked, executed] = transition(machine, snapshot, {
        type: 'CARD_BLOCKED',
        reason: 'verloren',
        ...now,
      });
      expect(blocked.value, state).toBe('blocked');
      expect(blocked.status).toBe('done');
      expect(named(executed).map((action) => action.params)).toContainEqual(
        expect.objectContaining({ template: 'cardBlocked', reason: 'verloren' }),
      );
    }
  });

  it('has the German label of PROCESSES.md on every state', () => {
    const labels = Object.fromEntries(
      getStateNodes(machine.root).map((node) => [node.key, node.meta?.label]),
    );
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

  it('when shipped and activated, then the renewal reminder is due 90 days before the 5-year end and the expiry at it', () => {
    const [produced] = initialTransition(machine, cardInput);
    const [shipped] = transition(machine, produced, {
      type: 'CARD_SHIPPED',
      trackingId: 'T',
      ...now,
    });
    expect(shipped.context.validUntil).toBe('2031-03-02T09:30:00.000Z');
    const activatedAt = '2026-03-10T12:00:00.000Z';
    const [, executed] = transition(machine, shipped, {
      type: 'CARD_ACTIVATED',
      ...at(activatedAt),
    });
    const delays = Object.fromEntries(
      named(executed)
        .filter((action) => action.type === 'xstate.raise')
        .map((action) => {
          const params = action.params as { id: string; delay: number };
          return [params.id.split('.')[2], Date.parse(activatedAt) + params.delay];
        }),
    );
    expect(new Date(delays.renewalReminder!).toISOString()).toBe('2030-12-02T09:30:00.000Z');
    expect(new Date(delays.certificateExpiry!).toISOString()).toBe('2031-03-02T09:30:00.000Z');
  });

  it('when the activation password is forgotten a day after the 6 months, then it is refused with the Ersatzkarte answer', () => {
    let [snapshot] = initialTransition(machine, cardInput);
    [snapshot] = transition(machine, snapshot, { type: 'CARD_SHIPPED', trackingId: 'T', ...now });
    [snapshot] = transition(machine, snapshot, { type: 'CARD_ACTIVATED', ...now });
    const [onTime] = transition(machine, snapshot, {
      type: 'ACTIVATION_PASSWORD_FORGOTTEN',
      ...at('2026-09-02T09:29:59.000Z'),
    });
    expect(onTime.value).toBe('exchangeRequested');
    const [refused, executed] = transition(machine, snapshot, {
      type: 'ACTIVATION_PASSWORD_FORGOTTEN',
      ...late,
    });
    expect(refused.value).toBe('active');
    const emitted = named(executed).find((action) => action.type === 'xstate.emit');
    expect(emitted?.params).toMatchObject({
      event: { type: 'rejected', status: 409, detail: expect.stringMatching(/Ersatzkarte/) },
    });
  });

  it('when the Transport-PIN letter is asked for again, then it goes only before activation', () => {
    let [snapshot] = initialTransition(machine, cardInput);
    [snapshot] = transition(machine, snapshot, { type: 'CARD_SHIPPED', trackingId: 'T', ...now });
    const [again, executed] = transition(machine, snapshot, {
      type: 'TRANSPORT_PIN_RESEND_REQUESTED',
      ...now,
    });
    const letter = named(executed).find((action) => action.type === 'sendTransportPinLetter');
    expect(letter?.params).toMatchObject({ cardNumber: 'K-2026-7K3M9QXT-1', letter: 2 });
    const [active] = transition(machine, again, { type: 'CARD_ACTIVATED', ...now });
    expect(active.can({ type: 'TRANSPORT_PIN_RESEND_REQUESTED' })).toBe(false);
  });
});
