/**
 * The differential test of the interpreter (DESIGN.md, "The interpreter is a library"): for the
 * same machine, the same events and the same times, the snapshots of `runMachine` in Temporal's
 * time-skipping test server equal those of XState's own `createActor` with a simulated clock.
 *
 * Machines are generated as JSON specs (tests/fixtures/generated-machine.ts) so that they cross
 * into the workflow sandbox; `buildMachine` turns a spec into the same XState machine on both
 * sides. After every step (an event sent, or time advanced) these must be equal: the leaf states,
 * the status, the context (its `trail` records the order of entry, exit and transition actions),
 * the events the machine takes now, the due times of the pending timers, and the calls of the
 * named action `effect` (activities in the interpreter). An event the reference cannot take
 * (`snapshot.can` is false, and `send` leaves it unchanged) must be refused by the interpreter
 * with 409, and an event it takes must be admitted.
 *
 * Time: every delay is a whole multiple of DELAY_UNIT (10 min) and every advance is a whole
 * multiple of it plus 30 s (GRAIN). With at most MAX_STEPS advances, every instant at which an
 * event is sent or time stops is at least 30 s away from every timer's due time, so the order of
 * a timer and a step boundary is never a matter of milliseconds (the test server's clock runs on
 * while the test talks to it; the drift is checked). The reference clock is advanced from due
 * time to due time: one long `SimulatedClock.increment` would start a timer set by a timer that
 * fired inside it at the end of the increment instead of at the instant it was set.
 *
 * Invoked promise actors settle through the same function on both sides (fixtures/generated-
 * machine.ts): at once, or after a whole number of delay units, in the interpreter by an activity
 * whose first attempt asks to be retried after that long (time passes in the test server while
 * an activity waits for its retry, not while one runs). Every machine with an invoke also takes
 * its actors' events at its root and logs them as stray: XState never delivers the answer of an
 * actor whose state was left, so such a line in the trail is an answer that leaked.
 *
 * Child machines (fixtures/generated-machine.ts, `child` in an invoke) are small machines of
 * their own: atomic states with timers on the same DELAY_UNIT grid, a final state whose output
 * is made from the child's context, messages to the parent (`sendParent` of PING, which the
 * parent takes like any PING, and of PONG, which it logs at its root), and POKE, which the
 * invoking state may pass on to it (`sendTo`). The interpreter runs each as a child workflow
 * of the same `generated` workflow: the invoke's input carries the whole spec, so the child's
 * workflow builds the same machine and finds its child machine by the invoke's src. The
 * reference runs them as XState's own child actors. A child's own state is not compared; what
 * reaches the parent is (its messages and the output in the trail, the order of both).
 *
 * When a message arrives differs: in XState a child's `sendParent` reaches the parent within the
 * same call (the parent takes it right after the event it is processing), in the interpreter it
 * is a signal the parent takes in a later workflow task. Both take the same events in the same
 * order as long as nothing else happens at that instant, and the grid sees to most of it: a
 * child's timer is due at a whole number of units after the instant it was set, as the parent's
 * are, so it is never at a step boundary. What the grid cannot keep apart, the reference detects
 * and the generated cases leave out (KnownDivergence in support/differential/reference.ts): a
 * child's timer due with a timer of the parent, two children (or a child and a promise actor)
 * that reach the parent at the same instant, and a child that goes on sending (or ends) in the
 * step in which its message made the parent stop it. The generator also passes POKE on only
 * where the child surely runs (an atomic state without a parallel ancestor), and lets a child's
 * timers lead only forward, so that a child ends or waits rather than ping the parent forever.
 * A child's failure is not compared: the interpreter fails the child's workflow task on a
 * machine error (retried until the machine is fixed), and only a child cancelled or terminated
 * in Temporal reaches its parent as an error, which `createActor` has no counterpart for
 * (child-machines.test.ts covers it).
 *
 * Budget: one test server and one worker for the file, a fresh workflow per case; NUM_RUNS
 * generated cases (DIFFERENTIAL_RUNS overrides) take about 10 s when nothing differs, the
 * NUM_RUNS / 2 with promise actors a few seconds more. Child workflows are slower (every message
 * and every end is another workflow task in another workflow), so only NUM_RUNS / 4 cases with
 * child machines are generated (15 by default). The time-skipping test server now and then
 * keeps time locked for good after a case with child workflows (the same case passes on a fresh
 * server): a generated child case whose step gets stuck is run again once on the fresh server
 * the harness restarts; only a case stuck there too fails. A failing case is shrunk for at most
 * two minutes; fast-check prints it as JSON (spec + steps) with the seed that reproduces it.
 */
