import type { AnyMachineSnapshot } from 'xstate';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import { schemaForPayload } from '../../machines/secrets.js';
import {
  SendFailure,
  type FieldError,
  type ProcessEvent,
  type SendFailureDetails,
} from './types.js';
import { notAllowedDetail, refusal } from './refusals.js';
import { allowedEvents, leafPaths } from './view.js';

const fail = (type: string, details: SendFailureDetails): never => {
  throw refusal(type, details).toFailure();
};

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

const fieldErrors = (issues: readonly Issue[]): FieldError[] =>
  issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));

/**
 * Decides whether an outside event may enter the process now, without touching history:
 * unknown type or bad payload → 422, not allowed in the current state → 409.
 * Returns the event with its payload as the schema parsed it.
 */
export function checkEvent(
  definition: ProcessDefinition,
  snapshot: AnyMachineSnapshot,
  event: unknown,
): { parsed: ProcessEvent } {
  if (
    typeof event !== 'object' ||
    event === null ||
    typeof (event as { type?: unknown }).type !== 'string'
  ) {
    return fail(SendFailure.invalidPayload, {
      status: 422,
      detail: 'An event needs a string "type"',
      errors: [{ path: 'type', message: 'Required' }],
    });
  }
  const { type, ...payload } = event as ProcessEvent;
  // An own key only: `constructor` is no event.
  const schema = Object.hasOwn(definition.events, type) ? definition.events[type] : undefined;
  const known = Object.keys(definition.events);
  if (!schema) {
    return fail(SendFailure.unknownEvent, {
      status: 422,
      detail: `${definition.type} has no event ${type}; its events are ${known.join(', ')}`,
      errors: [{ path: 'type', message: `Unknown event ${type}` }],
    });
  }
  const state = leafPaths(snapshot.value).join(', ');
  const allowed = allowedEvents(snapshot, known);
  if (!allowed.includes(type)) {
    return fail(SendFailure.notAllowed, {
      status: 409,
      detail: notAllowedDetail(snapshot, type),
      allowedEvents: allowed,
    });
  }
  // Secret fields come sealed by the API, which checked their clear values.
  const result = schemaForPayload(schema, payload).safeParse(payload);
  if (!result.success) {
    return fail(SendFailure.invalidPayload, {
      status: 422,
      detail: `The payload of ${type} is invalid`,
      errors: fieldErrors(result.error.issues),
    });
  }
  const parsed = { ...(result.data as object), type } as ProcessEvent;
  if (!snapshot.can(parsed)) {
    return fail(SendFailure.notAllowed, {
      status: 409,
      detail: `Event ${type} is not allowed in state ${state} with this payload`,
      allowedEvents: allowed,
    });
  }
  return { parsed };
}

/**
 * An event that came as a signal (fire and forget, e.g. an appointment report through
 * signal-with-start): its type and payload must be right, whatever the state, since there is
 * nobody to answer a 409. Returns the parsed event, or why it is dropped.
 */
export function parseSignalledEvent(
  definition: ProcessDefinition,
  event: unknown,
): { parsed: ProcessEvent } | { problem: string } {
  const type = (event as { type?: unknown } | null)?.type;
  const schema =
    typeof type === 'string' && Object.hasOwn(definition.events, type)
      ? definition.events[type]
      : undefined;
  if (typeof type !== 'string' || !schema) {
    return { problem: `${definition.type} has no event ${String(type)}` };
  }
  const { type: _type, ...payload } = event as ProcessEvent;
  const result = schemaForPayload(schema, payload).safeParse(payload);
  if (!result.success) return { problem: `The payload of ${type} is invalid` };
  return { parsed: { ...(result.data as object), type } as ProcessEvent };
}
