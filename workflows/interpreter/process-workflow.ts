import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ProjectionActivities } from '../../activities/projection.js';
import type { AnyMigration } from '../../machines/migration-definition.js';
import { childDefinition } from '../../machines/child-machine.js';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import {
  cancelUpdate,
  deliverSignal,
  migrateUpdate,
  migrationPreviewQuery,
  previewQuery,
  retryUpdate,
  sendUpdate,
  timerUpdate,
  viewQuery,
} from '../protocol.js';
import { ProcessActor } from './process-actor.js';
import {
  BULK_ACTION_ID_PATTERN,
  SendFailure,
  type ChildMachineResult,
  type ProcessArgs,
  type ProcessView,
} from './types.js';
import { refusal } from './refusals.js';
import { checkEvent, parseSignalledEvent } from './validation.js';
import { machineMessageSignal } from './child-machines.js';
import { isEvent } from './mailbox.js';

/** An operator's request with a field missing or wrong: 422 naming it, before history. */
function invalid(detail: string, path: string): never {
  throw refusal(SendFailure.invalidPayload, {
    status: 422,
    detail,
    errors: [{ path, message: detail }],
  }).toFailure();
}

/**
 * An update's answer leaves in a workflow task that a history event began (a no-op activity's
 * completion), not in the one that ran the step's read model write. That write is a local
 * activity: its result replays from its marker inside the task that recorded it, and so does
 * what follows it. When the task that carried an answer never completed (a worker killed,
 * Temporal restarted), the SDK, still replaying there, dropped the answer's protocol message but
 * kept its command, and the process failed every later task ("ProtocolMessageCommand referenced
 * absent message ID", seen in the fault run). After an activity, what follows is never replayed
 * from a marker. (A 1 ms timer did the same but fired up to a second late on the dev server.)
 * Instances from before replay without it; instances whose read model write is a regular
 * activity (`read-model-by-activity`) need it no more.
 */
const ANSWER_AFTER_AN_EVENT_PATCH = 'update-answer-after-an-event';
const boundary = proxyActivities<Pick<ProjectionActivities, 'answerBoundary'>>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '2 seconds',
  },
});

/**
 * Picks the definition of the version an instance runs (the one it started with, or migrated
 * to); `migrations` lead from each version to the next.
 */
export async function runProcess(
  definitions: readonly ProcessDefinition[],
  args: ProcessArgs,
  migrations: readonly AnyMigration[] = [],
): Promise<ProcessView> {
  const definition = definitions.find((candidate) => candidate.version === args.version);
  if (!definition) {
    throw ApplicationFailure.nonRetryable(
      `No version ${args.version} of this process; known: ${definitions.map((d) => d.version).join(', ')}`,
      'UnknownVersion',
    );
  }
  return runMachine(definition, args, { definitions, migrations });
}

/**
 * Runs one process instance durably: XState decides, Temporal remembers. Delayed events are
 * Temporal timers, named actions are activities, outside events arrive through the `send`
 * update (validated before anything is written), the view is a query. Long histories
 * continue as new with the snapshot and the absolute due time of every timer.
 */
