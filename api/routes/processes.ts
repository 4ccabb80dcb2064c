import { Router } from 'express';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { z } from 'zod';
import { latestDefinition } from '../../machines/registry.js';
import { ProcessSearchAttributes } from '../../workflows/interpreter/search-attributes.js';
import {
  SEND_UPDATE,
  VIEW_QUERY,
  type ProcessArgs,
  type ProcessEvent,
  type ProcessView,
  type SendMeta,
} from '../../workflows/interpreter/types.js';
import { callerOf } from '../auth.js';
import { generatedBusinessKey, hashedBusinessKey, isValidBusinessKey } from '../business-key.js';
import { AppError, notFound, validationError } from '../errors.js';
import { fromTemporal, processEnded } from '../temporal-errors.js';
import { parseOrThrow } from '../validation.js';

export interface ProcessRoutesDeps {
  readonly client: Client;
  readonly taskQueue: string;
  /** Key for hashed business keys. */
  readonly businessKeySecret: string;
  /** Per-deployment delay overrides handed to every new process. */
  readonly delays: Readonly<Record<string, number>>;
}

const startBody = z.strictObject({
  businessKey: z
    .string()
    .refine(isValidBusinessKey, 'letters, digits, ".", "_" and "-", at most 100, no personal data')
    .optional(),
  practiceId: z.string().min(1).max(64).optional(),
  input: z.unknown(),
});

const eventBody = z.looseObject({ type: z.string().min(1).max(100) });

const PROCESS_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/** Asks the workflow for its view; right after a start the first workflow task may still run. */
async function viewOf(handle: WorkflowHandle, attempts = 20): Promise<ProcessView> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handle.query<ProcessView>(VIEW_QUERY);
    } catch (error) {
      const retriable = /not (yet )?ready|no poller|first workflow task/i.test(String(error));
      if (!retriable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** An update to a closed workflow reads as "not found"; the process exists but has ended: 409. */
async function refusalOf(error: unknown, handle: WorkflowHandle): Promise<unknown> {
  const mapped = fromTemporal(error, handle.workflowId);
  if (!(mapped instanceof AppError) || mapped.status !== 404) return mapped;
  try {
    const { status } = await handle.describe();
    return processEnded(handle.workflowId, ` (${status.name})`);
  } catch {
    return mapped;
  }
}

export function processRoutes(deps: ProcessRoutesDeps): Router {
  const router = Router();

  const handleFor = (id: string): WorkflowHandle => {
    if (!PROCESS_ID.test(id)) throw notFound(`No process ${id}`);
    return deps.client.workflow.getHandle(id);
  };

  router.post('/processes/:type', async (req, res) => {
    const type = req.params.type;
    const definition = latestDefinition(type);
    if (!definition) throw notFound(`No process type ${type}`);
    const body = parseOrThrow(startBody, req.body ?? {}, 'The request body');
    const input = parseOrThrow(definition.input, body.input, `The input of ${type}`, 'input');

    const derivedParts = definition.businessKeyParts?.(input as never);
    if (derivedParts && body.businessKey) {
      throw validationError(`The business key of ${type} is derived from its input`, [
        { path: 'businessKey', message: 'must not be given for this process type' },
      ]);
    }
    const businessKey = derivedParts
      ? hashedBusinessKey(deps.businessKeySecret, derivedParts)
      : (body.businessKey ?? generatedBusinessKey());
    const derivedPractice = definition.practiceId?.(input as never);
    if (body.practiceId && derivedPractice && body.practiceId !== derivedPractice) {
      throw validationError('practiceId differs from the input', [
        { path: 'practiceId', message: `must equal input.practiceId (${derivedPractice})` },
      ]);
    }
    const practiceId = body.practiceId ?? derivedPractice;
    const workflowId = `${type}-${businessKey}`;
    const args: ProcessArgs = {
      input,
      version: definition.version,
      businessKey,
      actor: callerOf(req).keyId,
      delays: deps.delays,
      ...(practiceId ? { practiceId } : {}),
    };
    let handle: WorkflowHandle;
    try {
      handle = await deps.client.workflow.start(type, {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [args],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [
          { key: ProcessSearchAttributes.type, value: type },
          { key: ProcessSearchAttributes.businessKey, value: businessKey },
          ...(practiceId ? [{ key: ProcessSearchAttributes.practiceId, value: practiceId }] : []),
        ],
      });
    } catch (error) {
      throw fromTemporal(error, workflowId);
    }
    const view = await viewOf(handle);
    res
      .status(201)
      .location(`/api/v1/processes/${encodeURIComponent(workflowId)}`)
      .json(view);
  });

  router.get('/processes/:id', async (req, res) => {
    const handle = handleFor(req.params.id);
    try {
      res.json(await viewOf(handle));
    } catch (error) {
      throw fromTemporal(error, req.params.id);
    }
  });

  router.post('/processes/:id/events', async (req, res) => {
    const handle = handleFor(req.params.id);
    const event = parseOrThrow(eventBody, req.body ?? {}, 'The event') as ProcessEvent;
    const meta: SendMeta = { actor: callerOf(req).keyId };
    try {
      res.json(
        await handle.executeUpdate<ProcessView, [ProcessEvent, SendMeta]>(SEND_UPDATE, {
          args: [event, meta],
        }),
      );
    } catch (error) {
      throw await refusalOf(error, handle);
    }
  });

  return router;
}
