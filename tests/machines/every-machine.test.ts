import { getStateNodes } from '@xstate/graph';
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
import { processExamples } from '../../api/openapi/process-examples.js';
import { CONTINUE_AS_NEW, START_PROCESS } from '../../machines/process-definition.js';
import { definitionOf, latestDefinition, processTypes } from '../../machines/registry.js';
import { labelOf } from '../../workflows/interpreter/view.js';
import { ACTION_LABELS } from '../../web/src/labels.js';
import { memoryLetterStore } from '../support/letter-store.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';

/**
 * What the interpreter needs of every registered machine, every version, checked from the
 * registry so that a new machine is covered the day it is registered: a German label on every
 * state a view can show, an activity for every named action, and pure guards (a guard is
 * evaluated several times per event: by the validator, for the allowed events, when the
 * event's turn comes and in the transition).
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

describe.each(definitions.map((d) => [`${d.type} v${d.version}`, d] as const))(
  '%s',
  (_name, definition) => {
    const { machine } = definition;

    it("has a German label on every state a view can show (its own or its parent's)", () => {
      const unlabelled = nodesOf(machine)
        .filter((node) => node.type === 'atomic' || node.type === 'final')
        .filter((node) => labelOf(machine, node.path.join('.')).trim() === '')
        .map((node) => node.id);
      expect(unlabelled).toEqual([]);
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
    const examples = processExamples[type]!;

    /** Every outside event with its example payload, and the timers of the active states. */
    const candidates = (snapshot: AnyMachineSnapshot): AnyEventObject[] => [
      ...Object.keys(definition.events).map((name) => ({
        type: name,
        ...examples.events[name],
        receivedAt: '2026-12-01T09:00:00.000Z',
        actor: 'key-test',
      })),
      ...snapshot._nodes.flatMap((node) =>
        node.after.map((t) => ({
          type: t.eventType,
          receivedAt: '2026-12-01T09:00:00.000Z',
          actor: 'timer',
        })),
      ),
    ];

    const outcome = (snapshot: AnyMachineSnapshot, event: AnyEventObject) => {
      const [next, actions] = transition(machine, snapshot, event);
      return JSON.stringify([
        snapshot.can(event),
        next.value,
        next.context,
        actions.map((a) => [a.type, a.params]),
      ]);
    };

    it('when any example event or timer comes twice to the same snapshot, then both answers are the same', () => {
      const input = definition.input.parse(examples.input);
      // Breadth-first over what the example events and the timers reach, a bounded number of
      // snapshots: a guard that counts or reads a clock answers differently the second time.
      const [start] = initialTransition(machine, input);
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
