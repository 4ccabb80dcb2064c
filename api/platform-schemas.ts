/** The process types' descriptions and the health answer. */
import { z } from 'zod';
import {
  healthExamples,
  machineDescriptionExamples,
  machineListExamples,
} from './openapi/examples.js';

export const machineList = z
  .object({
    items: z.array(
      z.object({
        type: z.string(),
        version: z.int().min(1),
        title: z.string().meta({ description: 'German title.' }),
      }),
    ),
  })
  .meta({
    id: 'MachineList',
    description: 'Process types with the version new instances start with.',
    examples: machineListExamples,
  });

export const machineDescription = z
  .object({
    type: z.string(),
    version: z.int().min(1),
    title: z.string(),
    initial: z.string().meta({ description: 'Id of the initial state.' }),
    states: z.array(
      z.object({
        id: z.string().meta({ description: 'Dotted state path.' }),
        label: z.string().nullable().meta({ description: 'German label.' }),
        description: z.string().nullable(),
        final: z.boolean(),
        events: z.array(z.string()).meta({ description: 'Outside events this state takes.' }),
        timers: z.array(z.string()).meta({ description: 'Timers started in this state.' }),
      }),
    ),
    events: z.array(z.string()).meta({ description: 'Every outside event of the type.' }),
    timers: z.array(
      z.object({
        name: z.string(),
        defaultMs: z.number().nullable().meta({ description: 'Default delay in milliseconds.' }),
        states: z.array(z.string()),
      }),
    ),
    transitions: z
      .array(
        z.object({
          from: z.string(),
          to: z.string(),
          event: z.string().meta({ description: 'Event type, or the timer name.' }),
          timer: z.boolean().meta({ description: 'Taken when the timer fires.' }),
          guarded: z.boolean().meta({ description: 'Taken only when its condition holds.' }),
        }),
      )
      .meta({ description: 'Every transition that changes state (for drawing the diagram).' }),
    mermaid: z.string().meta({ description: 'A Mermaid `stateDiagram-v2` of the machine.' }),
  })
  .meta({
    id: 'MachineDescription',
    description: 'States, labels, events, timers and a diagram of one machine version.',
    examples: machineDescriptionExamples,
  });

const partStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('up') }),
  z.object({ status: z.literal('down'), detail: z.string() }),
]);

export const health = z
  .object({
    status: z.enum(['up', 'down']).meta({ description: '`up` only when every part is up.' }),
    parts: z
      .record(z.string(), partStatus)
      .meta({ description: 'Per dependency: `temporal`, `postgres` and, if configured, `smtp`.' }),
  })
  .meta({
    id: 'Health',
    description: 'Reachability of Temporal, Postgres and the SMTP relay.',
    examples: healthExamples,
  });

// ---------------------------------------------------------------------------------------------
// Documents of the physicians' portal
