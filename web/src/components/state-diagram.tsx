import type { MachineDescription } from '../api.js';
import { eventLabel, timerLabel } from '../labels.js';
import { stateName } from '../state-names.js';

/** A box holds about 26 characters of 12 px text. */
const shorten = (text: string): string => (text.length > 26 ? `${text.slice(0, 25)}…` : text);

/**
 * The machine as a left-to-right diagram: states in columns by their distance from the start,
 * transitions as arrows. The current state (and its parents) is highlighted, states and arrows
 * the process went through are marked.
 */

const BOX_W = 170;
const BOX_H = 46;
const GAP_X = 70;
const GAP_Y = 22;

interface Props {
  readonly machine: MachineDescription;
  /** The process's current leaf state (dotted path). */
  readonly current?: string;
  /** Steps taken: from → to (leaf paths). */
  readonly taken?: readonly { readonly from: string | null; readonly to: string }[];
}

const within = (state: string, node: string) => state === node || state.startsWith(`${node}.`);

function layout(machine: MachineDescription) {
  const ids = machine.states.map((state) => state.id);
  const children = (id: string) => ids.filter((other) => other.startsWith(`${id}.`));
  /** The leaf a transition into `id` ends in: its initial descendant, or itself. */
  const firstLeaf = (id: string): string => children(id)[0] ?? id;
  const level = new Map<string, number>();
  const start = firstLeaf(machine.initial);
  const queue: string[] = [machine.initial, start];
  level.set(machine.initial, 0);
  level.set(start, 0);
  while (queue.length > 0) {
    const id = queue.shift()!;
    const depth = level.get(id)!;
    for (const edge of machine.transitions) {
      if (!within(id, edge.from) && edge.from !== id) continue;
      for (const target of [edge.to, firstLeaf(edge.to)]) {
        if (!level.has(target)) {
          level.set(target, depth + 1);
          queue.push(target);
        }
      }
    }
  }
  // Parents sit with their first child; anything unreachable goes last.
  const maxLevel = Math.max(0, ...level.values());
  for (const id of ids) if (!level.has(id)) level.set(id, level.get(firstLeaf(id)) ?? maxLevel + 1);
  const columns = new Map<number, string[]>();
  for (const id of ids) {
    const column = level.get(id)!;
    columns.set(column, [...(columns.get(column) ?? []), id]);
  }
  const position = new Map<string, { x: number; y: number }>();
  for (const [column, members] of columns) {
    members.forEach((id, row) =>
      position.set(id, { x: 10 + column * (BOX_W + GAP_X), y: 10 + row * (BOX_H + GAP_Y) }),
    );
  }
  const width = 20 + (Math.max(...columns.keys()) + 1) * (BOX_W + GAP_X);
  const height = 20 + Math.max(...[...columns.values()].map((m) => m.length)) * (BOX_H + GAP_Y);
  return { position, width, height };
}

export function StateDiagram({ machine, current, taken = [] }: Props) {
  const { position, width, height } = layout(machine);
  const visited = new Set(taken.flatMap((step) => [step.to, ...(step.from ? [step.from] : [])]));
  const edgeTaken = (from: string, to: string) =>
    taken.some((step) => step.from !== null && within(step.from, from) && within(step.to, to));
  const labelOf = new Map(machine.states.map((state) => [state.id, stateName(machine, state.id)]));

  return (
    <figure className="diagram">
      <svg
        role="img"
        aria-label={`Zustandsdiagramm ${machine.title}${current ? `, aktueller Zustand: ${labelOf.get(current) ?? current}` : ''}`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
      >
        <defs>
          {[
            ['arrow', '#667'],
            ['arrow-taken', '#1b5e20'],
          ].map(([id, fill]) => (
            <marker
              key={id}
              id={id}
              viewBox="0 0 10 10"
              refX="10"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" fill={fill} />
            </marker>
          ))}
        </defs>
        {machine.transitions.map((edge, index) => {
          const from = position.get(edge.from);
          const to = position.get(edge.to);
          if (!from || !to || edge.from === edge.to) return null;
          const isTaken = edgeTaken(edge.from, edge.to);
          const x1 = from.x + BOX_W;
          const y1 = from.y + BOX_H / 2;
          const x2 = to.x;
          const y2 = to.y + BOX_H / 2;
          const back = x2 <= x1;
          const d = back
            ? `M ${from.x + BOX_W / 2} ${from.y + BOX_H} C ${from.x + BOX_W / 2} ${from.y + BOX_H + 40}, ${to.x + BOX_W / 2} ${to.y + BOX_H + 40}, ${to.x + BOX_W / 2} ${to.y + BOX_H}`
            : `M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${x2 - GAP_X / 2} ${y2}, ${x2} ${y2}`;
          return (
            <path
              key={`${edge.from}-${edge.to}-${edge.event}-${index}`}
              d={d}
              className={`edge${isTaken ? ' taken' : ''}${edge.timer ? ' timer' : ''}`}
              markerEnd={isTaken ? 'url(#arrow-taken)' : 'url(#arrow)'}
            >
              <title>{`${labelOf.get(edge.from)} → ${labelOf.get(edge.to)}: ${edge.timer ? `nach Frist: ${timerLabel(edge.event)}` : eventLabel(edge.event)}${edge.guarded ? ' (bedingt)' : ''}`}</title>
            </path>
          );
        })}
        {machine.states.map((state) => {
          const at = position.get(state.id)!;
          const isCurrent = current !== undefined && current === state.id;
          const isParentOfCurrent = current !== undefined && current.startsWith(`${state.id}.`);
          const classes = [
            'node',
            isCurrent ? 'current' : '',
            isParentOfCurrent ? 'current-parent' : '',
            visited.has(state.id) ? 'visited' : '',
            state.final ? 'final' : '',
            state.id.includes('.') ? 'child' : '',
          ].join(' ');
          return (
            <g
              key={state.id}
              className={classes}
              transform={`translate(${at.x} ${at.y})`}
              data-state={state.id}
            >
              <rect width={BOX_W} height={BOX_H} rx={state.final ? 20 : 6} />
              <text x={BOX_W / 2} y={BOX_H / 2 + 5} textAnchor="middle">
                {shorten(state.label ?? stateName(machine, state.id).split(' – ').pop()!)}
              </text>
              <title>{`${labelOf.get(state.id)} (${state.id})${state.description ? `: ${state.description}` : ''}`}</title>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="legend current">aktueller Zustand</span>{' '}
        <span className="legend visited">durchlaufen</span>{' '}
        <span className="legend final">Endzustand</span>
      </figcaption>
    </figure>
  );
}