import fc from 'fast-check';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  DELAY_UNIT,
  buildMachine,
  type ActorName,
  type ChildSpec,
  type EventType,
  type MachineSpec,
  type StateSpec,
} from '../fixtures/generated-machine.js';
import { startProcess, view } from '../support/workflow-env.js';
import { NUM_RUNS, admissible, type Case, type Step } from '../support/differential/reference.js';
import {
  StuckStep,
  activeLeaves,
  checkCase,
  endCase,
  env,
  quiescent,
} from '../support/differential/harness.js';
import { caseArb, childCaseArb, invokingCaseArb } from '../support/differential/generators.js';

// ---------------------------------------------------------------------------------------------

const wait = (minutes: number): Step => ({ advanceMinutes: minutes });
const sendEvent = (type: EventType): Step => ({ send: type });

/** A machine that enters `working` on A and leaves it for `done`, `failed` or `left`. */
const around = (working: StateSpec): MachineSpec => ({
  type: 'compound',
  initial: 'idle',
  states: {
    idle: { type: 'atomic', on: { A: [{ target: 'working' }] } },
    working,
    done: { type: 'atomic', entry: ['log:+done'], on: { A: [{ target: 'working' }] } },
    failed: { type: 'atomic', entry: ['log:+failed'], on: { A: [{ target: 'working' }] } },
    left: { type: 'atomic', entry: ['log:+left'], on: { A: [{ target: 'working' }] } },
  },
});