export async function runMachine(
  definition: ProcessDefinition,
  args: ProcessArgs,
  versions?: ConstructorParameters<typeof ProcessActor>[2],
): Promise<ProcessView> {
  // The workflow of a child machine runs the child machine its path names in the definition.
  const run = args.child
    ? new ProcessActor(childDefinition(definition, args.child.path), args)
    : new ProcessActor(definition, args, versions);

  // Handlers go in only once there is a snapshot: buffered updates are validated at once.
  setHandler(viewQuery, () => run.view());
  setHandler(previewQuery, (event, actor, at) => run.preview(event, actor, at));
  setHandler(
    sendUpdate,
    async (event, meta) => {
      const job = run.enqueue(
        checkEvent(run.definition, run.snapshot, event).parsed,
        meta.actor,
        true,
        {
          ...bulkActionOf(meta),
          ...(meta.recordsStep === true ? { recordsStep: true } : {}),
        },
      );
      await condition(() => job.settled);
      if (job.refusal) throw job.refusal.toFailure();
      return job.answer(() => run.view());
    },
    {
      validator: (event, meta) => {
        if (typeof meta?.actor !== 'string' || meta.actor === '') {
          throw ApplicationFailure.nonRetryable(
            'An event needs an actor',
            SendFailure.invalidPayload,
          );
        }
        if (!run.active) run.refuseEnded();
        checkEvent(run.definition, run.snapshot, event);
      },
    },
  );

  // Fire and forget (signal-with-start from the API): nobody waits for an answer, so an event
  // that does not fit is dropped with a warning instead of refused.
  setHandler(deliverSignal, (event, meta) => {
    const checked = parseSignalledEvent(run.definition, event);
    if ('problem' in checked) {
      log.warn(`Dropped a delivered event: ${checked.problem}`);
      return;
    }
    if (!run.active) {
      log.warn(`Dropped a delivered ${checked.parsed.type}: the process has ended`);
      return;
    }
    const sentAt =
      typeof meta?.sentAt === 'string' && !Number.isNaN(Date.parse(meta.sentAt))
        ? new Date(meta.sentAt).toISOString()
        : undefined;
    run.enqueue(checked.parsed, typeof meta?.actor === 'string' ? meta.actor : 'system', false, {
      ...(sentAt === undefined ? {} : { sentAt }),
    });
  });

  // Between a child machine and its parent: taken in line like any event, from nobody else.
  setHandler(machineMessageSignal, (message) => {
    const from = typeof message?.from === 'string' ? message.from : '';
    const fromParent = args.child !== undefined && args.child.parentId === from;
    if (!fromParent && !run.invoked.runsChild(from)) {
      log.warn(`Dropped a machine event from ${from || 'nobody'}: no parent or running child`);
      return;
    }
    if (!isEvent(message.event) || !run.active) return;
    run.enqueue(message.event, 'system', false);
  });

  setHandler(
    cancelUpdate,
    async (request) => {
      const job = run.enqueueCancel({
        reason: request.reason,
        actor: request.actor,
        ...bulkActionOf(request),
      });
      await condition(() => job.settled);
      if (job.refusal) throw job.refusal.toFailure();
      return job.answer(() => run.view());
    },
    {
      validator: (request) => {
        if (typeof request?.actor !== 'string' || request.actor === '') {
          throw ApplicationFailure.nonRetryable(
            'A cancel needs an actor',
            SendFailure.invalidPayload,
          );
        }
        if (typeof request.reason !== 'string' || request.reason.trim() === '') {
          throw ApplicationFailure.nonRetryable(
            'A cancel needs a reason',
            SendFailure.invalidPayload,
          );
        }
        if (!run.active) run.refuseEnded();
      },
    },
  );

  setHandler(
    timerUpdate,
    async (request) => {
      const { bulkAction: _, ...control } = request;
      const job = run.enqueueTimerControl({ ...control, ...bulkActionOf(request) });
      await condition(() => job.settled);
      if (job.refusal) throw job.refusal.toFailure();
      return job.answer(() => run.view());
    },
    {
      validator: (request) => {
        if (typeof request?.actor !== 'string' || request.actor === '') {
          invalid('A timer request needs an actor', 'actor');
        }
        if (request.action !== 'fire' && request.action !== 'move') {
          invalid('The action is fire or move', 'action');
        }
        if (typeof request.reason !== 'string' || request.reason.trim() === '') {
          invalid('A timer request needs a reason', 'reason');
        }
        if (
          request.action === 'move' &&
          (typeof request.dueAt !== 'string' || Number.isNaN(Date.parse(request.dueAt)))
        ) {
          invalid('A move needs the new due time (ISO 8601)', 'dueAt');
        }
        if (!run.active) run.refuseEnded();
        const notRunning = run.timerRefusal(String(request.timer));
        if (notRunning) throw notRunning.toFailure();
      },
    },
  );

  setHandler(migrationPreviewQuery, (toVersion, at) => run.migrationPreview(toVersion, at));
  setHandler(
    migrateUpdate,
    async (request) => {
      const { bulkAction: _, ...migration } = request;
      const job = run.enqueueMigration({ ...migration, ...bulkActionOf(request) });
      await condition(() => job.settled);
      if (job.refusal) throw job.refusal.toFailure();
      return job.answer(() => run.view());
    },
    {
      // Refused here, before anything is written to history, when the plan refuses it now.
      validator: (request) => {
        if (typeof request?.actor !== 'string' || request.actor === '') {
          invalid('A migration needs an actor', 'actor');
        }
        if (typeof request.reason !== 'string' || request.reason.trim() === '') {
          invalid('A migration needs a reason', 'reason');
        }
        const plan = run.planMigration(request.toVersion, Date.now());
        if ('refused' in plan) throw refusal(plan.refused.type, plan.refused.details).toFailure();
      },
    },
  );

  setHandler(
    retryUpdate,
    (request) => {
      const { bulkAction } = bulkActionOf(request);
      run.activities.retry(request.actor, bulkAction ? { bulkAction } : undefined);
      return run.view();
    },
    {
      validator: (request) => {
        if (typeof request?.actor !== 'string' || request.actor === '') {
          throw ApplicationFailure.nonRetryable(
            'A retry needs an actor',
            SendFailure.invalidPayload,
          );
        }
        if (!run.activities.incident) {
          throw refusal(SendFailure.notAllowed, {
            status: 409,
            detail: 'The process has no failed action to retry',
            allowedEvents: run.allowedEvents(),
          }).toFailure();
        }
      },
    },
  );

  const wantsContinueAsNew = (): boolean =>
    run.continueAsNewRequested ||
    workflowInfo().continueAsNewSuggested ||
    (args.continueAsNewAfterSteps !== undefined &&
      run.stepsThisRun >= args.continueAsNewAfterSteps);

  // Where every step's write is a regular activity, an answer follows a history event anyway;
  // a child machine writes none and answers no update.
  const answersAfterAnEvent =
    !args.child && !run.projectionByActivity && patched(ANSWER_AFTER_AN_EVENT_PATCH);
  try {
    await run.start();
    while (run.active) {
      await condition(() => run.mailbox.size > 0 || wantsContinueAsNew());
      const job = run.mailbox.take();
      if (job) {
        const stepBefore = run.step;
        await run.process(job);
        if (answersAfterAnEvent && job.external && run.step !== stepBefore) {
          await boundary.answerBoundary();
        }
        job.settle(undefined, job.external ? run.view() : undefined);
        continue;
      }
      // An invoked actor's activity cannot be handed to the next run: its outcome comes first.
      if (run.invoked.size > 0) {
        await condition(() => run.invoked.size === 0 || run.mailbox.size > 0);
        continue;
      }
      await condition(allHandlersFinished);
      // The next run starts afresh: whatever the read model still misses must land first.
      if (run.projectionsPending) await run.projectionsLanded();
      if (run.mailbox.size > 0) continue;
      const { resume: _previous, ...rest } = args;
      await continueAsNew<(next: ProcessArgs) => Promise<ProcessView>>({
        ...rest,
        // A migrated instance goes on with the version it moved to.
        version: run.definition.version,
        resume: run.resumeState(),
      });
    }
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => run.cancelledOutside());
      if (run.projectionsPending) {
        await CancellationScope.nonCancellable(() => run.projectionsLanded());
      }
    }
    throw error;
  }

  if (answersAfterAnEvent && run.mailbox.size > 0) await boundary.answerBoundary();
  run.refuseRemaining();
  await condition(allHandlersFinished);
  if (run.projectionsPending) await run.projectionsLanded();
  if (args.child) return childResult(run);
  return run.view();
}

/**
 * A child machine's outcome for its parent: the output of its final state; a child cancelled
 * before it got there (an operator's cancel) fails, so its parent takes `xstate.error.actor`.
 */
function childResult(run: ProcessActor): ChildMachineResult {
  if (run.snapshot.status !== 'done') {
    throw ApplicationFailure.nonRetryable(
      `The child machine was cancelled in state ${run.currentState()}`,
      'ChildCancelled',
    );
  }
  return { ...run.view(), output: run.snapshot.output };
}

/** The bulk action a request names, when it names one in the API's form; else none. */
const bulkActionOf = (request: { readonly bulkAction?: unknown } | undefined) =>
  typeof request?.bulkAction === 'string' && BULK_ACTION_ID_PATTERN.test(request.bulkAction)
    ? { bulkAction: request.bulkAction }
    : {};
