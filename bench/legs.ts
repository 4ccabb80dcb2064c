/**
 * Where B1's and B2's distance to raw Temporal lies, leg by leg (`npm run bench`): the same
 * start and the same event taken with one more of the API's layers at a time, each measured in
 * the same run against the raw baseline.
 *
 * Starts (B1), each phase after the worker has finished the one before:
 *  1. raw `workflow.start` of a trivial workflow;
 *  2. the same with the search attributes praxisflow starts with (type, business key, practice);
 *  3. praxisflow's start without the API, on a task queue no worker polls: the start planner's
 *     arguments and search attributes, sealed by the payload codec, and the view of the start
 *     computed from the pure machine;
 *  4. the same on the worker's queue, the worker running each process's first step meanwhile;
 *  5. the same and the row and `STARTED` entry the API writes (`startProcessWorkflow`);
 *  6. through the API (HTTP, API key, validation), as B1.
 *
 * Events (B2), one at a time: praxisflow's `send` update without the API (the codec, the
 * update's validator, the step, the answer with the step's audit entry), then the write the
 * API makes of it (`ReadModel.recordStep`), timed apart; the whole path through the API is B2.
 * Then the same update once the worker has done the workflow's own write of the step before
 * (does that write, back to back, slow the next event?), and the payload codec's share: the
 * four passes of one event's payloads (arguments and answer, sealed and opened).
 */
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type PayloadCodec } from '@temporalio/common';
import type { Pool } from 'pg';
import { planApiStart } from '../api/start-plan.js';
import { startProcessWorkflow, type ProcessStarter } from '../api/process-handles.js';
import { ReadModel } from '../api/read-model.js';
import { latestDefinition } from '../machines/registry.js';
import { sendUpdate, type ProcessEvent, type ProcessView } from '../workflows/protocol.js';
import { latency, latencyOf, restsNow, untilAllRest, type Latency } from './lib.js';

interface LegsSetup {
  /** praxisflow's client (with the payload codec) and its worker's task queue. */
  readonly client: Client;
  readonly taskQueue: string;
  readonly pool: Pool;
  readonly codec: PayloadCodec;
  /** A client without codec, whose worker runs the raw workflows on `bench-raw`. */
  readonly rawClient: Client;
  readonly phase: <T>(name: string, work: () => Promise<T>) => Promise<T>;
  /** Runs `work(i)` for i < n at the B1 concurrency: per second. */
  readonly throughput: (n: number, work: (i: number) => Promise<unknown>) => Promise<number>;
  readonly starts: number;
  readonly events: number;
  /** One B1 start through the API (its name, its number): the process id. */
  readonly startThroughApi: (name: string, i: number) => Promise<{ id: string }>;
  /** The overviews B2's events go to, and B2's event number i. */
  readonly digests: readonly { id: string }[];
  readonly report: (i: number) => ProcessEvent;
  /** A raw workflow B2's updates went to. */
  readonly rawUpdated: WorkflowHandle;
}

interface Legs {
  readonly starts: {
    readonly raw: number;
    readonly rawWithSearchAttributes: number;
    /** Started on a task queue no worker polls: the start alone, no first step beside it. */
    readonly withoutWorker: number;
    readonly withoutApi: number;
    readonly withRow: number;
    readonly throughApi: number;
  };
  readonly events: {
    readonly update: Latency;
    readonly write: Latency;
    /** The update with the worker idle before it. */
    readonly updateAtRest: Latency;
    /** Sealing and opening one event's arguments and answer. */
    readonly codec: Latency;
    /** The answer's size as JSON (mean): the view with the step's audit entry. */
    readonly answerBytes: number;
  };
  /** The workflow tasks that answered an update, by their history's timestamps. */
  readonly updateTasks: { readonly praxisflow: UpdateTasks; readonly raw: UpdateTasks };
}

/** Medians over the workflow tasks that accepted an update, in ms. */
interface UpdateTasks {
  readonly tasks: number;
  /** Scheduled → started: the server hands the task to the worker. */
  readonly dispatch: number;
  /** Started → completed: the worker runs the task. */
  readonly worker: number;
}

