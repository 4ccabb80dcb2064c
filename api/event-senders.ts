/** Who may send which event: the definitions say, per event type; admins always may. */
import type { Caller } from './auth.js';
import type { EventSender, ProcessDefinition } from '../machines/process-definition.js';

/** The sender the definition names for an event type (own keys only: `constructor` is none). */
export const senderOf = (definition: ProcessDefinition, eventType: string): EventSender =>
  (definition.eventSenders && Object.hasOwn(definition.eventSenders, eventType)
    ? definition.eventSenders[eventType]
    : undefined) ?? 'client';

/** Who may send an event of this type: admins always; else the definition says. */
export function maySend(caller: Caller, definition: ProcessDefinition, eventType: string): boolean {
  const sender = senderOf(definition, eventType);
  if (sender === 'praxisflow') return false;
  if (caller.role === 'admin') return true;
  return sender === 'both' || sender === caller.role;
}

export function senderDetail(eventType: string, sender: EventSender): string {
  switch (sender) {
    case 'praxisflow':
      return `${eventType} is sent by praxisflow's documents API, not through the events route`;
    case 'operator':
      return `${eventType} is sent by the back office, not with this API key`;
    default:
      return `${eventType} is sent by the practice, not with this API key`;
  }
}

/** Whether an event's payload schema has this field. */
export const takesField = (schema: unknown, field: string): boolean => {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  return typeof shape === 'object' && shape !== null && field in shape;
};
