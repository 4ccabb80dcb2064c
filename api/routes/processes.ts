import { Router, type Request } from 'express';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import { latestDefinition, typeOfProcessId } from '../../machines/registry.js';
import {
  cancelUpdate,
  retryUpdate,
  timerUpdate,
  type CancelRequest,
  type ProcessArgs,
  type ProcessEvent,
  type ProcessView,
  type RetryRequest,
  type TimerRequest,
} from '../../workflows/protocol.js';
import { callerOf, mayActForPractice, requireRole, type Caller } from '../auth.js';
import { withChildStates } from '../child-views.js';
import { protectCardSecrets } from '../card-secrets.js';
import { maySend, senderDetail, senderOf, takesField } from '../event-senders.js';
import { AppError, notFound, validationError } from '../errors.js';
import type { ApiMetrics } from '../observability/metrics.js';
import {
  processId,
  refusalOf,
  openRevealed,
  previewEvent,
  sealedEvent,
  sendEventWithin,
  startProcessWorkflow,
  viewOf,
  viewWithin,
} from '../process-handles.js';
import type { ReadModel } from '../read-model.js';
import { sealSecretFields, type SecretSealer } from '../../storage/sealed-secrets.js';
import type { TransportPinLetterStore } from '../../storage/transport-pin-letters.js';
import { cancelBody, eventBody, startBody, timerFireBody, timerMoveBody } from '../schemas.js';
import { fromTemporal } from '../temporal-errors.js';
import { parseOrThrow } from '../validation.js';
import { planApiStart } from '../start-plan.js';
import { START_DRAWS } from '../../workflows/start-plan.js';

