import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors.js';
import { processExamples } from '../../api/openapi/process-examples.js';
import { cancelBody, eventBody, listQuery, startBody } from '../../api/schemas.js';
import { parseOrThrow } from '../../api/validation.js';
import { latestDefinition, processTypes } from '../../machines/registry.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Run } from '../support/machine-harness.js';

/**
 * Properties over generated input (fast-check): whatever outside events arrive in whatever
 * order, and whenever timers fire, every process stays in a labelled state and a finished one
 * takes nothing more; whatever a client sends, the validators answer 422 with named fields or
 * accept it — never another error.
 */

const AT = '2026-12-01T09:00:00.000Z';

describe('every machine under random events and timers', () => {
  for (const type of processTypes()) {
    const definition = latestDefinition(type)!;
    const examples = processExamples[type]!;
    const input = definition.input.parse(examples.input);
    const { start, send } = machineHarness(definition.machine);
    const outside = Object.keys(definition.events);

    it(`${type}: stays labelled, and a finished process takes no event`, () => {
      // A step: an outside event (by index) or the firing of a pending timer (by index).
      const step = fc.oneof(
        fc.record({ event: fc.nat({ max: outside.length - 1 }) }),
        fc.record({ timer: fc.nat({ max: 9 }) }),
      );
      fc.assert(
        fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
          let run: Run = start(input).run;
          for (const next of steps) {
            const allowed = allowedEvents(run.snapshot, outside);
            if (run.snapshot.status === 'done') {
              expect(allowed).toEqual([]);
              break;
            }
            if ('event' in next) {
              const name = outside[next.event]!;
              const event = {
                type: name,
                ...examples.events[name],
                receivedAt: AT,
                actor: 'key-fc',
              };
              if (!run.snapshot.can(event)) continue;
              run = send(run, event).run;
            } else {
              const timers = [...run.timers.keys()];
              if (timers.length === 0) continue;
              const id = timers[next.timer % timers.length]!;
              run = send(run, { type: id, receivedAt: AT, actor: 'timer' }).run;
            }
            for (const path of leafPaths(run.snapshot.value)) {
              expect(labelOf(definition.machine, path), `${type} ${path}`).not.toBe('');
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});

/** Anything a JSON body or a query string can hold. */
const anyInput = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
  fc.dictionary(
    fc.constantFrom('input', 'type', 'reason', 'q', 'state', 'limit', 'cursor', 'businessKey'),
    fc.oneof(fc.string({ unit: 'binary' }), fc.jsonValue()),
  ),
);

function validatesOrNames(schema: Parameters<typeof parseOrThrow>[0], value: unknown): void {
  try {
    parseOrThrow(schema, value, 'The body');
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const problem = error as AppError;
    expect(problem.status).toBe(422);
    const errors = problem.extra.errors as { path: string; message: string }[];
    expect(errors.length).toBeGreaterThan(0);
    for (const fieldError of errors) {
      expect(typeof fieldError.path).toBe('string');
      expect(fieldError.message).not.toBe('');
    }
  }
}

describe('the API validators under random input', () => {
  const schemas = {
    startBody,
    eventBody,
    cancelBody,
    listQuery,
    ...Object.fromEntries(
      processTypes().map((type) => [`${type} input`, latestDefinition(type)!.input]),
    ),
    ...Object.fromEntries(
      processTypes().flatMap((type) =>
        Object.entries(latestDefinition(type)!.events).map(([name, schema]) => [
          `${type} ${name}`,
          schema,
        ]),
      ),
    ),
  };
  it.each(Object.entries(schemas))(
    '%s: accepts or answers 422 naming the fields',
    (_name, schema) => {
      fc.assert(
        fc.property(anyInput, (value) => validatesOrNames(schema, value)),
        { numRuns: 200 },
      );
    },
  );

  it('refuses control characters in every text filter of the list', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('q', 'state', 'businessKey', 'practiceId', 'type'),
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 31 }),
        (name, text, control) => {
          const value = `${text}${String.fromCharCode(control)}`;
          expect(listQuery.safeParse({ [name]: value }).success).toBe(false);
        },
      ),
    );
  });
});
