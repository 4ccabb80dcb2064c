import type { AnyMachineSnapshot, AnyStateNode } from 'xstate';
import type { Effect } from './effects.js';

/** When each active state was entered: epoch milliseconds by state path (`registration.invited`). */
export type StateEntries = Readonly<Record<string, number>>;

const AFTER_PREFIX = 'xstate.after.';

export const pathOf = (node: AnyStateNode): string => node.path.join('.');

/** The active states of a snapshot, without the root. */
export const activeNodes = (snapshot: AnyMachineSnapshot): AnyStateNode[] =>
  (snapshot._nodes as AnyStateNode[]).filter((node) => node.path.length > 0);

/** The state node an `after` timer's id belongs to (`xstate.after.invitationExpiry.invitation.registration`). */
function nodeOfAfterTimer(id: string, nodes: readonly AnyStateNode[]): AnyStateNode | undefined {
  if (!id.startsWith(AFTER_PREFIX)) return undefined;
  const rest = id.slice(AFTER_PREFIX.length);
  const nodeId = rest.slice(rest.indexOf('.') + 1);
  return nodes.find((node) => node.id === nodeId);
}

/**
 * The entry instants after a step at `now`: a state newly active was entered now; so was a
 * state the step left and entered again (a transition with `reenter`), which shows by its
 * `after` timers being set afresh, and every active state below it. Pure: the same snapshots
 * and effects give the same entries on every replay.
 */
export function nextStateEntries(
  before: StateEntries,
  next: AnyMachineSnapshot,
  effects: readonly Effect[],
  now: number,
): StateEntries {
  const nodes = activeNodes(next);
  const reentered = effects
    .filter((effect) => effect.kind === 'schedule')
    .map((effect) => nodeOfAfterTimer(effect.id, nodes))
    .filter((node): node is AnyStateNode => node !== undefined)
    .map(pathOf);
  const entries: Record<string, number> = {};
  for (const node of nodes) {
    const path = pathOf(node);
    const again = reentered.some((root) => path === root || path.startsWith(`${root}.`));
    entries[path] = again ? now : (before[path] ?? now);
  }
  return entries;
}
