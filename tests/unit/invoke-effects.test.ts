import { describe, expect, it } from 'vitest';
import {
  assign,
  createMachine,
  fromCallback,
  fromEventObservable,
  fromObservable,
  fromPromise,
  fromTransition,
  initialTransition,
  setup,
  spawnChild,
  transition,
  type AnyActorRef,
} from 'xstate';
import { promiseActivity, refusedActors } from '../../machines/promise-activity.js';
import { refuseChildrenWithoutSpawn, toEffects } from '../../workflows/interpreter/effects.js';

const lookUp = promiseActivity<{ bsnr: string }, { listed: boolean }>({
  heartbeatTimeoutMs: 5_000,
});

const invoking = setup({
  types: { context: {} as { bsnr: string }, events: {} as { type: 'LEAVE' } | { type: 'AGAIN' } },
  actors: { lookUpPractice: lookUp },
}).createMachine({
  id: 'invoking',
  context: { bsnr: '123456789' },
  initial: 'checking',
  states: {
    checking: {
      invoke: {
        id: 'register',
        src: 'lookUpPractice',
        input: ({ context }) => ({ bsnr: context.bsnr }),
        onDone: 'listed',
        onError: 'unknown',
      },
      on: { LEAVE: 'left', AGAIN: { target: 'checking', reenter: true } },
    },
    listed: {},
    unknown: {},
    left: {},
  },
});

const anonymous = (i: number) => `t.${i}`;

describe('invoked promise actors as effects', () => {
  it('when a state invokes a promise activity, then the effect names its activity, id, input and options', () => {
    const [, actions] = initialTransition(invoking, undefined);
    expect(toEffects(actions, invoking, anonymous)).toEqual([
      {
        kind: 'invoke',
        id: 'register',
        src: 'lookUpPractice',
        input: { bsnr: '123456789' },
        options: { heartbeatTimeoutMs: 5_000 },
      },
    ]);
  });

  it('when the invoking state is left or entered again, then the old invocation is stopped first', () => {
    const [start] = initialTransition(invoking, undefined);
    const [, left] = transition(invoking, start, { type: 'LEAVE' });
    expect(toEffects(left, invoking, anonymous)).toEqual([{ kind: 'stopInvoke', id: 'register' }]);
    const [, again] = transition(invoking, start, { type: 'AGAIN' });
    expect(toEffects(again, invoking, anonymous).map((effect) => effect.kind)).toEqual([
      'stopInvoke',
      'invoke',
    ]);
  });

  it('when the actor settles, then XState takes its done and error events as the interpreter sends them', () => {
    const [start] = initialTransition(invoking, undefined);
    // The interpreter builds these from the activity's outcome; the machine's types know them not.
    const done = {
      type: 'xstate.done.actor.register',
      output: { listed: true },
      actorId: 'register',
    };
    expect(transition(invoking, start, done as never)[0].value).toBe('listed');
    const error = {
      type: 'xstate.error.actor.register',
      error: { message: 'not listed', type: 'NotFound' },
      actorId: 'register',
    };
    expect(transition(invoking, start, error as never)[0].value).toBe('unknown');
  });

  it('when a machine invokes a plain fromPromise, then the interpreter refuses it by name', () => {
    const plain = invoking.provide({
      actors: { lookUpPractice: fromPromise(async () => ({ listed: true as boolean })) },
    });
    const [, actions] = initialTransition(plain, undefined);
    expect(() => toEffects(actions, plain, anonymous)).toThrow(
      /cannot run action 'xstate.spawnChild': actor 'lookUpPractice' is no promise actor declared with promiseActivity\(\)/,
    );
  });

  it('when an actor is spawned inside assign, then the step is refused: nothing would run it', () => {
    const spawning = setup({
      types: { context: {} as { child: AnyActorRef | null } },
      actors: { lookUpPractice: lookUp },
    }).createMachine({
      id: 'spawning',
      context: { child: null },
      entry: assign({ child: ({ spawn }) => spawn('lookUpPractice', { input: { bsnr: '1' } }) }),
    });
    const [snapshot, actions] = initialTransition(spawning, undefined);
    const effects = toEffects(actions, spawning, anonymous);
    expect(() => refuseChildrenWithoutSpawn(undefined, snapshot, effects)).toThrow(
      /spawned inside assign/,
    );
    const [ok, okActions] = initialTransition(invoking, undefined);
    expect(() =>
      refuseChildrenWithoutSpawn(undefined, ok, toEffects(okActions, invoking, anonymous)),
    ).not.toThrow();
  });
});

describe('actors a machine may be registered with', () => {
  it('when every actor is a promise activity, then nothing is refused', () => {
    expect(refusedActors(invoking)).toEqual([]);
  });

  it.each([
    ['a callback actor', fromCallback(() => () => undefined)],
    ['an observable', fromObservable(() => ({ subscribe: () => ({ unsubscribe() {} }) }))],
    [
      'an event observable',
      fromEventObservable(() => ({ subscribe: () => ({ unsubscribe() {} }) })),
    ],
    ['a transition actor', fromTransition((state: number) => state, 0)],
    ['a plain fromPromise', fromPromise(async () => 1)],
    ['a child machine', createMachine({ id: 'child' })],
  ])(
    'when the machine declares %s, then it is refused naming machine, actor and why',
    (_, logic) => {
      const machine = setup({ actors: { helper: logic } }).createMachine({
        id: 'refusing',
        invoke: { id: 'worker', src: 'helper' },
      });
      const refusals = refusedActors(machine);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatch(/^Machine 'refusing': actor 'helper' is /);
      expect(refusals[0]).toContain('would not survive a worker restart');
    },
  );

  it('when a child machine is declared, then the refusal says it is one', () => {
    const machine = setup({ actors: { child: createMachine({ id: 'child' }) } }).createMachine({
      id: 'parent',
    });
    expect(refusedActors(machine)[0]).toContain("actor 'child' is a child machine");
  });

  it('when a state invokes an inline actor or a spawnChild starts one, then both are refused with their state', () => {
    // setup() types would not even let an inline actor through; a machine without it does.
    const machine = createMachine({
      id: 'inline',
      initial: 'waiting',
      states: {
        waiting: {
          invoke: { id: 'anonymous', src: fromPromise(async () => 1) },
          entry: spawnChild(
            fromCallback(() => undefined),
            { id: 'listener' },
          ),
        },
      },
    });
    const refusals = refusedActors(machine);
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toContain(
      "the actor invoked as 'anonymous' in state 'waiting' is an inline actor without a name",
    );
    expect(refusals[1]).toContain("a spawnChild in state 'waiting' starts");
  });
});
