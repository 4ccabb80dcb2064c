import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';
import type { PendingTimer, ProcessStatus, TimerView } from './types.js';

/** Context keys with one of these words (`codeHash`, `pinHash`, `downloadToken`) stay inside. */
const SECRET_WORDS = new Set(['hash', 'token', 'code', 'pin', 'tan', 'secret', 'password']);

const isSecretKey = (key: string): boolean =>
  key.split(/(?=[A-Z])|[_\-\s]+/).some((word) => SECRET_WORDS.has(word.toLowerCase()));

interface StateNodeLike {
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly meta?: { readonly label?: unknown } | undefined;
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
  let node: StateNodeLike = machine.root as unknown as StateNodeLike;
  let label = '';
  for (const key of path.split('.')) {
    const next = node.states[key];
    if (!next) break;
    node = next;
    if (typeof node.meta?.label === 'string') label = node.meta.label;
  }
  return label;
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
