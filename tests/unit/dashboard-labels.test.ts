import { getStateNodes } from '@xstate/graph';
import { initialTransition, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { processExamples } from '../../api/openapi/process-examples.js';
import { invitationProcess } from '../../machines/invitation.js';
import { latestDefinition, processTypes } from '../../machines/registry.js';
import {
  EVENT_LABELS,
  eventLabel,
  FIELD_LABELS,
  fieldLabel,
  TIMER_LABELS,
} from '../../web/src/labels.js';

/**
 * The dashboard names every event, timer and context field in German: no button reads
 * „APPLICATION_UPDATED“, no timer „draftExpiry“, no field „Follow Up Of“. A machine that adds
 * one without a German name fails here.
 */
const definitions = [...processTypes().map((type) => latestDefinition(type)!), invitationProcess];
const machineOf = (definition: (typeof definitions)[number]) =>
  definition.machine as AnyStateMachine;

const nodesOf = (machine: AnyStateMachine) =>
  getStateNodes(machine.root) as unknown as {
    config: { on?: object; after?: object };
  }[];

/** Every key of a value, however deep, through objects and arrays. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysOf(inner, into);
    }
  }
  return into;
}

describe('German names in the dashboard', () => {
  it.each(
    definitions.map((definition) => [definition.type, definition.version, definition] as const),
  )('%s (version %i): every event has one', (_type, _version, definition) => {
    const events = new Set([
      ...Object.keys(definition.events),
      ...nodesOf(machineOf(definition)).flatMap((node) => Object.keys(node.config.on ?? {})),
    ]);
    const missing = [...events].filter((event) => !(event in EVENT_LABELS));
    expect(missing).toEqual([]);
  });

  it.each(
    definitions.map((definition) => [definition.type, definition.version, definition] as const),
  )('%s (version %i): every timer has one', (_type, _version, definition) => {
    const machine = machineOf(definition);
    const delays = new Set([
      ...Object.keys(machine.implementations.delays),
      ...nodesOf(machine).flatMap((node) => Object.keys(node.config.after ?? {})),
    ]);
    const missing = [...delays].filter((delay) => !(delay in TIMER_LABELS));
    expect(missing).toEqual([]);
  });

  it.each(processTypes().map((type) => [type] as const))(
    '%s: every field of its context has one',
    (type) => {
      const definition = latestDefinition(type)!;
      const input = definition.input.parse(processExamples[type]!.input);
      const [snapshot] = initialTransition(machineOf(definition), input);
      const missing = [...keysOf(snapshot.context)].filter(
        (key) => !(key in FIELD_LABELS) && !(definition.redact ?? []).includes(key),
      );
      expect(missing).toEqual([]);
    },
  );

  it('names the audit trail’s events in German, timers by their German name', () => {
    expect(eventLabel('APPLICATION_UPDATED')).toBe('Antrag bearbeitet');
    expect(eventLabel('REGISTRATION_LINK_ISSUED')).toBe('Registrierungslink versandt');
    expect(eventLabel('xstate.after.draftExpiry.ehbaApplication.inProgress')).toBe(
      'Frist abgelaufen: Verwerfen des Entwurfs',
    );
    expect(fieldLabel('followUpOf')).toBe('Folgeantrag zu');
    expect(fieldLabel('submittedAt')).toBe('Abgeschlossen am');
  });
});