describe('the interpreter against XState createActor', () => {
  it('when parallel regions each run a timer, then both fire at their times, in order', async () => {
    await checkCase({
      spec: {
        type: 'parallel',
        states: {
          left: {
            type: 'compound',
            initial: 'l1',
            states: {
              l1: {
                type: 'atomic',
                entry: ['log:+l1'],
                exit: ['log:-l1'],
                after: [
                  { delay: 'short', target: 'l2', actions: ['log:l1 after short', 'increment'] },
                ],
              },
              l2: {
                type: 'atomic',
                entry: ['log:+l2'],
                after: [{ delay: 3 * DELAY_UNIT, target: 'l1', actions: ['log:l2 after 30 min'] }],
              },
            },
          },
          right: {
            type: 'compound',
            initial: 'r1',
            states: {
              r1: {
                type: 'atomic',
                entry: ['log:+r1'],
                exit: ['log:-r1'],
                after: [{ delay: 2 * DELAY_UNIT, target: 'r2', actions: ['log:r1 after 20 min'] }],
                on: { A: [{ target: 'r1', reenter: true, actions: ['log:r1 restarted'] }] },
              },
              r2: { type: 'atomic', entry: ['log:+r2', 'effect:r2 entered'] },
            },
          },
        },
      },
      steps: [wait(15.5), sendEvent('A'), wait(20.5), wait(30.5), wait(60.5)],
    });
  });

  it('when a state with history is left and a timer brings it back, then the deep history is restored', async () => {
    await checkCase({
      spec: {
        type: 'compound',
        initial: 'work',
        states: {
          work: {
            type: 'compound',
            initial: 'w1',
            entry: ['log:+work'],
            exit: ['log:-work'],
            on: { B: [{ target: 'pause', actions: ['log:pause'] }] },
            states: {
              w1: { type: 'atomic', entry: ['log:+w1'], on: { A: [{ target: 'w2' }] } },
              w2: {
                type: 'compound',
                initial: 'w2a',
                entry: ['log:+w2'],
                exit: ['log:-w2'],
                states: {
                  w2a: { type: 'atomic', on: { A: [{ target: 'w2b' }] } },
                  w2b: { type: 'atomic', entry: ['log:+w2b'] },
                },
              },
              deep: { type: 'history', history: 'deep' },
              shallow: { type: 'history', history: 'shallow' },
            },
          },
          pause: {
            type: 'atomic',
            entry: ['log:+pause'],
            after: [{ delay: 'short', target: 'deep', actions: ['log:resume deep'] }],
            on: { C: [{ target: 'shallow', actions: ['log:resume shallow'] }] },
          },
        },
      },
      steps: [
        sendEvent('A'),
        sendEvent('A'),
        sendEvent('B'),
        wait(10.5),
        sendEvent('B'),
        sendEvent('C'),
        sendEvent('B'),
        wait(5.5),
        wait(5.5),
      ],
    });
  });

  it('when an after delay is computed from the context, then each re-entry waits as long as the context says', async () => {
    await checkCase({
      spec: {
        type: 'compound',
        initial: 'tick',
        states: {
          tick: {
            type: 'atomic',
            entry: ['log:+tick'],
            after: [{ delay: 'byCount', target: 'tick', reenter: true, actions: ['increment'] }],
            on: { A: [{ actions: ['increment', 'log:A'] }] },
          },
        },
      },
      steps: [
        wait(5.5),
        wait(20.5),
        wait(10.5),
        sendEvent('A'),
        wait(30.5),
        wait(10.5),
        wait(10.5),
      ],
    });
  });

  it('when an assign makes an eventless guard true, then the always transition is taken at once', async () => {
    await checkCase({
      spec: {
        type: 'compound',
        initial: 'counting',
        states: {
          counting: {
            type: 'atomic',
            entry: ['log:+counting'],
            on: { A: [{ actions: ['increment', 'log:counted'] }] },
            after: [
              {
                delay: 'short',
                target: 'counting',
                reenter: true,
                actions: ['increment', 'log:tick'],
              },
            ],
            always: [{ guard: 'countAbove2', target: 'full', actions: ['log:always'] }],
          },
          full: { type: 'atomic', entry: ['log:+full'], on: { B: [{ target: 'counting' }] } },
        },
      },
      steps: [sendEvent('A'), wait(10.5), sendEvent('B'), sendEvent('A'), sendEvent('B')],
    });
  });

  it('when a compound and a parallel state reach their final states, then onDone is taken, and the machine ends', async () => {
    await checkCase({
      spec: {
        type: 'compound',
        initial: 'job',
        states: {
          job: {
            type: 'compound',
            initial: 'step1',
            entry: ['log:+job'],
            exit: ['log:-job'],
            onDone: { target: 'review', actions: ['log:job done', 'effect:job done'] },
            states: {
              step1: { type: 'atomic', on: { A: [{ target: 'step2' }] } },
              step2: { type: 'atomic', after: [{ delay: 'short', target: 'finished' }] },
              finished: { type: 'final', entry: ['log:+finished'] },
            },
          },
          review: {
            type: 'parallel',
            entry: ['log:+review'],
            onDone: { target: 'end', actions: ['log:review done'] },
            states: {
              first: {
                type: 'compound',
                initial: 'open',
                states: {
                  open: { type: 'atomic', on: { B: [{ target: 'ok' }] } },
                  ok: { type: 'final' },
                },
              },
              second: {
                type: 'compound',
                initial: 'open',
                states: {
                  open: { type: 'atomic', after: [{ delay: 'long', target: 'ok' }] },
                  ok: { type: 'final', entry: ['log:second ok'] },
                },
              },
            },
          },
          end: { type: 'final', entry: ['log:+end', 'effect:end'] },
        },
      },
      steps: [sendEvent('A'), sendEvent('B'), wait(10.5), sendEvent('B'), wait(60.5)],
    });
  });

  it('when the machine sends itself a delayed event and cancels a delayed raise, then only the first arrives', async () => {
    await checkCase({
      spec: {
        type: 'compound',
        initial: 'idle',
        states: {
          idle: {
            type: 'atomic',
            on: {
              A: [{ actions: ['raiseLaterPing', 'log:armed'] }],
              B: [{ actions: ['cancelPing', 'log:cancelled'] }],
              C: [{ actions: ['sendSelfLater', 'log:sent later'] }],
              PING: [{ actions: ['increment', 'log:ping'] }],
            },
          },
        },
      },
      steps: [
        sendEvent('A'),
        wait(10.5),
        sendEvent('B'),
        wait(20.5),
        sendEvent('C'),
        wait(20.5),
        wait(10.5),
        sendEvent('A'),
        wait(20.5),
      ],
    });
  });
});

/**
 * Cases where the differential test found the interpreter to differ from XState: timers due at
 * the same instant (their order; a cancel between them), a delayed raise set again under its id,
 * and the view's state of a parallel state whose regions are atomic.
 */
