import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { processExamples } from '../../api/openapi/process-examples.js';
import { definitionOf, migrationsOf, processTypes } from '../../machines/registry.js';
import { schemaAnswer, schemaOf, type SchemaCase } from '../fixtures/schema-cases.js';
import { TASK_QUEUE, useTimeSkippingWorker } from '../support/workflow-env.js';

/**
 * Workflows share one zod, evaluated before any workflow and frozen by the SDK
 * (workflows/shared-libraries.ts). Every schema a workflow checks with — each definition's input
 * and events, each migration's context — must answer inside a workflow exactly what it answers
 * in Node (the API's zod): a valid payload with the same parsed value, a bad one with the same
 * field errors. A schema that needs something zod cannot do once frozen fails here.
 */
const testEnv = useTimeSkippingWorker({});

/** A payload whose every field is `value`: each field's own checks run on a wrong value. */
function everyField(schema: z.ZodType, value: unknown): Record<string, unknown> {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : {};
  return Object.fromEntries(Object.keys(shape).map((key) => [key, value]));
}

function casesOf(type: string, version: number, schema: string, example: unknown): SchemaCase[] {
  const payloadSchema = schemaOf({ type, version, schema, payload: undefined });
  const payloads = [
    example,
    {},
    everyField(payloadSchema, 'x'),
    everyField(payloadSchema, ' x '),
    everyField(payloadSchema, 42),
    everyField(payloadSchema, null),
  ];
  return payloads.map((payload) => ({ type, version, schema, payload: payload ?? {} }));
}

function everyCase(): SchemaCase[] {
  const cases: SchemaCase[] = [];
  for (const type of processTypes()) {
    const examples = processExamples[type];
    for (let version = 1; definitionOf(type, version); version++) {
      const definition = definitionOf(type, version)!;
      cases.push(...casesOf(type, version, 'input', examples?.input));
      for (const event of Object.keys(definition.events)) {
        cases.push(...casesOf(type, version, `event:${event}`, examples?.events[event]));
      }
    }
    for (const migration of migrationsOf(type)) {
      cases.push(...casesOf(type, migration.to, 'migration', {}));
    }
  }
  return cases;
}

describe('the zod every workflow shares', () => {
  it('when every schema checks its payloads inside a workflow, then each answers as in Node', async () => {
    const cases = everyCase();
    const inWorkflow = await testEnv().client.workflow.execute('schemaAnswers', {
      taskQueue: TASK_QUEUE,
      workflowId: `schema-answers-${randomUUID()}`,
      args: [cases],
    });

    const answers = cases.map((schemaCase) => schemaAnswer(schemaCase));
    expect(answers.some((answer) => answer.success)).toBe(true);
    expect(answers.some((answer) => !answer.success)).toBe(true);
    for (const [i, schemaCase] of cases.entries()) {
      expect(
        inWorkflow[i],
        `${schemaCase.type} ${schemaCase.version} ${schemaCase.schema}`,
      ).toEqual(answers[i]);
    }
  });
});
