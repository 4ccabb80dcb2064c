import { getShortestPaths, getStateNodes } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import {
  initialTransition,
  transition,
  type AnyEventObject,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
} from 'xstate';
import { createActivities } from '../../activities/index.js';
import { processExamples, type ProcessExamples } from '../../api/openapi/process-examples.js';
import type { CardEvent } from '../../machines/card.schema.js';
import type { ContactVerificationEvent } from '../../machines/contact-verification.schema.js';
import type { DocumentDeliveryEvent } from '../../machines/document-delivery.schema.js';
import type { InvitationEvent } from '../../machines/invitation.schema.js';
import type { MtanRegistrationEvent } from '../../machines/mtan-registration.schema.js';
import type { NightlyDigestEvent } from '../../machines/nightly-digest.schema.js';
import {
  CONTINUE_AS_NEW,
  START_PROCESS,
  type ProcessDefinition,
} from '../../machines/process-definition.js';
import { refusedActors } from '../../machines/promise-activity.js';
import { definitionOf, latestDefinition, processTypes } from '../../machines/registry.js';
import { labelOf } from '../../workflows/interpreter/view.js';
import { ACTION_LABELS } from '../../web/src/labels.js';
import { memoryLetterStore } from '../support/letter-store.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';

/**
 * What the interpreter needs of every registered machine, every version, checked from the
 * registry so that a new machine is covered the day it is registered: a German label on every
 * state a view can show, an activity for every named action, every state reachable by the
 * events the machine takes (@xstate/graph), and pure guards (a guard is evaluated several times
 * per event: by the validator, for the allowed events, when the event's turn comes and in the
 * transition), and only actors the engine can run durably (the registry refuses others at load).
 */

const definitions = processTypes().flatMap((type) => {
  const latest = latestDefinition(type)!.version;
  return Array.from({ length: latest }, (_, i) => definitionOf(type, i + 1)).filter(
    (definition) => definition !== undefined,
  );
});

const activityNames = new Set([
  ...Object.keys(
    createActivities({
      outbox: memoryOutbox(),
      mailer: recordingMailer().mailer,
      transportPinLetters: memoryLetterStore(),
      config: TEST_ACTIVITY_CONFIG,
    }),
  ),
  START_PROCESS,
  CONTINUE_AS_NEW,
]);

const nodesOf = (machine: AnyStateMachine): AnyStateNode[] => [
  machine.root,
  ...getStateNodes(machine.root),
];

/** The states a snapshot can be in: atomic and final ones (the others are always one of them). */
const stateNodesOf = (machine: AnyStateMachine): AnyStateNode[] =>
  nodesOf(machine).filter((node) => node.type === 'atomic' || node.type === 'final');