describe('the interpreter against XState createActor, where they were found to differ', () => {
  it('when timers of parallel regions are due at the same instant, then they fire in the order they were set', async () => {
    const region = (name: string): StateSpec => ({
      type: 'compound',
      initial: `${name}1`,
      states: {
        [`${name}1`]: {
          type: 'atomic',
          after: [
            { delay: 'short', target: `${name}2`, actions: [`log:${name} fired`, 'increment'] },
          ],
        },
        [`${name}2`]: { type: 'atomic', entry: [`log:+${name}2`] },
      },
    });
    // Four regions: one order in 24 is XState's, so a fire order left to chance shows.
    await checkCase({
      spec: {
        type: 'parallel',
        states: { a: region('a'), b: region('b'), c: region('c'), d: region('d') },
      },
      steps: [wait(10.5)],
    });
  });

  it('when the transition of one timer cancels a delayed raise due at the same instant, then the raise never arrives', async () => {
    // XState sets the outer after-timer first (the parent is entered first), so it fires first,
    // and its transition cancels the raise before the clock gets to it.
    await checkCase({
      spec: {
        type: 'compound',
        initial: 'outer',
        states: {
          outer: {
            type: 'compound',
            initial: 'inner',
            after: [
              { delay: 2 * DELAY_UNIT, target: 'over', actions: ['cancelPing', 'log:outer after'] },
            ],
            states: { inner: { type: 'atomic', entry: ['raiseLaterPing', 'log:+inner'] } },
          },
          over: {
            type: 'atomic',
            entry: ['log:+over'],
            on: { PING: [{ actions: ['increment', 'log:ping'] }] },
          },
        },
      },
      steps: [wait(20.5)],
    });
  });

  it('when a delayed raise is set again under the same id before it fired, then both arrive, as in XState', async () => {
    await checkCase({
      spec: {
        type: 'compound',
        initial: 'idle',
        states: {
          idle: {
            type: 'atomic',
            on: {
              A: [{ actions: ['raiseLaterPing'] }],
              B: [{ actions: ['cancelPing'] }],
              PING: [{ actions: ['increment'] }],
            },
          },
        },
      },
      steps: [sendEvent('A'), wait(10.5), sendEvent('A'), wait(30.5)],
    });
  });

  it('when a parallel state has atomic regions, then the view names every active leaf', async () => {
    const spec: MachineSpec = {
      type: 'compound',
      initial: 'both',
      states: {
        both: { type: 'parallel', states: { left: { type: 'atomic' }, right: { type: 'atomic' } } },
      },
    };
    // XState's value of such a state is { both: { left: {}, right: {} } }.
    const value = createActor(buildMachine(spec)).getSnapshot().value;
    expect(activeLeaves(value)).toEqual(['both.left', 'both.right']);
    const handle = await startProcess(env, 'generated', { input: { spec } });
    try {
      await quiescent(handle);
      expect((await view(handle)).state).toBe('both.left, both.right');
    } finally {
      await endCase(handle);
    }
  });
});

describe('the interpreter against XState createActor, on generated machines', () => {
  it('when generated machines take generated events and times, then every snapshot equals the reference', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        fc.pre(await admissible(c));
        await checkCase(c);
      }),
      {
        numRuns: NUM_RUNS,
        plugins: [fc.interruptAfterTimeLimit(120_000, { failOnInterrupt: true })],
      },
    );
  }, 180_000);
});

/**
 * Invoked promise actors (`invoke` of the actors `succeed`, `fail`, `succeedLater`,
 * `failLater`): the interpreter runs each as an activity, the reference as a `fromPromise`, both
 * settling through the same function, at once or after SETTLE_LATER (20 min) of workflow or
 * simulated time. The done or error event's payload is logged into the trail.
 */
