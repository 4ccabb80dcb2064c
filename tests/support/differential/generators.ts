import fc from 'fast-check';
import {
  ACTOR_NAMES,
  DELAY_NAMES,
  DELAY_UNIT,
  EVENT_TYPES,
  GUARD_NAMES,
  MINUTE,
  type ActionSpec,
  type ActorName,
  type AfterSpec,
  type ChildAction,
  type ChildSpec,
  type ChildStateSpec,
  type ChildTransitionSpec,
  type DelayName,
  type EventType,
  type GuardName,
  type InvokeSpec,
  type MachineSpec,
  type PlainAction,
  type StateSpec,
  type StateType,
  type TransitionSpec,
} from '../../fixtures/generated-machine.js';
import {
  GRAIN,
  MAX_DEPTH,
  MAX_STATES,
  MAX_STEPS,
  invokes,
  type Case,
  type Step,
} from './reference.js';

// ---------------------------------------------------------------------------------------------
// Generated cases.

type DraftAction = PlainAction | 'log' | 'effect';

interface DraftTransition {
  readonly target: number | undefined;
  readonly reenter: boolean;
  readonly guard: GuardName | undefined;
  readonly log: boolean;
  readonly actions: readonly DraftAction[];
}

interface DraftDetails {
  readonly history: 'shallow' | 'deep';
  readonly historyTarget: number | undefined;
  readonly entryLog: boolean;
  readonly exitLog: boolean;
  readonly entry: readonly DraftAction[];
  readonly exit: readonly DraftAction[];
  readonly on: readonly { readonly event: EventType; readonly transition: DraftTransition }[];
  readonly after: readonly {
    readonly delay: number | DelayName;
    readonly transition: DraftTransition;
  }[];
  readonly always: DraftTransition | undefined;
  readonly onDone: DraftTransition | undefined;
  readonly invoke: DraftInvoke | undefined;
}

interface DraftOutcomes {
  readonly onDone: DraftTransition | undefined;
  readonly onError: DraftTransition;
}

type DraftInvoke =
  | (DraftOutcomes & { readonly src: ActorName })
  | (DraftOutcomes & {
      readonly child: DraftChild;
      /** The outside event the invoking state passes on to its child as POKE, if any. */
      readonly poke: Exclude<EventType, 'PING'> | undefined;
    });

type DraftChildAction = 'log' | 'increment' | 'pingParent' | 'tellParent';

interface DraftChildTransition {
  readonly target: number | undefined;
  readonly actions: readonly DraftChildAction[];
}

interface DraftChildState {
  readonly entry: readonly DraftChildAction[];
  readonly after: readonly { readonly units: number; readonly transition: DraftChildTransition }[];
  readonly poke: DraftChildTransition | undefined;
}

interface DraftChild {
  readonly states: readonly DraftChildState[];
  readonly finalEntry: readonly DraftChildAction[];
  /** Starts in its final state: ends the moment it is invoked. */
  readonly doneAtOnce: boolean;
}

interface DraftNode {
  readonly kind: StateType;
  readonly children: readonly DraftNode[];
  readonly details: DraftDetails;
}

interface DraftRoot {
  readonly kind: 'compound' | 'parallel';
  readonly children: readonly DraftNode[];
  readonly on: DraftDetails['on'];
}

const rarely = <T>(arbitrary: fc.Arbitrary<T>, weight = 3): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight }, { arbitrary, weight: 1 });

const draftAction: fc.Arbitrary<DraftAction> = fc.oneof(
  { arbitrary: fc.constantFrom<DraftAction>('log', 'increment'), weight: 6 },
  { arbitrary: fc.constantFrom<DraftAction>('effect', 'raisePing', 'cancelPing'), weight: 3 },
  {
    arbitrary: fc.constantFrom<DraftAction>('raiseLaterPing', 'sendSelfLater'),
    weight: 1,
  },
);

