import type { AnyStateMachine } from 'xstate';
import type { ProcessDefinition } from '../machines/process-definition.js';

interface TransitionLike {
  readonly eventType: string;
  readonly target?:
    readonly { readonly id: string; readonly path: readonly string[] }[] | undefined;
  readonly guard?: unknown;
}

interface StateNodeLike {
  readonly id: string;
  readonly key: string;
  readonly path: readonly string[];
  readonly type: string;
  readonly meta?: { readonly label?: unknown } | undefined;
  readonly description?: string | undefined;
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
  readonly after: readonly (TransitionLike & { readonly delay: string | number })[];
}

interface StateDescription {
  readonly id: string;
  readonly label: string | null;
  readonly description: string | null;
  readonly final: boolean;
  readonly events: string[];
  readonly timers: string[];
}

export interface MachineDescription {
  readonly type: string;
  readonly version: number;
  readonly title: string;
  readonly initial: string;
  readonly states: StateDescription[];
  readonly events: string[];
  readonly timers: {
    readonly name: string;
    readonly defaultMs: number | null;
    readonly states: string[];
  }[];
  /** Every transition that changes state: from, to, by which event or timer, guarded or not. */
  readonly transitions: {
    readonly from: string;
    readonly to: string;
    /** An event type, or the timer's name for a delayed transition. */
    readonly event: string;
    readonly timer: boolean;
    readonly guarded: boolean;
  }[];
  readonly mermaid: string;
}

const AFTER = /^xstate\.after\.([^.]+)\./;
const pathOf = (node: StateNodeLike): string => node.path.join('.');
const mermaidId = (node: StateNodeLike): string => node.path.join('__');

function allNodes(node: StateNodeLike): StateNodeLike[] {
  return Object.values(node.states).flatMap((child) => [child, ...allNodes(child)]);
}

function delayDefault(machine: AnyStateMachine, name: string): number | null {
  const delay = (machine.implementations.delays as Record<string, unknown>)[name];
  if (typeof delay === 'number') return delay;
  const asNumber = Number(name);
  return Number.isFinite(asNumber) ? asNumber : null;
}

/** States, labels, events, timers and a Mermaid diagram of one machine version. */
export function describeMachine(definition: ProcessDefinition): MachineDescription {
  const root = definition.machine.root as unknown as StateNodeLike;
  const nodes = allNodes(root);
  const outside = new Set(Object.keys(definition.events));
  const timers = new Map<string, Set<string>>();
  const lines = ['stateDiagram-v2'];
  const edges: MachineDescription['transitions'] = [];

  const states = nodes.map((node) => {
    const label = typeof node.meta?.label === 'string' ? node.meta.label : null;
    const ownTimers = node.after.map((t) => AFTER.exec(t.eventType)?.[1] ?? String(t.delay));
    for (const name of ownTimers)
      timers.set(name, (timers.get(name) ?? new Set()).add(pathOf(node)));
    lines.push(`  state "${(label ?? node.key).replaceAll('"', "'")}" as ${mermaidId(node)}`);
    return {
      id: pathOf(node),
      label,
      description: node.description ?? null,
      final: node.type === 'final',
      events: [...node.transitions.keys()].filter((type) => outside.has(type)),
      timers: ownTimers,
    };
  });

  const initial = root.states[String((definition.machine.config as { initial?: unknown }).initial)];
  if (initial) lines.push(`  [*] --> ${mermaidId(initial)}`);
  for (const node of nodes) {
    for (const [eventType, transitions] of node.transitions) {
      for (const transition of transitions) {
        const label = AFTER.exec(eventType) ? `nach ${AFTER.exec(eventType)?.[1]}` : eventType;
        const guard = transition.guard ? ' [bedingt]' : '';
        for (const target of transition.target ?? [node]) {
          const to = nodes.find((candidate) => candidate.id === target.id);
          if (!to) continue;
          lines.push(`  ${mermaidId(node)} --> ${mermaidId(to)}: ${label}${guard}`);
          const timer = AFTER.exec(eventType)?.[1];
          edges.push({
            from: pathOf(node),
            to: pathOf(to),
            event: timer ?? eventType,
            timer: timer !== undefined,
            guarded: Boolean(transition.guard),
          });
        }
      }
    }
    if (node.type === 'final') lines.push(`  ${mermaidId(node)} --> [*]`);
  }

  return {
    type: definition.type,
    version: definition.version,
    title: definition.title,
    initial: initial ? pathOf(initial) : '',
    states,
    events: [...outside],
    timers: [...timers].map(([name, where]) => ({
      name,
      defaultMs: delayDefault(definition.machine, name),
      states: [...where],
    })),
    transitions: edges,
    mermaid: lines.join('\n'),
  };
}