describe('the interpreter against XState createActor, with invoked promise actors', () => {
  const invoking = (src: ActorName, extra: Partial<StateSpec> = {}): StateSpec => ({
    type: 'atomic',
    entry: ['log:+working', 'increment'],
    exit: ['log:-working'],
    invoke: [
      {
        id: 'job',
        src,
        onDone: { target: 'done', actions: ['logOutput'] },
        onError: { target: 'failed', actions: ['logError'] },
      },
    ],
    ...extra,
  });

  it('when the actor answers at once, then its output is taken, each time the state invokes it again', async () => {
    await checkCase({
      spec: around(invoking('succeed')),
      steps: [sendEvent('A'), sendEvent('A'), wait(10.5), sendEvent('A')],
    });
  });

  it('when the actor fails, at once or later, then the machine takes its error', async () => {
    await checkCase({ spec: around(invoking('fail')), steps: [sendEvent('A'), sendEvent('B')] });
    await checkCase({
      spec: around(invoking('failLater')),
      steps: [sendEvent('A'), wait(10.5), wait(10.5), sendEvent('A')],
    });
  });

  it('when the actor answers later, then time passes until it does, and its output is taken then', async () => {
    await checkCase({
      spec: around(invoking('succeedLater')),
      steps: [sendEvent('A'), wait(10.5), wait(10.5), wait(30.5)],
    });
  });

  it('when an event leaves the invoking state before the actor answers, then its answer is never taken', async () => {
    await checkCase({
      spec: around(invoking('succeedLater', { on: { B: [{ target: 'left' }] } })),
      steps: [sendEvent('A'), wait(10.5), sendEvent('B'), wait(30.5), sendEvent('A'), wait(30.5)],
    });
  });

  it('when a timer leaves the invoking state before the actor answers, then its answer is never taken', async () => {
    await checkCase({
      spec: around(
        invoking('succeedLater', {
          after: [{ delay: 'short', target: 'left', actions: ['log:gave up'] }],
        }),
      ),
      steps: [sendEvent('A'), wait(30.5), sendEvent('A'), wait(5.5), wait(30.5)],
    });
  });

  it('when generated machines with invoked actors take generated events and times, then every snapshot equals the reference', async () => {
    await fc.assert(
      fc.asyncProperty(invokingCaseArb, async (c) => {
        fc.pre(await admissible(c));
        await checkCase(c);
      }),
      {
        numRuns: Math.ceil(NUM_RUNS / 2),
        plugins: [fc.interruptAfterTimeLimit(120_000, { failOnInterrupt: true })],
      },
    );
  }, 180_000);
});

/**
 * Invoked child machines (`child` in an invoke): a child workflow in the interpreter, a child
 * actor of XState's own in the reference. The child's output and what it sends its parent land
 * in the parent's trail. Each hand-written case is first checked to be free of the known
 * divergences (the reference finds none in it), so that it tests what it says.
 */
