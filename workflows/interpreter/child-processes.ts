import { ParentClosePolicy, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { schemaForPayload } from '../../machines/secrets.js';
import type { ProcessStarted, StartProcessParams } from '../../machines/process-definition.js';
import { processIdOf } from '../protocol.js';
import type { ProcessArgs } from './types.js';

/** Draws of an issued number before giving up: a clash is already one in 10^11. */
const MAX_DRAWS = 5;

/** A machine asked for something the interpreter cannot do: fail the task until it is fixed. */
class StartProcessError extends Error {
  constructor(type: string, why: string) {
    super(`startProcess ${type}: ${why}`);
    this.name = 'StartProcessError';
  }
}

/**
 * The business key a machine gave its child is held by a running process this one did not
 * start (within one history the SDK never issues a recorded child start again, so a clash is
 * always someone else's): not a success, an incident for the back office.
 */
export class ProcessKeyTaken extends Error {
  constructor(readonly processId: string) {
    super(
      `${processId} läuft bereits und wurde nicht von diesem Vorgang gestartet: ` +
        'bitte den fremden Vorgang prüfen (sperren oder abbrechen), dann wiederholen.',
    );
    this.name = 'ProcessKeyTaken';
  }
}

/**
 * Starts another process as a child workflow that outlives this one (ParentClosePolicy
 * ABANDON): an approved application ends the moment its card begins. Deterministic on replay:
 * an issued number is drawn with the workflow's seeded random, and a clash draws another. A
 * child already running under a business key the machine gave is `ProcessKeyTaken`.
 */
export async function startProcess(
  params: StartProcessParams,
  parent: ProcessArgs,
): Promise<ProcessStarted> {
  // Loaded only here: a workflow evaluates just its own machine, not every registered one.
  const { definitionOf, latestDefinition } = await import(
    /* webpackMode: "eager" */ '../../machines/registry.js'
  );
  const { workflowId: parentId, workflowType: parentType } = workflowInfo();
  // A process that starts one of its own kind (an exchange card its successor) starts it at its
  // own version: the input it gives is of that version. Others start the newest.
  const definition =
    params.type === parentType
      ? definitionOf(params.type, parent.version)
      : latestDefinition(params.type);
  if (!definition) throw new StartProcessError(params.type, 'no such process type');
  const field = definition.businessKeyField;
  const given = field ? params.input[field] : undefined;

  for (let draw = 1; ; draw++) {
    const businessKey =
      typeof given === 'string'
        ? given
        : (definition.issueBusinessKey?.(Math.random, new Date()) ?? uuid4());
    const input = field ? { ...params.input, [field]: businessKey } : params.input;
    const parsed = schemaForPayload(definition.input, input).safeParse(input);
    if (!parsed.success) {
      throw new StartProcessError(params.type, `invalid input: ${parsed.error.message}`);
    }
    const practiceId = definition.practiceId?.(parsed.data as never) ?? parent.practiceId;
    const processId = processIdOf(definition.type, businessKey);
    const args: ProcessArgs = {
      input: parsed.data,
      version: definition.version,
      businessKey,
      actor: parentId,
      ...(practiceId ? { practiceId } : {}),
      ...(parent.delays ? { delays: parent.delays } : {}),
    };
    try {
      await startChild(definition.type, {
        workflowId: processId,
        args: [args],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      return { processId, businessKey };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      if (typeof given === 'string') throw new ProcessKeyTaken(processId);
      if (draw >= MAX_DRAWS) throw error;
    }
  }
}
