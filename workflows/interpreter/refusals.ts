import { ApplicationFailure } from '@temporalio/workflow';
import type { AnyMachineSnapshot } from 'xstate';
import type { RejectionEmit } from '../../machines/process-definition.js';
import { SendFailure, type SendFailureDetails } from './types.js';
import { leafPaths } from './view.js';

/**
 * Why a process does not take an event: what the update handler throws to its caller (the API
 * maps it to problem+json) — a validator's refusal before anything is written, a job's refusal
 * when its turn comes, or a machine's own `rejected` emit.
 */
export interface Refusal {
  readonly type: string;
  readonly details: SendFailureDetails;
  toFailure(): ApplicationFailure;
}

export function refusal(type: string, details: SendFailureDetails): Refusal {
  return {
    type,
    details,
    toFailure: () =>
      ApplicationFailure.create({
        type,
        message: details.detail,
        details: [details],
        nonRetryable: true,
      }),
  };
}

/** What a state's `meta.refusals` says about an event it does not take. */
interface RefusalsMeta {
  readonly refusals?: Readonly<Record<string, unknown>>;
}

/**
 * Why an event is not allowed now: the reason the active state gives in its
 * `meta.refusals` (German, for the person who asked: "nach der Freischaltung nicht mehr
 * möglich …"), else the generic sentence naming the state.
 */
export function notAllowedDetail(snapshot: AnyMachineSnapshot, type: string): string {
  const metas = Object.values(snapshot.getMeta() as Record<string, RefusalsMeta | undefined>);
  for (const meta of metas.reverse()) {
    const reason = meta?.refusals?.[type];
    if (typeof reason === 'string') return reason;
  }
  return `Event ${type} is not allowed in state ${leafPaths(snapshot.value).join(', ')}`;
}

/**
 * The refusal a machine's `rejected` emit stands for. A 409 names what the process takes now
 * (`allowedEvents`), as the interpreter's own 409 does.
 */
export function rejection(emitted: RejectionEmit, allowedEvents: () => string[]): Refusal {
  return refusal(SendFailure.rejected, {
    status: emitted.status,
    detail: emitted.detail,
    ...(emitted.path ? { errors: [{ path: emitted.path, message: emitted.detail }] } : {}),
    ...(emitted.status === 409 ? { allowedEvents: allowedEvents() } : {}),
  });
}