export interface ProcessRoutesDeps {
  readonly client: Client;
  readonly taskQueue: string;
  /** Key for hashed business keys. */
  readonly businessKeySecret: string;
  /** Per-deployment delay overrides handed to every new process. */
  readonly delays: Readonly<Record<string, number>>;
  readonly readModel: ReadModel;
  /** Seals the secret fields of inputs and events before they reach Temporal. */
  readonly secrets: SecretSealer;
  readonly metrics?: ApiMetrics;
  /** Where the Transport-PIN letters production hands over are sealed. */
  readonly transportPinLetters?: TransportPinLetterStore;
  /** How long an event's answer waits for its effects before it is a 202 (default 10 s). */
  readonly eventDeadlineMs?: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const DEFAULT_EVENT_DEADLINE_MS = 10_000;

/** For a preview: a letter is checked like a real one, but nothing is kept. */
const LETTERS_NOT_KEPT: TransportPinLetterStore = {
  seal: () => Promise.resolve('TP-vorschau'),
  open: () => Promise.resolve(undefined),
  destroy: () => Promise.resolve(),
};
/** Tries to ask a process without a read model row for its practice, before an event. */
const EVENT_LOOKUPS = 8;
/** What the send gets at least, however long the lookups before it took. */
const MIN_SEND_MS = 1_000;

const outcomeOf = (error: unknown): string => {
  const status = error instanceof AppError ? error.status : 500;
  return (
    { 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'invalid', 503: 'unavailable' }[
      status
    ] ?? 'error'
  );
};

export function processRoutes(deps: ProcessRoutesDeps): Router {
  const router = Router();

  /**
   * The process behind an id, if this caller may see it; anything else is the same 404, so
   * that a stranger's key learns nothing about which ids exist.
   */
  async function visibleProcess(
    req: Request,
    /** Tries to ask the process itself when the read model has no row yet. */
    lookups?: number,
  ): Promise<{ handle: WorkflowHandle; view?: ProcessView }> {
    const id = processId(req.params.id);
    const handle = deps.client.workflow.getHandle(id);
    const caller = callerOf(req);
    if (caller.role !== 'client') return { handle };
    const known = await deps.readModel.practiceOf(id);
    if (known) {
      if (!mayActForPractice(caller, known.practiceId)) throw notFound(`No process ${id}`);
      return { handle };
    }
    // Not (yet) in the read model: ask the process itself.
    const view = await viewOf(handle, lookups).catch((error: unknown) => {
      throw fromTemporal(error, id);
    });
    if (!mayActForPractice(caller, view.practiceId)) throw notFound(`No process ${id}`);
    return { handle, view };
  }

  router.post('/processes/:type', requireRole('admin', 'client'), async (req, res) => {
    const type = req.params.type as string;
    const definition = latestDefinition(type);
    if (!definition) throw notFound(`No process type ${type}`);
    try {
      const view = await start(req, definition);
      deps.metrics?.processStarted(type, 'ok');
      res
        .status(201)
        .location(`/api/v1/processes/${encodeURIComponent(view.id)}`)
        .json(view);
    } catch (error) {
      deps.metrics?.processStarted(type, outcomeOf(error));
      throw error;
    }
  });

  async function start(req: Request, definition: ProcessDefinition): Promise<ProcessView> {
    const { type } = definition;
    if (definition.startRoute) {
      throw validationError(`A ${type} process starts with ${definition.startRoute}`, [
        { path: 'type', message: `started by ${definition.startRoute}, not here` },
      ]);
    }
    const caller = callerOf(req);
    const body = parseOrThrow(startBody, req.body ?? {}, 'The request body');
    const input = isRecord(body.input)
      ? (await protectCardSecrets(body.input, 'input.')).body
      : body.input;
    for (let draw = 1; ; draw++) {
      const plan = planApiStart(
        definition,
        {
          input,
          ...(body.businessKey ? { businessKey: body.businessKey } : {}),
          ...(body.practiceId ? { practiceId: body.practiceId } : {}),
        },
        deps.businessKeySecret,
      );
      if (caller.role === 'client' && !mayActForPractice(caller, plan.practiceId ?? null)) {
        throw plan.practiceId
          ? new AppError(
              'forbidden',
              403,
              `This API key may not act for practice ${plan.practiceId}`,
            )
          : validationError('A client key starts processes for one of its practices', [
              { path: 'practiceId', message: 'required for this API key' },
            ]);
      }
      const args: ProcessArgs = {
        input: sealSecretFields(definition.input, plan.input, deps.secrets),
        version: definition.version,
        businessKey: plan.businessKey,
        actor: caller.keyId,
        delays: deps.delays,
        ...(plan.practiceId ? { practiceId: plan.practiceId } : {}),
      };
      try {
        return await startProcessWorkflow(deps, definition, args, plan.searchAttributes);
      } catch (error) {
        // An issued number that clashes with a running process: draw another one.
        const clash = error instanceof AppError && error.status === 409;
        if (!definition.issueBusinessKey || !clash || draw >= START_DRAWS) throw error;
      }
    }
  }

  router.get('/processes/:id', async (req, res) => {
    const { handle, view: known } = await visibleProcess(req);
    let view: ProcessView;
    try {
      view = known ?? (await viewWithin(handle));
    } catch (error) {
      throw fromTemporal(error, handle.workflowId);
    }
    // The service level is the read model's (it knows since when the state holds); the live
    // view answers without it while Postgres is away.
    const [detailed, sla] = await Promise.all([
      withChildStates(deps.client, view),
      deps.readModel.slaOf(view.id, view.state).catch(() => null),
    ]);
    res.json({ ...detailed, sla });
  });

  /**
   * An event as it goes to the process: its sender checked, its secrets protected (a
   * Transport-PIN letter sealed into `letters`) and sealed. `discard` drops a letter sealed for
   * an event that then did not go through.
   */
  async function preparedEvent(
    caller: Caller,
    handle: WorkflowHandle,
    event: ProcessEvent,
    letters: TransportPinLetterStore | undefined,
  ): Promise<{ readonly event: ProcessEvent; readonly discard: () => Promise<void> }> {
    const definition = latestDefinition(typeOfProcessId(handle.workflowId));
    if (definition && !maySend(caller, definition, event.type)) {
      throw new AppError(
        'forbidden',
        403,
        senderDetail(event.type, senderOf(definition, event.type)),
      );
    }
    // A letter is sealed only for an event that takes one: nothing is kept for nobody.
    const takesLetter = takesField(definition?.events[event.type], 'transportPinLetter');
    const secured = await protectCardSecrets(
      event,
      '',
      takesLetter
        ? { processId: handle.workflowId, ...(letters ? { store: letters } : {}) }
        : undefined,
    );
    const body = secured.body as ProcessEvent;
    return {
      event: definition ? sealedEvent(definition, body, deps.secrets) : body,
      discard: () => secured.discard(),
    };
  }

  router.post(
    '/processes/:id/events',
    requireRole('admin', 'operator', 'client'),
    async (req, res) => {
      // The deadline counts from here: a slow read model lookup is part of the wait.
      const arrivedAt = performance.now();
      // Eight tries wait about 3 s: more would eat the deadline while a worker restarts.
      const { handle } = await visibleProcess(req, EVENT_LOOKUPS);
      const caller = callerOf(req);
      const event = parseOrThrow(eventBody, req.body ?? {}, 'The event') as ProcessEvent;
      const type = typeOfProcessId(handle.workflowId);
      try {
        const prepared = await preparedEvent(caller, handle, event, deps.transportPinLetters);
        const deadlineMs = deps.eventDeadlineMs ?? DEFAULT_EVENT_DEADLINE_MS;
        const leftMs = Math.max(
          MIN_SEND_MS,
          Math.round(deadlineMs - (performance.now() - arrivedAt)),
        );
        const outcome = await sendEventWithin(
          handle,
          prepared.event,
          caller.keyId,
          leftMs,
          deps,
        ).catch(async (error: unknown) => {
          await prepared.discard();
          throw error;
        });
        deps.metrics?.eventSent(type, event.type, outcome.settled ? 'ok' : 'accepted');
        if (outcome.settled) {
          res.json(openRevealed(outcome.view, deps.secrets));
        } else {
          // Taken, but its effects still retry: the client looks again at Location.
          res.status(202).location(`/api/v1/processes/${encodeURIComponent(handle.workflowId)}`);
          if (outcome.view) res.json(openRevealed(outcome.view, deps.secrets));
          else res.end();
        }
      } catch (error) {
        deps.metrics?.eventSent(type, event.type, outcomeOf(error));
        throw error;
      }
    },
  );

  router.post(
    '/processes/:id/events/preview',
    requireRole('admin', 'operator', 'client'),
    async (req, res) => {
      const { handle } = await visibleProcess(req, EVENT_LOOKUPS);
      const caller = callerOf(req);
      const event = parseOrThrow(eventBody, req.body ?? {}, 'The event') as ProcessEvent;
      // Checked and protected like a real event; a Transport-PIN letter is checked, not kept.
      const prepared = await preparedEvent(caller, handle, event, LETTERS_NOT_KEPT);
      res.json(await previewEvent(handle, prepared.event, caller.keyId));
    },
  );

  router.delete('/processes/:id', requireRole('admin', 'operator'), async (req, res) => {
    const { handle } = await visibleProcess(req);
    const { reason } = parseOrThrow(cancelBody, req.body ?? {}, 'The request body');
    const request: CancelRequest = { reason, actor: callerOf(req).keyId };
    try {
      res.json(
        await handle.executeUpdate(cancelUpdate, {
          args: [request],
        }),
      );
    } catch (error) {
      throw await refusalOf(error, handle);
    }
  });

  /** An operator fires a timer now or moves it: one audited step of the process. */
  async function controlTimer(req: Request, request: Omit<TimerRequest, 'actor' | 'timer'>) {
    const { handle } = await visibleProcess(req);
    const timer = String(req.params.name);
    try {
      return await handle.executeUpdate(timerUpdate, {
        args: [{ ...request, timer, actor: callerOf(req).keyId }],
      });
    } catch (error) {
      throw await refusalOf(error, handle);
    }
  }

  router.post(
    '/processes/:id/timers/:name/fire',
    requireRole('admin', 'operator'),
    async (req, res) => {
      const { reason } = parseOrThrow(timerFireBody, req.body ?? {}, 'The request body');
      res.json(await controlTimer(req, { action: 'fire', reason }));
    },
  );

  router.post(
    '/processes/:id/timers/:name/move',
    requireRole('admin', 'operator'),
    async (req, res) => {
      const { dueAt, reason } = parseOrThrow(timerMoveBody, req.body ?? {}, 'The request body');
      res.json(
        await controlTimer(req, { action: 'move', dueAt: new Date(dueAt).toISOString(), reason }),
      );
    },
  );

  /** The `retry` update on a process's or a child machine's workflow, its refusal as a problem. */
  async function retryIncident(req: Request, handle: WorkflowHandle): Promise<ProcessView> {
    const request: RetryRequest = { actor: callerOf(req).keyId };
    try {
      return await handle.executeUpdate(retryUpdate, { args: [request] });
    } catch (error) {
      throw await refusalOf(error, handle);
    }
  }

  router.post('/processes/:id/retry', requireRole('admin', 'operator'), async (req, res) => {
    const { handle } = await visibleProcess(req);
    res.json(await retryIncident(req, handle));
  });

  /**
   * An operator retries the incident of a child machine the process runs now: the `retry`
   * update goes to the child's workflow, which runs the same interpreter. Answers the process.
   */
  router.post(
    '/processes/:id/children/:childId/retry',
    requireRole('admin', 'operator'),
    async (req, res) => {
      const { handle } = await visibleProcess(req);
      const view = await viewWithin(handle).catch((error: unknown) => {
        throw fromTemporal(error, handle.workflowId);
      });
      const childId = String(req.params.childId);
      const workflowId = (view.children ?? []).find((child) => child.id === childId)?.workflowId;
      if (!workflowId) throw notFound(`Process ${view.id} runs no child machine ${childId}`);
      await retryIncident(req, deps.client.workflow.getHandle(workflowId));
      res.json(await withChildStates(deps.client, await viewWithin(handle)));
    },
  );

  return router;
}