const draftTransition: fc.Arbitrary<DraftTransition> = fc.record({
  target: fc.option(fc.nat(15), { nil: undefined }),
  reenter: fc.boolean(),
  guard: rarely(fc.constantFrom(...GUARD_NAMES), 2),
  log: fc.boolean(),
  actions: fc.array(draftAction, { maxLength: 2 }),
});

const delayArb: fc.Arbitrary<number | DelayName> = fc.oneof(
  fc.constantFrom(1, 2, 3).map((units) => units * DELAY_UNIT),
  fc.constantFrom(...DELAY_NAMES),
);

const onArb = fc.array(
  fc.record({ event: fc.constantFrom(...EVENT_TYPES), transition: draftTransition }),
  {
    maxLength: 3,
  },
);

const invokeArb: fc.Arbitrary<DraftInvoke> = fc.record({
  src: fc.constantFrom(...ACTOR_NAMES),
  onDone: fc.option(draftTransition, { nil: undefined }),
  onError: draftTransition,
});

const childActionArb: fc.Arbitrary<DraftChildAction> = fc.constantFrom<DraftChildAction>(
  'log',
  'increment',
  'pingParent',
  'tellParent',
);

const childTransitionArb: fc.Arbitrary<DraftChildTransition> = fc.record({
  target: fc.option(fc.nat(3), { nil: undefined }),
  actions: fc.array(childActionArb, { maxLength: 2 }),
});

