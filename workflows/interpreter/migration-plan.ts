import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, StateValue } from 'xstate';
import type { AnyMigration } from '../../machines/migration-definition.js';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import { machineOf } from './starting-view.js';
import { activeNodes, pathOf, type StateEntries } from './state-entries.js';
import {
  MigrationFailure,
  type ContextChange,
  type MigrationPlanView,
  type MigrationTimer,
  type PendingTimer,
  type ProcessArgs,
  type SendFailureDetails,
} from './types.js';
import { allowedEvents, leafPaths, redact, stateLabelOf, statusOf } from './view.js';

/** What a migration is planned from: the running instance as its workflow knows it. */
export interface MigrationSubject {
  /** Every version of the process type the workflow can run. */
  readonly definitions: readonly ProcessDefinition[];
  readonly migrations: readonly AnyMigration[];
  readonly current: ProcessDefinition;
  readonly delays?: ProcessArgs['delays'];
  readonly snapshot: AnyMachineSnapshot;
  readonly stateEntries: StateEntries;
  /** What timers count from where no entry instant is known (a run continued before they were kept). */
  readonly lastStepAt: number;
  readonly timers: readonly PendingTimer[];
}

/** A migration the interpreter can carry out: the new machine, snapshot and timers. */
export interface MigrationPlan {
  readonly view: MigrationPlanView;
  readonly definition: ProcessDefinition;
  readonly machine: AnyStateMachine;
  readonly snapshot: AnyMachineSnapshot;
  readonly timers: readonly PendingTimer[];
  readonly stateEntries: StateEntries;
}

export interface MigrationRefusal {
  readonly refused: { readonly type: string; readonly details: SendFailureDetails };
}

const refuse = (type: string, details: SendFailureDetails): MigrationRefusal => ({
  refused: { type, details },
});

/** `{ a: { b: 'c' } }` from `a.b.c`, parallel leaves merged. */
function valueOf(paths: readonly string[]): StateValue {
  if (paths.length === 1 && !paths[0]!.includes('.')) return paths[0]!;
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    const keys = path.split('.');
    let node = root;
    for (const [index, key] of keys.entries()) {
      if (index === keys.length - 1) {
        node[key] ??= {};
      } else {
        node[key] = typeof node[key] === 'object' && node[key] !== null ? node[key] : {};
        node = node[key] as Record<string, unknown>;
      }
    }
  }
  const collapse = (value: Record<string, unknown>): StateValue =>
    Object.fromEntries(
      Object.entries(value).map(([key, child]) => {
        const children = child as Record<string, unknown>;
        const keys = Object.keys(children);
        // A single atomic child is written as its name, as XState writes a state value.
        if (keys.length === 1 && Object.keys(children[keys[0]!] as object).length === 0) {
          return [key, keys[0]!];
        }
        return [key, keys.length === 0 ? {} : collapse(children)];
      }),
    ) as StateValue;
  return collapse(root);
}

const delayNameOf = (eventType: string, node: AnyStateNode): string =>
  eventType.slice('xstate.after.'.length, eventType.length - node.id.length - 1);

/** The `after` timers a state node sets on entry: id (its event type) and delay name. */
function afterTimersOf(node: AnyStateNode): { id: string; name: string; delay: unknown }[] {
  const seen = new Set<string>();
  return (node.after as readonly { eventType: string; delay: unknown }[]).flatMap((after) => {
    if (seen.has(after.eventType)) return [];
    seen.add(after.eventType);
    return [{ id: after.eventType, name: delayNameOf(after.eventType, node), delay: after.delay }];
  });
}

function resolveDelay(
  machine: AnyStateMachine,
  delay: unknown,
  context: unknown,
  enteredAt: number,
): number {
  const delays = (machine.implementations.delays ?? {}) as Record<string, unknown>;
  const configured = typeof delay === 'string' ? delays[delay] : delay;
  // The delay as it was computed when the state was entered: the entry's event carried its time.
  const event = { type: 'xstate.migrated', receivedAt: new Date(enteredAt).toISOString() };
  const value =
    typeof configured === 'function'
      ? (configured as (args: unknown, params: unknown) => unknown)({ context, event }, undefined)
      : configured;
  return typeof value === 'number' ? value : Number.NaN;
}