/** The type of an action as a state node holds it: a name, an object, or a built-in. */
function actionType(action: unknown): string | undefined {
  if (typeof action === 'string') return action;
  if ((typeof action === 'object' || typeof action === 'function') && action !== null) {
    const type = (action as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  }
  return undefined;
}

/** Every action a machine names in entries, exits, transitions and eventless transitions. */
function namedActions(machine: AnyStateMachine): Set<string> {
  // setup() declares the activities (without a body, for their params' types) beside helpers
  // that are XState's own actions (an `assign` under a name): only those are no activity.
  const builtin = (type: string): boolean =>
    actionType(machine.implementations.actions[type])?.startsWith('xstate.') ?? false;
  const names = new Set<string>();
  for (const node of nodesOf(machine)) {
    const lists: (readonly unknown[])[] = [
      node.entry,
      node.exit,
      ...[...node.transitions.values()].flat().map((t) => t.actions),
      ...(node.always ?? []).map((t) => t.actions),
    ];
    for (const action of lists.flat()) {
      const type = actionType(action);
      if (type && !type.startsWith('xstate.') && !builtin(type)) names.add(type);
    }
  }
  return names;
}

/** When every event of a walk comes: the machines read time from their events only. */
const RECEIVED_AT = '2026-12-01T09:00:00.000Z';

function reportKey({ events }: ProcessExamples): string {
  const { appointmentId, kind } = events.APPOINTMENT_RECORDED as {
    appointmentId: string;
    kind: string;
  };
  return `${appointmentId}:${kind}`;
}

/**
 * What the activities feed back, with the fields the machines' guards and assigns read (as the
 * machines' own tests send them). Events without fields (`…_ACCEPTED`, `…_REJECTED`) need none.
 */
const FEEDBACK: ReadonlyMap<string, object> = new Map(
  (
    [
      {
        type: 'REGISTRATION_LINK_ISSUED',
        tokenHash: 'token-hash',
        linkRef: 'invitation-4711:run:0:0',
      },
      { type: 'ACTIVATION_CODE_ISSUED', codeHash: 'code-hash' },
      { type: 'ACTIVATION_CODE_ACCEPTED', pinHash: '$argon2id$pin-hash' },
      {
        type: 'FOLLOW_UP_STARTED',
        processId: 'ehbaApplication-A-2030-DDDDDDDD',
        businessKey: 'A-2030-DDDDDDDD',
      },
      { type: 'CONFIRMATION_CODE_ISSUED', codeHash: 'code-hash' },
      // The overview took the example report (its key is `appointmentId:kind`).
      { type: 'DIGEST_SENT', channel: 'email', keys: [reportKey(processExamples.nightlyDigest!)] },
      { type: 'DIGEST_HELD', reason: 'Kein bestätigter Benachrichtigungskanal' },
      { type: 'DOWNLOAD_TAN_ISSUED', tanHash: 'tan-hash' },
      // The token the example download hands back.
      {
        type: 'DOWNLOAD_TAN_ACCEPTED',
        tokenHash: processExamples.documentDelivery!.events.DOCUMENT_DOWNLOADED!
          .tokenHash as string,
      },
      { type: 'MTAN_CODE_ISSUED', codeHash: 'code-hash' },
    ] satisfies (
      | InvitationEvent
      | CardEvent
      | ContactVerificationEvent
      | NightlyDigestEvent
      | DocumentDeliveryEvent
      | MtanRegistrationEvent
    )[]
  ).map(({ type, ...payload }) => [type, payload]),
);

/**
 * A start input or an event payload as the API hands it to the process (api/card-secrets.ts):
 * the Kennwort für die Freischaltung as an argon2 hash, the Transport-PIN letter as the id of its
 * sealed copy.
 */
function asHandedOn(payload: unknown): Record<string, unknown> {
  const { activationPassword, transportPinLetter, ...rest } = payload as Record<string, unknown>;
  return {
    ...rest,
    ...(activationPassword === undefined
      ? {}
      : { activationPasswordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' }),
    ...(transportPinLetter === undefined
      ? {}
      : { transportPinLetterId: 'TP-AAAAAAAAAAAAAAAAAAAAAA' }),
  };
}

/** The examples are the newest version's; older versions that took more say what. */
const OLDER_INPUTS: Readonly<Record<string, unknown>> = {
  // Versions 1 and 2 send the mTAN to a mobile number given with the upload.
  'documentDelivery v1': withMobile(processExamples.documentDelivery!.input),
  'documentDelivery v2': withMobile(processExamples.documentDelivery!.input),
};

function withMobile(input: unknown): unknown {
  const { physician, ...rest } = input as { physician: object };
  return { ...rest, physician: { ...physician, mobile: '0151 12345678' } };
}

const inputOf = (definition: ProcessDefinition): unknown =>
  definition.input.parse(
    asHandedOn(
      OLDER_INPUTS[`${definition.type} v${definition.version}`] ??
        processExamples[definition.type]!.input,
    ),
  );

/**
 * Every event a machine can get in a snapshot: the outside ones with their example payloads, what
 * its activities feed back, and the timers of its active states as they fire.
 */
function eventsOf(
  definition: ProcessDefinition,
): (snapshot: AnyMachineSnapshot) => AnyEventObject[] {
  const { events: examples } = processExamples[definition.type]!;
  const outside = Object.keys(definition.events).map((type) => ({
    type,
    ...asHandedOn(examples[type]),
    receivedAt: RECEIVED_AT,
    actor: 'key-test',
  }));
  const taken = new Set(
    nodesOf(definition.machine).flatMap((node) => [...node.transitions.keys()]),
  );
  const feedback = [...taken]
    .filter((type) => !(type in definition.events) && !type.startsWith('xstate.'))
    .map((type) => ({ type, ...FEEDBACK.get(type), receivedAt: RECEIVED_AT, actor: 'system' }));
  return (snapshot) => [
    ...outside,
    ...feedback,
    ...snapshot._nodes.flatMap((node) =>
      node.after.map((t) => ({ type: t.eventType, receivedAt: RECEIVED_AT, actor: 'timer' })),
    ),
  ];
}

/** Snapshots a walk expands at most; the deepest machine reaches all its states after ~330. */
const WALK_BUDGET = 1000;

/**
 * The shortest path to each snapshot, breadth-first from the start. A snapshot is its state and
 * its context: counters (wrong codes, resends, codes a day) decide where a guard lets it go, so
 * the walk counts up to a lock as a person would. It ends once every state is reached, or when
 * the budget is spent (a counter without a limit, like letters sent, never runs out of new
 * snapshots).
 */
function walk(definition: ProcessDefinition) {
  const { machine } = definition;
  const states = stateNodesOf(machine).map((node) => node.id);
  const seen = new Set<string>();
  const eventsIn = eventsOf(definition);
  let budget = WALK_BUDGET;
  return getShortestPaths(machine, {
    input: inputOf(definition),
    serializeState: (snapshot) => JSON.stringify([snapshot.value, snapshot.context]),
    events: (snapshot) => {
      for (const node of snapshot._nodes) seen.add(node.id);
      const done = states.every((id) => seen.has(id));
      return snapshot.status !== 'active' || done || budget-- <= 0 ? [] : eventsIn(snapshot);
    },
  });
}

describe.each(definitions.map((d) => [`${d.type} v${d.version}`, d] as const))(
  '%s',
  (_name, definition) => {
    const { machine } = definition;

    it("has a German label on every state a view can show (its own or its parent's)", () => {
      const unlabelled = stateNodesOf(machine)
        .filter((node) => labelOf(machine, node.path.join('.')).trim() === '')
        .map((node) => node.id);
      expect(unlabelled).toEqual([]);
    });

    it('reaches every state from the start by the events it takes: outside ones, activity answers, timers (@xstate/graph)', () => {
      const paths = walk(definition);
      const reached = new Set(paths.flatMap((path) => path.state._nodes.map((node) => node.id)));
      const unreached = stateNodesOf(machine)
        .map((node) => node.id)
        .filter((id) => !reached.has(id));
      expect(unreached).toEqual([]);
      const finals = stateNodesOf(machine).filter((node) => node.type === 'final');
      const ended = new Set(
        paths
          .filter((path) => path.state.status === 'done')
          .flatMap((path) => path.state._nodes.map((node) => node.id)),
      );
      expect(finals.map((node) => node.id).filter((id) => !ended.has(id))).toEqual([]);
    });

    it('invokes only actors the engine runs durably (promise activities, declared by name)', () => {
      expect(refusedActors(machine)).toEqual([]);
    });

    it('has an activity for every named action', () => {
      const named = [...namedActions(machine)];
      expect(named.length, 'a process without any named action does nothing').toBeGreaterThan(0);
      expect(named.filter((name) => !activityNames.has(name))).toEqual([]);
    });

    it('has a German name for every named action (the dashboard’s preview of an event shows it)', () => {
      const unnamed = [...namedActions(machine)].filter(
        (name) => name !== START_PROCESS && name !== CONTINUE_AS_NEW && !(name in ACTION_LABELS),
      );
      expect(unnamed).toEqual([]);
    });
  },
);

describe.each(processTypes().map((type) => [type] as const))(
  '%s, newest version: pure guards',
  (type) => {
    const definition = latestDefinition(type)!;
    const { machine } = definition;
    const candidates = eventsOf(definition);

    const outcome = (snapshot: AnyMachineSnapshot, event: AnyEventObject) => {
      const [next, actions] = transition(machine, snapshot, event);
      return JSON.stringify([
        snapshot.can(event),
        next.value,
        next.context,
        actions.map((a) => [a.type, a.params]),
      ]);
    };

    it('when any example event, activity answer or timer comes twice to the same snapshot, then both answers are the same', () => {
      // Breadth-first over what the example events, the answers and the timers reach, a bounded
      // number of snapshots: a guard that counts or reads a clock answers differently the second
      // time.
      const [start] = initialTransition(machine, inputOf(definition));
      const queue: AnyMachineSnapshot[] = [start];
      const seen = new Set<string>();
      let checked = 0;
      while (queue.length > 0 && seen.size < 60) {
        const snapshot = queue.shift()!;
        const key = JSON.stringify([snapshot.value, snapshot.context]);
        if (seen.has(key) || snapshot.status !== 'active') continue;
        seen.add(key);
        for (const event of candidates(snapshot)) {
          const first = outcome(snapshot, event);
          expect(outcome(snapshot, event), `${type}: ${event.type} in ${key}`).toBe(first);
          checked += 1;
          if (snapshot.can(event)) queue.push(transition(machine, snapshot, event)[0]);
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  },
);