describe('the interpreter against XState createActor, with invoked child machines', () => {
  const invokingChild = (child: ChildSpec, extra: Partial<StateSpec> = {}): StateSpec => ({
    type: 'atomic',
    entry: ['log:+working', 'increment'],
    exit: ['log:-working'],
    invoke: [
      {
        id: 'kid',
        child,
        onDone: { target: 'done', actions: ['logOutput'] },
        onError: { target: 'failed', actions: ['logError'] },
      },
    ],
    ...extra,
  });
  const checkCleanCase = async (c: Case): Promise<void> => {
    expect(await admissible(c), 'the case runs into no known divergence').toBe(true);
    await checkCase(c);
  };
  /** A child that ends two units after it started, logging on the way and at its end. */
  const endsLater: ChildSpec = {
    initial: 'c1',
    states: {
      c1: {
        type: 'atomic',
        entry: ['log:+c1', 'increment'],
        after: [{ delay: 2 * DELAY_UNIT, target: 'end', actions: ['log:c1 after 20 min'] }],
      },
      end: { type: 'final', entry: ['log:+end', 'tellParent'] },
    },
  };

  it('when the child machine reaches its final state, then its output is taken, each time the state invokes it again', async () => {
    await checkCleanCase({
      spec: around(invokingChild(endsLater)),
      steps: [sendEvent('A'), wait(10.5), wait(10.5), sendEvent('A'), wait(30.5)],
    });
  });

  it('when the child machine starts in its final state, then its output is taken at once', async () => {
    await checkCleanCase({
      spec: around(
        invokingChild({
          initial: 'end',
          states: { end: { type: 'final', entry: ['increment', 'tellParent', 'log:+end'] } },
        }),
      ),
      steps: [sendEvent('A'), sendEvent('A'), wait(10.5), sendEvent('A')],
    });
  });

  it('when an event leaves the invoking state before the child ends, then the child is stopped and never heard of again', async () => {
    await checkCleanCase({
      spec: around(invokingChild(endsLater, { on: { B: [{ target: 'left' }] } })),
      steps: [sendEvent('A'), wait(10.5), sendEvent('B'), wait(30.5), sendEvent('A'), wait(30.5)],
    });
  });

  it('when a timer leaves the invoking state before the child ends, then the child is stopped and never heard of again', async () => {
    await checkCleanCase({
      spec: around(
        invokingChild(endsLater, {
          after: [{ delay: 'short', target: 'left', actions: ['log:gave up'] }],
        }),
      ),
      steps: [sendEvent('A'), wait(30.5), sendEvent('A'), wait(5.5), wait(30.5)],
    });
  });

  it('when the child sends its parent events, then the parent takes them in the order sent, before the child ends', async () => {
    await checkCleanCase({
      spec: around(
        invokingChild(
          {
            initial: 'c1',
            states: {
              c1: {
                type: 'atomic',
                entry: ['pingParent', 'tellParent'],
                after: [{ delay: DELAY_UNIT, target: 'c2', actions: ['increment', 'tellParent'] }],
              },
              c2: {
                type: 'atomic',
                entry: ['log:+c2'],
                after: [{ delay: DELAY_UNIT, target: 'end', actions: ['pingParent'] }],
              },
              end: { type: 'final', entry: ['tellParent'] },
            },
          },
          { on: { PING: [{ actions: ['increment', 'log:ping'] }] } },
        ),
      ),
      steps: [sendEvent('A'), wait(5.5), wait(10.5), wait(10.5), wait(10.5)],
    });
  });

  it("when the child's message takes the parent out of the invoking state, then the child is stopped and its later timers never fire", async () => {
    await checkCleanCase({
      spec: around(
        invokingChild(
          {
            initial: 'c1',
            states: {
              c1: {
                type: 'atomic',
                after: [
                  { delay: DELAY_UNIT, target: 'c2', actions: ['log:c1 after', 'pingParent'] },
                ],
              },
              c2: {
                type: 'atomic',
                after: [{ delay: 2 * DELAY_UNIT, target: 'end', actions: ['tellParent'] }],
              },
              end: { type: 'final' },
            },
          },
          { on: { PING: [{ target: 'left', actions: ['log:pinged away'] }] } },
        ),
      ),
      steps: [sendEvent('A'), wait(15.5), wait(30.5), sendEvent('A'), wait(40.5)],
    });
  });

  it('when the parent passes events on to its child, then the child takes them and answers', async () => {
    await checkCleanCase({
      spec: around(
        invokingChild(
          {
            initial: 'c1',
            states: {
              c1: {
                type: 'atomic',
                on: { POKE: [{ target: 'c2', actions: ['increment', 'tellParent'] }] },
                after: [{ delay: 3 * DELAY_UNIT, target: 'end', actions: ['log:c1 timed out'] }],
              },
              c2: {
                type: 'atomic',
                entry: ['log:+c2'],
                on: { POKE: [{ target: 'end', actions: ['log:c2 poked', 'pingParent'] }] },
                after: [{ delay: 3 * DELAY_UNIT, target: 'end', actions: ['log:c2 timed out'] }],
              },
              end: { type: 'final', entry: ['log:+end'] },
            },
          },
          {
            on: {
              C: [{ actions: ['poke:kid', 'log:poked'] }],
              PING: [{ actions: ['increment', 'log:ping'] }],
            },
          },
        ),
      ),
      steps: [
        sendEvent('C'),
        sendEvent('A'),
        sendEvent('C'),
        wait(10.5),
        sendEvent('C'),
        wait(30.5),
        sendEvent('A'),
        sendEvent('C'),
        wait(30.5),
      ],
    });
  });

  it('when generated machines with child machines take generated events and times, then every snapshot equals the reference', async () => {
    await fc.assert(
      fc.asyncProperty(childCaseArb, async (c) => {
        fc.pre(await admissible(c));
        // Once in a while the test server keeps time locked after earlier cases' child
        // workflows; the same case on the fresh server it was restarted with tells. A case
        // stuck again there was seen once in about 400 generated cases (alone it passed three
        // times out of three), so it gets a second fresh server; each restart is reported.
        for (let restarts = 0; ; restarts += 1) {
          try {
            await checkCase(c);
            return;
          } catch (error) {
            if (!(error instanceof StuckStep) || restarts === 2) throw error;
            console.warn(`${error.message}; the case runs again on a fresh test server`);
          }
        }
      }),
      {
        numRuns: Math.ceil(NUM_RUNS / 4),
        plugins: [fc.interruptAfterTimeLimit(150_000, { failOnInterrupt: true })],
      },
    );
  }, 240_000);
});
