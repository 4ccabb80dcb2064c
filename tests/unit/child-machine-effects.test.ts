import { describe, expect, it } from 'vitest';
import {
  assign,
  createActor,
  createMachine,
  fromCallback,
  initialTransition,
  sendParent,
  sendTo,
  setup,
  transition,
} from 'xstate';
import { z } from 'zod';
import { childDefinition, childMachine } from '../../machines/child-machine.js';
import { refusedActors } from '../../machines/promise-activity.js';
import { refuseChildrenWithoutSpawn, toEffects } from '../../workflows/interpreter/effects.js';
import { childSteps, processSteps } from '../../workflows/interpreter/pure-steps.js';

const answering = setup({
  types: {
    context: {} as { asked: number },
    events: {} as { type: 'HURRY' },
    input: {} as { bsnr: string },
  },
}).createMachine({
  id: 'answering',
  context: { asked: 0 },
  initial: 'asking',
  states: {
    asking: {
      entry: sendParent({ type: 'STARTED' }),
      on: { HURRY: { target: 'answered', actions: assign({ asked: 1 }) } },
    },
    answered: { type: 'final' },
  },
  output: ({ context }) => ({ asked: context.asked }),
});

const invoking = setup({
  types: {
    context: {} as { bsnr: string },
    events: {} as { type: 'LEAVE' } | { type: 'AGAIN' } | { type: 'HURRY' } | { type: 'LATER' },
  },
  actors: { check: childMachine(answering) },
}).createMachine({
  id: 'invoking',
  context: { bsnr: '123456789' },
  initial: 'checking',
  states: {
    checking: {
      invoke: {
        id: 'checker',
        src: 'check',
        input: ({ context }) => ({ bsnr: context.bsnr }),
        onDone: 'checked',
        onError: 'failed',
      },
      on: {
        LEAVE: 'left',
        AGAIN: { target: 'checking', reenter: true },
        HURRY: { actions: sendTo('checker', { type: 'HURRY' }) },
        LATER: { actions: sendTo('checker', { type: 'HURRY' }, { delay: 1_000 }) },
      },
    },
    checked: {},
    failed: {},
    left: {},
  },
});

const anonymous = (i: number) => `t.${i}`;

describe('invoked child machines as effects', () => {
  it('when a state invokes a child machine, then the effect names its src, id and input', () => {
    const [snapshot, actions] = initialTransition(invoking, undefined);
    const effects = toEffects(actions, invoking, anonymous);
    expect(effects).toEqual([
      { kind: 'invokeMachine', id: 'checker', src: 'check', input: { bsnr: '123456789' } },
    ]);
    expect(() => refuseChildrenWithoutSpawn(undefined, snapshot, effects)).not.toThrow();
  });

  it('when the invoking state is left or entered again, then the child is stopped first', () => {
    const [start] = initialTransition(invoking, undefined);
    const [, left] = transition(invoking, start, { type: 'LEAVE' });
    expect(toEffects(left, invoking, anonymous)).toEqual([{ kind: 'stopInvoke', id: 'checker' }]);
    const [, again] = transition(invoking, start, { type: 'AGAIN' });
    expect(toEffects(again, invoking, anonymous).map((effect) => effect.kind)).toEqual([
      'stopInvoke',
      'invokeMachine',
    ]);
  });

  it('when the parent sends its child an event, then the effect names the child; a delayed one is refused', () => {
    const [start] = initialTransition(invoking, undefined);
    const [, hurry] = transition(invoking, start, { type: 'HURRY' });
    expect(toEffects(hurry, invoking, anonymous)).toEqual([
      { kind: 'sendToChild', id: 'checker', event: { type: 'HURRY' } },
    ]);
    const [, later] = transition(invoking, start, { type: 'LATER' });
    expect(() => toEffects(later, invoking, anonymous)).toThrow(
      /cannot run action 'xstate.sendTo'.*without delay/,
    );
  });

  it('when the child answers, then XState takes the done and error events as the interpreter sends them', () => {
    const [start] = initialTransition(invoking, undefined);
    const done = { type: 'xstate.done.actor.checker', output: { asked: 1 }, actorId: 'checker' };
    expect(transition(invoking, start, done as never)[0].value).toBe('checked');
    const error = {
      type: 'xstate.error.actor.checker',
      error: { message: 'Workflow cancelled', type: 'CancelledFailure' },
      actorId: 'checker',
    };
    expect(transition(invoking, start, error as never)[0].value).toBe('failed');
  });
});