/** Top-level context fields that differ, with values as a view shows them (secrets never). */
function contextChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  hiddenBefore: readonly string[] | undefined,
  hiddenAfter: readonly string[] | undefined,
): ContextChange[] {
  const shownBefore = redact(before, hiddenBefore);
  const shownAfter = redact(after, hiddenAfter);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((path): ContextChange[] => {
    const from = shownBefore[path];
    const to = shownAfter[path];
    const value = (shown: unknown, present: boolean) =>
      present && shown !== undefined ? { value: shown } : {};
    if (!(path in before)) {
      const shown = value(to, path in shownAfter);
      return [{ path, change: 'added', ...('value' in shown ? { to: shown.value } : {}) }];
    }
    if (!(path in after)) {
      const shown = value(from, path in shownBefore);
      return [{ path, change: 'removed', ...('value' in shown ? { from: shown.value } : {}) }];
    }
    if (JSON.stringify(before[path]) === JSON.stringify(after[path])) return [];
    return [
      {
        path,
        change: 'changed',
        ...(path in shownBefore ? { from } : {}),
        ...(path in shownAfter ? { to } : {}),
      },
    ];
  });
}

/** Where the migrations lead an instance: each step with the leaves it starts from. */
export interface MigrationRoute {
  readonly target: ProcessDefinition;
  readonly steps: readonly {
    readonly migration: AnyMigration;
    readonly leaves: readonly string[];
  }[];
  /** The leaf state paths in the target version. */
  readonly leaves: readonly string[];
  /** What an operator must know about instances in these states (German). */
  readonly notes: readonly string[];
}

/**
 * The way from the instance's version and leaf states to `toVersion` through the migrations'
 * state mappings, with their notes; or why there is none. Pure and without the context: the
 * bulk action's preview asks it of each process the read model shows.
 */
export function routeMigration(
  versions: {
    readonly definitions: readonly ProcessDefinition[];
    readonly migrations: readonly AnyMigration[];
  },
  current: ProcessDefinition,
  currentLeaves: readonly string[],
  toVersion: unknown,
): MigrationRoute | MigrationRefusal {
  const target = versions.definitions.find((definition) => definition.version === toVersion);
  if (typeof toVersion !== 'number' || !Number.isInteger(toVersion) || !target) {
    const known = versions.definitions.map((definition) => definition.version).join(', ');
    const detail = `${current.type} has no version ${String(toVersion)}; known: ${known}`;
    return refuse(MigrationFailure.unknownVersion, {
      status: 422,
      detail,
      errors: [{ path: 'toVersion', message: detail }],
    });
  }
  if (toVersion <= current.version) {
    return refuse(MigrationFailure.noMigrationPath, {
      status: 409,
      detail:
        toVersion === current.version
          ? `The process already runs version ${toVersion}`
          : `A process moves only forward: it runs version ${current.version}, not back to ${toVersion}`,
    });
  }
  let leaves = currentLeaves;
  const steps: MigrationRoute['steps'][number][] = [];
  const notes: string[] = [];
  for (let version = current.version; version < toVersion; version++) {
    const step = versions.migrations.find((migration) => migration.from === version);
    if (!step) {
      return refuse(MigrationFailure.noMigrationPath, {
        status: 409,
        detail: `No migration of ${current.type} leads from version ${version} to ${version + 1}`,
      });
    }
    const from = versions.definitions.find((definition) => definition.version === version);
    const mapped: string[] = [];
    for (const leaf of leaves) {
      const rule = step.states[leaf];
      if (typeof rule !== 'string') {
        const label = from ? stateLabelOf(machineOf(from, undefined), [leaf]) : '';
        return refuse(MigrationFailure.stateNotMigratable, {
          status: 409,
          detail:
            `State ${leaf}${label ? ` (${label})` : ''} of version ${version} has no place in ` +
            `version ${version + 1}${rule ? `: ${rule.refuse}` : ''}`,
        });
      }
      mapped.push(rule);
      const note = step.notes?.[leaf];
      if (note) notes.push(note);
    }
    steps.push({ migration: step, leaves });
    leaves = mapped;
  }
  return { target, steps, leaves, notes };
}

