import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { definitionOf, migrationsOf, processTypes } from '../../machines/registry.js';
import { warmUpSchemas } from '../../workflows/shared-libraries.js';

/**
 * Workflows share one zod that the SDK freezes after workflows/shared-libraries.ts has built one
 * schema of every kind: zod completes a kind's prototype when it builds the first schema of it,
 * which a frozen prototype refuses. So every kind a definition uses must be among those.
 */

interface Internals {
  readonly constr: { readonly name: string };
  readonly def: Readonly<Record<string, unknown>>;
}

const internalsOf = (value: unknown): Internals | undefined =>
  (value as { _zod?: Internals } | null)?._zod;

/** The schema kinds (zod's classes) in a schema and everything it is made of. */
function kindsOf(schemas: readonly unknown[]): Map<unknown, string> {
  const kinds = new Map<unknown, string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    const internals = internalsOf(value);
    if (!internals || seen.has(value)) return;
    seen.add(value);
    kinds.set(internals.constr, internals.constr.name);
    for (const part of Object.values(internals.def)) {
      if (Array.isArray(part)) part.forEach(visit);
      else if (internalsOf(part)) visit(part);
      else if (part && typeof part === 'object') Object.values(part).forEach(visit);
    }
  };
  schemas.forEach(visit);
  return kinds;
}

function definitionSchemas(): z.ZodType[] {
  const schemas: z.ZodType[] = [];
  for (const type of processTypes()) {
    for (let version = 1; definitionOf(type, version); version++) {
      const definition = definitionOf(type, version)!;
      schemas.push(definition.input, ...Object.values(definition.events));
    }
    schemas.push(...migrationsOf(type).map((migration) => migration.context));
  }
  return schemas;
}

describe('the schemas workflows build before zod is frozen', () => {
  it('when the definitions are walked, then every kind of schema they use was built before', () => {
    const warmedUp = kindsOf(warmUpSchemas());
    const used = kindsOf(definitionSchemas());

    const missing = [...used].filter(([kind]) => !warmedUp.has(kind)).map(([, name]) => name);
    expect(used.size).toBeGreaterThan(10);
    expect(missing, 'add one of each to warmUpSchemas in workflows/shared-libraries.ts').toEqual(
      [],
    );
  });
});
