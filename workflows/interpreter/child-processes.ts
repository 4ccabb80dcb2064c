import { ParentClosePolicy, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ProcessStarted, StartProcessParams } from '../../machines/process-definition.js';
import { planStart, START_DRAWS, StartRefusal, type StartPlan } from '../start-plan.js';
import type { ProcessArgs } from './types.js';

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
  for (let draw = 1; ; draw++) {
    let plan: StartPlan;
    try {
      plan = planStart(
        definition,
        { origin: 'process', input: params.input },
        { now: new Date(), random: Math.random, newKey: uuid4 },
      );
    } catch (error) {
      if (error instanceof StartRefusal) throw new StartProcessError(params.type, error.message);
      throw error;
    }
    const { processId, businessKey } = plan;
    const practiceId = plan.practiceId ?? parent.practiceId;
    const args: ProcessArgs = {
      input: plan.input,
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
      // A key the machine chose is taken by someone else; a drawn one is drawn again.
      const field = definition.businessKeyField;
      if (field && typeof params.input[field] === 'string') throw new ProcessKeyTaken(processId);
      if (draw >= START_DRAWS) throw error;
    }
  }
}