/**
 * What moving the instance to `toVersion` does, from the pure machines alone: the state the
 * migrations' mappings lead to, its German label and allowed events, the context the
 * transforms make (checked against the new version's rules), and the timers of the new state.
 * Each timer counts from when the instance entered the state it belongs to, so a deadline
 * keeps its instant; one already due fires at once. A timer the old state had too and that no
 * longer runs has fired already (or was cancelled) and is not set again. Or why it cannot move.
 */
export function planMigration(
  subject: MigrationSubject,
  toVersion: unknown,
  now: number,
): MigrationPlan | MigrationRefusal {
  const { current } = subject;
  const route = routeMigration(subject, current, leafPaths(subject.snapshot.value), toVersion);
  if ('refused' in route) return route;
  const { target, leaves, notes } = route;

  let context: unknown = subject.snapshot.context;
  for (const { migration: step, leaves: stepLeaves } of route.steps) {
    const checked = step.context.safeParse(step.transform(context as never, stepLeaves));
    if (!checked.success) {
      return refuse(MigrationFailure.contextRefused, {
        status: 422,
        detail: `Version ${step.to} of ${current.type} refuses the migrated context`,
        errors: checked.error.issues.map((issue) => ({
          path: ['context', ...issue.path.map(String)].join('.'),
          message: issue.message,
        })),
      });
    }
    context = checked.data;
  }

  const machine = machineOf(target, subject.delays);
  let snapshot: AnyMachineSnapshot;
  try {
    snapshot = machine.resolveState({ value: valueOf(leaves), context });
  } catch (error) {
    return refuse(MigrationFailure.stateNotMigratable, {
      status: 409,
      detail: `Version ${toVersion} has no state ${leaves.join(', ')}: ${String(error)}`,
    });
  }

  const oldNodes = activeNodes(subject.snapshot);
  const oldTimerNames = new Set(oldNodes.flatMap((node) => afterTimersOf(node).map((t) => t.name)));
  const running = new Set(subject.timers.map((timer) => timer.name));
  const latestEntry = Math.max(
    ...oldNodes.map((node) => subject.stateEntries[pathOf(node)] ?? subject.lastStepAt),
  );
  const entries: Record<string, number> = {};
  const timers: PendingTimer[] = [];
  const views: MigrationTimer[] = [];
  for (const node of activeNodes(snapshot)) {
    const enteredAt = subject.stateEntries[pathOf(node)] ?? latestEntry;
    entries[pathOf(node)] = enteredAt;
    for (const after of afterTimersOf(node)) {
      if (oldTimerNames.has(after.name) && !running.has(after.name)) continue;
      const delay = resolveDelay(machine, after.delay, snapshot.context, enteredAt);
      if (!Number.isFinite(delay)) {
        return refuse(MigrationFailure.stateNotMigratable, {
          status: 409,
          detail: `The timer ${after.name} of state ${pathOf(node)} cannot be computed for this process`,
        });
      }
      const dueAt = enteredAt + delay;
      timers.push({ id: after.id, name: after.name, event: { type: after.id }, dueAt });
      views.push({
        name: after.name,
        dueAt: new Date(dueAt).toISOString(),
        countedFrom: new Date(enteredAt).toISOString(),
        firesAtOnce: dueAt <= now,
      });
    }
  }

  const newLeaves = leafPaths(snapshot.value);
  return {
    definition: target,
    machine,
    snapshot,
    timers,
    stateEntries: entries,
    view: {
      fromVersion: current.version,
      toVersion: target.version,
      from: {
        state: leafPaths(subject.snapshot.value).join(', '),
        stateLabel: stateLabelOf(
          machineOf(current, subject.delays),
          leafPaths(subject.snapshot.value),
        ),
      },
      to: {
        state: newLeaves.join(', '),
        stateLabel: stateLabelOf(machine, newLeaves),
        status: statusOf(snapshot, false),
        allowedEvents: allowedEvents(snapshot, Object.keys(target.events)),
        timers: views.sort((a, b) => a.dueAt.localeCompare(b.dueAt)),
      },
      contextChanges: contextChanges(
        subject.snapshot.context as Record<string, unknown>,
        snapshot.context as Record<string, unknown>,
        current.redact,
        target.redact,
      ),
      notes,
    },
  };
}
