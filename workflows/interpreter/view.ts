import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import type {
  ChildView,
  Incident,
  PendingTimer,
  ProcessArgs,
  ProcessStatus,
  ProcessView,
  TimerView,
} from './types.js';

/** Context keys with one of these words (`codeHash`, `pinHash`, `downloadToken`) stay inside. */
const SECRET_WORDS = new Set(['hash', 'token', 'code', 'pin', 'tan', 'secret', 'password']);

/** Every secret word somewhere in the key: most keys have none and skip the split. */
const MAY_BE_SECRET = new RegExp([...SECRET_WORDS].join('|'), 'i');

const isSecretKey = (key: string): boolean =>
  MAY_BE_SECRET.test(key) &&
  key.split(/(?=[A-Z])|[_\-\s]+/).some((word) => SECRET_WORDS.has(word.toLowerCase()));

interface StateNodeLike {
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly meta?: { readonly label?: unknown; readonly hint?: unknown } | undefined;
}

/** Dotted paths of the active leaf states, in document order. */
export function leafPaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  const children = Object.entries(value);
  // An atomic region of a parallel state has the value {}.
  if (children.length === 0) return prefix ? [prefix.slice(0, -1)] : [];
  return children.flatMap(([key, child]) =>
    child === undefined ? [prefix + key] : leafPaths(child, `${prefix}${key}.`),
  );
}

/** The label of the deepest state on the path that has one. */
export function labelOf(machine: AnyStateMachine, path: string): string {
  return metaOf(machine, path, 'label') ?? '';
}

/** A meta text of the deepest state on the path that has one. */
function metaOf(machine: AnyStateMachine, path: string, name: 'label' | 'hint'): string | null {
  let node: StateNodeLike = machine.root as unknown as StateNodeLike;
  let text: string | null = null;
  for (const key of path.split('.')) {
    const next = node.states[key];
    if (!next) break;
    node = next;
    const value = node.meta?.[name];
    if (typeof value === 'string') text = value;
  }
  return text;
}

export function redact(
  context: unknown,
  extraKeys: readonly string[] = [],
): Readonly<Record<string, unknown>> {
  const hidden = new Set(extraKeys);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !hidden.has(key) && !isSecretKey(key))
        .map(([key, child]) => [key, walk(child)]),
    );
  };
  const result = walk(context);
  return result !== null && typeof result === 'object' && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : {};
}

/** Outside events the snapshot would take now (guards that need a payload count as open). */
export function allowedEvents(
  snapshot: AnyMachineSnapshot,
  eventTypes: readonly string[],
): string[] {
  if (snapshot.status !== 'active') return [];
  return eventTypes.filter((type) => {
    try {
      return snapshot.can({ type });
    } catch {
      return snapshot._nodes.some((node) => node.ownEvents.includes(type));
    }
  });
}

export function statusOf(snapshot: AnyMachineSnapshot, cancelled: boolean): ProcessStatus {
  if (cancelled) return 'cancelled';
  if (snapshot.status === 'done') return 'done';
  if (snapshot.status === 'error') return 'failed';
  return 'active';
}

export function timerViews(timers: Iterable<PendingTimer>): TimerView[] {
  return [...timers]
    .sort((a, b) => a.dueAt - b.dueAt)
    .map((timer) => ({ name: timer.name, dueAt: new Date(timer.dueAt).toISOString() }));
}

/** What a process's view is made of. */
export interface ViewParts {
  readonly id: string;
  readonly definition: ProcessDefinition;
  /** The definition's machine with the deployment's delays. */
  readonly machine: AnyStateMachine;
  readonly args: ProcessArgs;
  readonly snapshot: AnyMachineSnapshot;
  readonly cancelled: boolean;
  readonly timers: Iterable<PendingTimer>;
  readonly incident: Incident | null;
  /** The invoked actors that run now, in the order they were started. */
  readonly children: readonly ChildView[];
  readonly step: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The redacted context, when the caller keeps it from an earlier view of the same snapshot. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** What the person at this step is told (a state's `meta.hint`), where a state says something. */
function hintOf(machine: AnyStateMachine, leaves: readonly string[]): { stateHint?: string } {
  const hints = leaves
    .map((path) => metaOf(machine, path, 'hint'))
    .filter((hint): hint is string => hint !== null);
  return hints.length > 0 ? { stateHint: hints.join(' ') } : {};
}

/** The German label of the active leaves, parallel ones joined by ` / `. */
export const stateLabelOf = (machine: AnyStateMachine, leaves: readonly string[]): string =>
  leaves.map((path) => labelOf(machine, path)).join(' / ');

/** The view of a process: what the `view` query, the update answers and the read model show. */
export function processView(parts: ViewParts): ProcessView {
  const { snapshot, machine, definition } = parts;
  const leaves = leafPaths(snapshot.value);
  return {
    id: parts.id,
    type: definition.type,
    version: definition.version,
    businessKey: parts.args.businessKey,
    practiceId: parts.args.practiceId ?? null,
    state: leaves.join(', '),
    stateLabel: stateLabelOf(machine, leaves),
    ...hintOf(machine, leaves),
    status: statusOf(snapshot, parts.cancelled),
    allowedEvents: parts.cancelled ? [] : allowedEvents(snapshot, Object.keys(definition.events)),
    timers: timerViews(parts.timers),
    context: parts.context ?? redact(snapshot.context, definition.redact),
    incident: parts.incident,
    children: parts.children,
    step: parts.step,
    createdAt: parts.createdAt,
    updatedAt: parts.updatedAt,
  };
}
