/**
 * The libraries every workflow shares (`preloadModules` in worker/worker.ts). The SDK's reusable
 * V8 context evaluates a module afresh for each workflow unless it is preloaded: zod alone then
 * held ~0.6 MB of every cached workflow (bench/README.md, "Per-workflow memory"). Preloaded, a
 * module is evaluated once, before any workflow, and deep-frozen.
 *
 * Only libraries whose module state no workflow can tell apart belong here: zod (its caches are
 * keyed weakly by the schemas, which stay each workflow's own) and xstate (its one counter
 * names actors the interpreter never creates). Machines and their schemas are each workflow's
 * own: zod sets properties on a schema at its first use, which a frozen one refuses.
 *
 * What a frozen zod refuses, and how it is kept from asking:
 * - it completes a schema class's prototype when it builds the first schema of that class, and
 *   sets its English messages at the first schema ("Cannot add property localeError, object is
 *   not extensible"): this module builds and parses one schema of every kind before the freeze
 *   (tests/unit/shared-libraries.test.ts checks that every kind a definition uses is among them);
 * - a format check resets its pattern's `lastIndex`, and the email and date formats use patterns
 *   of zod's own module by default: the definitions copy them (`emailFormat`, `isoDate` in
 *   machines/fields.ts).
 * tests/workflows/shared-libraries.test.ts checks every schema of every definition inside a
 * workflow against the same schema in Node.
 */
import * as xstate from 'xstate';
import * as zod from 'zod';

const { z } = zod;

/** One schema of every kind zod builds, each through the factory a definition would call. */
export function warmUpSchemas(): zod.ZodType[] {
  const text = z.string().trim().min(1).max(10).regex(/^a/);
  const object = z.object({ text, count: z.number().int().min(0).max(9) });
  const withCustom = object.superRefine(() => undefined).refine(() => true);
  return [
    text,
    z.email(),
    z.string().check(z.email()),
    z.uuid(),
    z.url(),
    z.iso.date(),
    z.iso.datetime(),
    z.iso.time(),
    z.iso.duration(),
    z.number().positive(),
    z.int(),
    z.bigint(),
    z.boolean(),
    z.date(),
    z.null(),
    z.undefined(),
    z.any(),
    z.unknown(),
    z.never(),
    z.array(text).min(1).max(3),
    object,
    object.strict(),
    object.passthrough(),
    object.extend({ more: z.boolean() }),
    object.pick({ text: true }),
    object.partial(),
    withCustom,
    z.union([text, z.number()]),
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('a') }),
      z.object({ kind: z.literal('b') }),
    ]),
    z.intersection(object, z.object({ other: z.boolean() })),
    z.tuple([text]),
    z.record(z.string(), z.number()),
    z.enum(['a', 'b']),
    z.literal('a'),
    text.transform((value) => value.length),
    text.pipe(z.string()),
    text.optional(),
    text.nullable(),
    text.nullish(),
    text.default('a'),
    text.prefault('a'),
    text.optional().nonoptional(),
    text.catch('a'),
    text.readonly(),
    z.lazy(() => text),
    z.custom<string>((value) => typeof value === 'string'),
  ];
}

// Both libraries whole, not only the modules the warm-up calls into: workflows use the rest.
void [xstate, zod];

// Every parse builds what zod keeps for later ones: a success, a failure with its messages.
for (const schema of warmUpSchemas()) {
  schema.safeParse({ text: 'a', count: 1, kind: 'a', other: true });
  schema.safeParse(Symbol('nothing a schema takes'));
}