export async function measureLegs(setup: LegsSetup): Promise<Legs> {
  const { client, rawClient, phase, throughput, starts: n } = setup;
  const run = randomBytes(3).toString('hex');
  const invitation = latestDefinition('invitation')!;
  const readModel = new ReadModel(setup.pool);
  const businessKeySecret = randomBytes(32).toString('base64url');
  const input = (name: string, i: number) => ({
    salutation: 'Frau',
    firstName: 'Erika',
    lastName: `${name}${i}`,
    email: `${name.toLowerCase()}.${run}.${i}@bench.example`,
    practiceId: `BSNR-${i % 50}`,
  });
  const plan = (name: string, i: number) =>
    planApiStart(invitation, { input: input(name, i) }, businessKeySecret);
  const started: string[] = [];
  /** The worker finishes the first steps of one phase before the next phase begins. */
  const settled = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work;
    await untilAllRest(client, started.splice(0));
    return result;
  };
  const startWithout =
    (readModelOf: ProcessStarter['readModel'], taskQueue = setup.taskQueue) =>
    (name: string, i: number) => {
      const { businessKey, input: planned, practiceId, searchAttributes } = plan(name, i);
      const starter = { client, taskQueue, readModel: readModelOf };
      return startProcessWorkflow(
        starter,
        invitation,
        {
          input: planned,
          version: invitation.version,
          businessKey,
          actor: 'bench',
          delays: {},
          ...(practiceId ? { practiceId } : {}),
        },
        searchAttributes,
      ).then((view) => {
        // A process on a queue no worker polls never rests.
        if (taskQueue === setup.taskQueue) started.push(view.id);
      });
    };
  /** A read model that takes nothing: the start alone. */
  const noRow = { recordStart: () => Promise.resolve(false) } as unknown as ReadModel;

  const raw = await phase('legs: raw starts', () =>
    throughput(n, (i) =>
      rawClient.workflow.start('rawTrivial', {
        taskQueue: 'bench-raw',
        workflowId: `raw-legs-${run}-${i}`,
      }),
    ),
  );
  const attributes = Array.from({ length: n }, (_, i) => plan('Raw', i).searchAttributes);
  const rawWithSearchAttributes = await phase('legs: raw starts with search attributes', () =>
    throughput(n, (i) =>
      rawClient.workflow.start('rawTrivial', {
        taskQueue: 'bench-raw',
        workflowId: `raw-legs-sa-${run}-${i}`,
        typedSearchAttributes: attributes[i]!,
      }),
    ),
  );
  const withoutWorker = await phase('legs: praxisflow starts, no worker polling', () =>
    throughput(n, (i) => startWithout(noRow, 'bench-legs-unpolled')('Alone', i)),
  );
  const withoutApi = await settled(
    phase('legs: praxisflow starts without the API', () =>
      throughput(n, (i) => startWithout(noRow)('Start', i)),
    ),
  );
  const withRow = await settled(
    phase('legs: praxisflow starts and their rows', () =>
      throughput(n, (i) => startWithout(readModel)('Row', i)),
    ),
  );
  const throughApi = await settled(
    phase('legs: praxisflow starts through the API', () =>
      throughput(n, (i) =>
        setup.startThroughApi(`Legs${run}`, i).then(({ id }) => started.push(id)),
      ),
    ),
  );

  const digestOf = (i: number) =>
    client.workflow.getHandle(setup.digests[(i + setup.digests.length) % setup.digests.length]!.id);
  const updates: number[] = [];
  const writes: number[] = [];
  await phase('legs: praxisflow updates without the API', () =>
    latency(setup.events, async (i) => {
      const handle = digestOf(i);
      const sent = performance.now();
      const view: ProcessView = await handle.executeUpdate(sendUpdate, {
        args: [setup.report(1_000_000 + i), { actor: 'bench', recordsStep: true }],
      });
      const answered = performance.now();
      if (view.unwritten) await readModel.recordStep(view, view.unwritten);
      if (i >= 0) {
        updates.push(answered - sent);
        writes.push(performance.now() - answered);
      }
    }),
  );
  const answers: ProcessView[] = [];
  const updateAtRest = await phase('legs: praxisflow updates, the worker at rest', () =>
    latency(setup.events, async (i) => {
      const handle = digestOf(i);
      // Untimed: the step before has been written by the workflow itself.
      while (!(await restsNow(handle))) await new Promise((resolve) => setTimeout(resolve, 5));
      const event = setup.report(2_000_000 + i);
      const meta = { actor: 'bench', recordsStep: true };
      const view = await handle.executeUpdate(sendUpdate, { args: [event, meta] });
      if (i >= 0) answers.push(view);
    }),
  );
  const tasks = {
    praxisflow: await updateTasks(digestOf(0)),
    raw: await updateTasks(setup.rawUpdated),
  };
  let k = 0;
  const codecPasses = await latency(setup.events, async () => {
    const view = answers[k++ % answers.length]!;
    const args = [setup.report(k), { actor: 'bench', recordsStep: true }];
    const sealed = await setup.codec.encode(
      args.map((arg) => defaultPayloadConverter.toPayload(arg)),
    );
    const answer = await setup.codec.encode([defaultPayloadConverter.toPayload(view)]);
    await setup.codec.decode(sealed);
    await setup.codec.decode(answer);
  });
  return {
    starts: { raw, rawWithSearchAttributes, withoutWorker, withoutApi, withRow, throughApi },
    events: {
      update: latencyOf(updates),
      write: latencyOf(writes),
      updateAtRest,
      codec: codecPasses,
      answerBytes:
        answers.reduce((sum, view) => sum + JSON.stringify(view).length, 0) / answers.length,
    },
    updateTasks: tasks,
  };
}

async function updateTasks(handle: WorkflowHandle): Promise<UpdateTasks> {
  const events = (await handle.fetchHistory()).events ?? [];
  const at = (i: number) => {
    const time = events[i]?.eventTime;
    return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
  };
  const dispatch: number[] = [];
  const worker: number[] = [];
  for (let i = 2; i < events.length - 1; i++) {
    const answered =
      events[i]!.workflowTaskCompletedEventAttributes &&
      events[i + 1]!.workflowExecutionUpdateAcceptedEventAttributes &&
      events[i - 1]!.workflowTaskStartedEventAttributes &&
      events[i - 2]!.workflowTaskScheduledEventAttributes;
    if (!answered) continue;
    dispatch.push(at(i - 1) - at(i - 2));
    worker.push(at(i) - at(i - 1));
  }
  return {
    tasks: dispatch.length,
    dispatch: latencyOf(dispatch).p50,
    worker: latencyOf(worker).p50,
  };
}