describe("a child machine's own steps", () => {
  it('when a child machine sends to its parent, then its steps make that an effect for the parent workflow', () => {
    const [snapshot, actions] = childSteps.initial(answering, { bsnr: '1' });
    expect(snapshot.value).toBe('asking');
    expect(toEffects(actions, answering, anonymous)).toEqual([
      { kind: 'sendParent', event: { type: 'STARTED' } },
    ]);
    const [answered] = childSteps.next(answering, snapshot, { type: 'HURRY' });
    expect(answered.status).toBe('done');
    expect(answered.output).toEqual({ asked: 1 });
  });

  it('when a child machine steps, then its snapshots are those of createActor with a parent', () => {
    const received: string[] = [];
    const parent = createActor(
      createMachine({ on: { '*': { actions: ({ event }) => received.push(event.type) } } }),
    ).start();
    const inMemory = createActor(answering, { input: { bsnr: '1' }, parent });
    inMemory.start();
    expect(received).toEqual(['STARTED']);
    const [first] = childSteps.initial(answering, { bsnr: '1' });
    expect(first.value).toEqual(inMemory.getSnapshot().value);
    inMemory.send({ type: 'HURRY' });
    const [next] = childSteps.next(answering, first, { type: 'HURRY' });
    expect({ value: next.value, context: next.context, output: next.output }).toEqual({
      value: inMemory.getSnapshot().value,
      context: inMemory.getSnapshot().context,
      output: inMemory.getSnapshot().output,
    });
  });

  it('when a process (no child) sends to a parent, then XState fails the step: it has none', () => {
    // The interpreter fails the workflow task on a snapshot in status error (a machine bug).
    const [snapshot] = processSteps.initial(answering, { bsnr: '1' });
    expect(snapshot.status).toBe('error');
    expect(String(snapshot.error)).toContain("Unable to send event to actor '#_parent'");
  });
});

describe('child machines a machine may be registered with', () => {
  it('when a child machine is declared with childMachine(), then nothing is refused', () => {
    expect(refusedActors(invoking)).toEqual([]);
  });

  it('when a child machine runs an actor praxisflow cannot run, then the refusal names the child machine', () => {
    const listening = createMachine({
      id: 'listening',
      invoke: { id: 'listener', src: fromCallback(() => undefined) },
    });
    const machine = setup({ actors: { listen: childMachine(listening) } }).createMachine({
      id: 'parent',
      invoke: { src: 'listen' },
    });
    const refusals = refusedActors(machine);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain("Machine 'listening': the actor invoked as 'listener'");
  });

  it('when a machine is declared without childMachine(), then it is still refused', () => {
    const machine = setup({ actors: { child: createMachine({ id: 'child' }) } }).createMachine({
      id: 'parent',
    });
    expect(refusedActors(machine)[0]).toContain(
      "actor 'child' is a child machine not declared with childMachine()",
    );
  });
});

describe('the definition a child machine runs under', () => {
  const process = {
    type: 'checking',
    version: 3,
    title: 'Prüfung',
    machine: invoking,
    input: z.object({}),
    events: {},
  };

  it('when the path names a child machine, then its definition runs that machine under the parent’s type and version', () => {
    const definition = childDefinition(process, ['check']);
    expect(definition).toMatchObject({ type: 'checking', version: 3, machine: answering });
    expect(definition.input.safeParse({ bsnr: '1' }).success).toBe(true);
    expect(definition.events).toEqual({});
  });

  it('when the path names no child machine, then it throws naming machine and src', () => {
    expect(() => childDefinition(process, ['nothing'])).toThrow(
      "Machine 'invoking' of checking v3 has no child machine 'nothing'",
    );
  });
});