const childArb: fc.Arbitrary<DraftChild> = fc.record({
  states: fc.array(
    fc.record({
      entry: fc.array(childActionArb, { maxLength: 2 }),
      after: fc.array(
        fc.record({ units: fc.constantFrom(1, 2, 3), transition: childTransitionArb }),
        { maxLength: 2 },
      ),
      poke: rarely(childTransitionArb, 1),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  finalEntry: fc.array(childActionArb, { maxLength: 2 }),
  doneAtOnce: fc.oneof(
    { arbitrary: fc.constant(false), weight: 6 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
});

/** Mostly child machines, sometimes a promise actor beside them. */
const childInvokeArb: fc.Arbitrary<DraftInvoke> = fc.oneof(
  {
    arbitrary: fc.record({
      child: childArb,
      poke: rarely(fc.constantFrom<Exclude<EventType, 'PING'>>('A', 'B', 'C'), 1),
      onDone: fc.option(draftTransition, { nil: undefined }),
      onError: draftTransition,
    }),
    weight: 3,
  },
  { arbitrary: invokeArb, weight: 1 },
);

/** What a generated machine may invoke. */
type Invoking = 'nothing' | 'promise actors' | 'child machines';

/** A state invokes an actor now and then; invoking nothing, the details are as they were. */
const detailsArb = (invoking: Invoking): fc.Arbitrary<DraftDetails> =>
  fc.record({
    history: fc.constantFrom<'shallow' | 'deep'>('shallow', 'deep'),
    historyTarget: rarely(fc.nat(7), 1),
    entryLog: fc.boolean(),
    exitLog: fc.boolean(),
    entry: fc.array(draftAction, { maxLength: 2 }),
    exit: fc.array(draftAction, { maxLength: 1 }),
    on: onArb,
    after: fc.array(fc.record({ delay: delayArb, transition: draftTransition }), { maxLength: 2 }),
    always: rarely(draftTransition),
    onDone: rarely(draftTransition, 1),
    invoke:
      invoking === 'nothing'
        ? fc.constant(undefined)
        : rarely(invoking === 'promise actors' ? invokeArb : childInvokeArb, 1),
  });

function nodeArb(depth: number, invoking: Invoking): fc.Arbitrary<DraftNode> {
  const leaf = fc.record({
    kind: fc.oneof(
      { arbitrary: fc.constant<StateType>('atomic'), weight: 4 },
      { arbitrary: fc.constant<StateType>('final'), weight: 3 },
      { arbitrary: fc.constant<StateType>('history'), weight: 1 },
    ),
    children: fc.constant([]),
    details: detailsArb(invoking),
  });
  if (depth >= MAX_DEPTH) return leaf;
  const composite = fc.record({
    kind: fc.constantFrom<StateType>('compound', 'compound', 'parallel'),
    children: fc.array(nodeArb(depth + 1, invoking), { minLength: 1, maxLength: 3 }),
    details: detailsArb(invoking),
  });
  return fc.oneof({ arbitrary: leaf, weight: 3 }, { arbitrary: composite, weight: 2 });
}

const rootArb = (invoking: Invoking): fc.Arbitrary<DraftRoot> =>
  fc.record({
    kind: fc.constantFrom<'compound' | 'parallel'>('compound', 'compound', 'parallel'),
    children: fc.array(nodeArb(1, invoking), { minLength: 1, maxLength: 4 }),
    on: fc.array(
      fc.record({ event: fc.constantFrom(...EVENT_TYPES), transition: draftTransition }),
      { maxLength: 1 },
    ),
  });

interface Picked {
  readonly key: string;
  kind: StateType;
  readonly details: DraftDetails;
  readonly children: Picked[];
}

const isComposite = (kind: StateType): boolean => kind === 'compound' || kind === 'parallel';
const canBeInitial = (node: Picked): boolean => node.kind !== 'final' && node.kind !== 'history';

/**
 * Turns a draft into a valid spec without loops inside one macrostep: at most MAX_STATES
 * states; a compound starts in a state that is neither final nor history; no final or history
 * state directly in a parallel state; no immediate raise in entry, exit, `onDone` or a PING
 * transition (it could raise itself forever); an eventless transition is guarded by
 * `countBelow3` and increments; `onDone` targets no final or history state; an invoked actor's
 * `onDone` / `onError` logs what its event carries and raises nothing, and `onError` has no
 * guard. A child machine's timers lead only to later states (it ends or waits, never loops); a
 * state passes an event on to its child (POKE) only where the child surely runs when the event
 * is taken: the state is atomic and has no parallel ancestor (a transition of another region on
 * the same event could leave it in the same step, and XState throws on a send to a child that
 * is gone).
 */
function materialize(root: DraftRoot): MachineSpec {
  let count = 0;
  const pick = (draft: DraftNode): Picked | undefined => {
    if (count >= MAX_STATES) return undefined;
    count += 1;
    const node: Picked = {
      key: `s${count}`,
      kind: draft.kind,
      details: draft.details,
      children: [],
    };
    for (const child of draft.children) {
      const picked = pick(child);
      if (picked) node.children.push(picked);
    }
    return node;
  };
  const top = root.children.map(pick).filter((node): node is Picked => node !== undefined);

  const fixKinds = (children: Picked[], parentKind: StateType): void => {
    for (const child of children) {
      if (isComposite(child.kind) && child.children.length === 0) child.kind = 'atomic';
      if (parentKind === 'parallel' && !isComposite(child.kind) && child.kind !== 'atomic')
        child.kind = 'atomic';
      fixKinds(child.children, child.kind);
    }
    if (parentKind === 'compound' && !children.some(canBeInitial)) children[0]!.kind = 'atomic';
  };
  fixKinds(top, root.kind);

  const all: Picked[] = [];
  const collect = (nodes: readonly Picked[]): void => {
    for (const node of nodes) {
      all.push(node);
      collect(node.children);
    }
  };
  collect(top);
  const doneTargets = all.filter(canBeInitial);

  const actions = (
    drafts: readonly DraftAction[],
    where: string,
    raiseAllowed: boolean,
  ): ActionSpec[] =>
    drafts
      .filter((action) => raiseAllowed || action !== 'raisePing')
      .map((action): ActionSpec =>
        action === 'log' ? `log:${where}` : action === 'effect' ? `effect:${where}` : action,
      );

  const transition = (
    draft: DraftTransition,
    where: string,
    options: { raiseAllowed: boolean; targets?: readonly Picked[]; always?: boolean },
  ): TransitionSpec => {
    const targets = options.targets ?? all;
    const target =
      draft.target === undefined || targets.length === 0
        ? undefined
        : targets[draft.target % targets.length]!.key;
    const list = [
      ...(draft.log ? [`log:${where}` as const] : []),
      ...actions(draft.actions, where, options.raiseAllowed),
    ];
    const guard = options.always ? 'countBelow3' : draft.guard;
    const finalActions: ActionSpec[] = options.always ? ['increment', ...list] : list;
    return {
      ...(target !== undefined ? { target } : {}),
      ...(target !== undefined && draft.reenter ? { reenter: true } : {}),
      ...(guard ? { guard } : {}),
      ...(finalActions.length ? { actions: finalActions } : {}),
    };
  };

  const onMap = (entries: DraftDetails['on'], key: string): StateSpec['on'] => {
    const on: Partial<Record<EventType, TransitionSpec[]>> = {};
    for (const { event, transition: draft } of entries) {
      (on[event] ??= []).push(
        transition(draft, `${key}:${event}`, { raiseAllowed: event !== 'PING' }),
      );
    }
    return on;
  };

  const state = (node: Picked, parent: Picked | undefined, inParallel: boolean): StateSpec => {
    const d = node.details;
    if (node.kind === 'history') {
      const siblings = (parent?.children ?? top).filter((sibling) => sibling.kind !== 'history');
      const target =
        d.historyTarget === undefined
          ? undefined
          : siblings[d.historyTarget % siblings.length]?.key;
      return { type: 'history', history: d.history, ...(target ? { target } : {}) };
    }
    const entry = [
      ...(d.entryLog ? [`log:+${node.key}` as const] : []),
      ...actions(d.entry, `${node.key}:entry`, false),
    ];
    const exit = [
      ...(d.exitLog ? [`log:-${node.key}` as const] : []),
      ...actions(d.exit, `${node.key}:exit`, false),
    ];
    const spec: { -readonly [K in keyof StateSpec]: StateSpec[K] } = { type: node.kind };
    if (node.kind === 'compound') spec.initial = node.children.find(canBeInitial)!.key;
    if (node.children.length) {
      spec.states = Object.fromEntries(
        node.children.map((child) => [
          child.key,
          state(child, node, inParallel || node.kind === 'parallel'),
        ]),
      );
    }
    if (entry.length) spec.entry = entry;
    if (exit.length) spec.exit = exit;
    if (node.kind === 'final') return spec;
    if (d.on.length) spec.on = onMap(d.on, node.key);
    if (d.after.length) {
      spec.after = d.after.map(({ delay, transition: draft }): AfterSpec => ({
        delay,
        ...transition(draft, `${node.key}:after ${delay}`, { raiseAllowed: true }),
      }));
    }
    if (d.always)
      spec.always = [
        transition(d.always, `${node.key}:always`, { raiseAllowed: true, always: true }),
      ];
    if (isComposite(node.kind) && d.onDone) {
      spec.onDone = transition(d.onDone, `${node.key}:done`, {
        raiseAllowed: false,
        targets: doneTargets,
      });
    }
    if (d.invoke) {
      const id = `${node.key}job`;
      const settled = (draft: DraftTransition, log: 'logOutput' | 'logError'): TransitionSpec => {
        const { guard, ...made } = transition(draft, `${id}:${log}`, { raiseAllowed: false });
        // An error event no transition takes would put the machine in status `error`.
        return {
          ...made,
          ...(guard && log === 'logOutput' ? { guard } : {}),
          actions: [log, ...(made.actions ?? [])],
        };
      };
      const outcomes = {
        id,
        ...(d.invoke.onDone ? { onDone: settled(d.invoke.onDone, 'logOutput') } : {}),
        onError: settled(d.invoke.onError, 'logError'),
      };
      const draft = d.invoke;
      const invoke: InvokeSpec =
        'child' in draft
          ? { ...outcomes, child: childSpec(draft.child) }
          : { ...outcomes, src: draft.src };
      spec.invoke = [invoke];
      const poke = 'child' in draft ? draft.poke : undefined;
      if (poke && node.kind === 'atomic' && !inParallel) {
        // First: taken whatever the state's other transitions on the event are.
        spec.on = {
          ...spec.on,
          [poke]: [{ actions: [`poke:${id}`, `log:${node.key}:poke`] }, ...(spec.on?.[poke] ?? [])],
        };
      }
    }
    return spec;
  };

  return {
    type: root.kind,
    ...(root.kind === 'compound' ? { initial: top.find(canBeInitial)!.key } : {}),
    states: Object.fromEntries(
      top.map((node) => [node.key, state(node, undefined, root.kind === 'parallel')]),
    ),
    ...(root.on.length ? { on: onMap(root.on, 'root') } : {}),
  };
}

/**
 * A child machine from its draft: atomic states `c1`, `c2`, … and the final state `end`. A timer
 * leads to a later state or stays; a POKE may lead anywhere (outside events are few).
 */
function childSpec(draft: DraftChild): ChildSpec {
  const keys = draft.states.map((_, index) => `c${index + 1}`);
  const all = [...keys, 'end'];
  const actions = (drafts: readonly DraftChildAction[], where: string): ChildAction[] =>
    drafts.map((action): ChildAction => (action === 'log' ? `log:${where}` : action));
  const transition = (
    { target, actions: drafts }: DraftChildTransition,
    targets: readonly string[],
    where: string,
  ): ChildTransitionSpec => ({
    ...(target !== undefined ? { target: targets[target % targets.length]! } : {}),
    ...(drafts.length ? { actions: actions(drafts, where) } : {}),
  });
  const states: Record<string, ChildStateSpec> = {};
  draft.states.forEach(({ entry, after, poke }, index) => {
    const key = keys[index]!;
    states[key] = {
      type: 'atomic',
      ...(entry.length ? { entry: actions(entry, `${key}:entry`) } : {}),
      ...(after.length
        ? {
            after: after.map(({ units, transition: t }) => ({
              delay: units * DELAY_UNIT,
              ...transition(t, all.slice(index + 1), `${key}:after ${units}`),
            })),
          }
        : {}),
      ...(poke ? { on: { POKE: [transition(poke, all, `${key}:poke`)] } } : {}),
    };
  });
  states.end = {
    type: 'final',
    ...(draft.finalEntry.length ? { entry: actions(draft.finalEntry, 'end:entry') } : {}),
  };
  return { initial: draft.doneAtOnce ? 'end' : 'c1', states };
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom(...EVENT_TYPES).map((send): Step => ({ send })),
  fc
    .integer({ min: 0, max: 7 })
    .map((units): Step => ({ advanceMinutes: (units * DELAY_UNIT + GRAIN) / MINUTE })),
);

/** A case prints as indented JSON in fast-check's counterexample. */
const printable = (c: Case): Case =>
  Object.defineProperty(c, fc.toStringMethod, {
    value: () => JSON.stringify(c, null, 2),
    enumerable: false,
  });

const casesOf = (invoking: Invoking): fc.Arbitrary<Case> =>
  fc
    .record({
      spec: rootArb(invoking).map(materialize),
      steps: fc.array(stepArb, { minLength: 1, maxLength: MAX_STEPS }),
    })
    .map(printable);

/**
 * Generated cases; the property drops those the reference cannot run within its budget (it
 * runs asynchronously, so `admissible` is its precondition, not a filter here).
 */
export const caseArb: fc.Arbitrary<Case> = casesOf('nothing');

/** The same, with invoked promise actors that settle at once or later, succeed or fail. */
export const invokingCaseArb: fc.Arbitrary<Case> = casesOf('promise actors').filter((c) =>
  invokes(c.spec),
);

const invokesChild = (spec: StateSpec): boolean =>
  (spec.invoke ?? []).some((invoke) => 'child' in invoke) ||
  Object.values(spec.states ?? {}).some(invokesChild);

/**
 * The same, with invoked child machines (timers, messages to the parent, POKEs from it, an
 * output when they end) and now and then a promise actor beside them.
 */
export const childCaseArb: fc.Arbitrary<Case> = casesOf('child machines').filter((c) =>
  invokesChild(c.spec),
);
