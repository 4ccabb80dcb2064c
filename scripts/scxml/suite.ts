/**
 * The SCXML tests of the conformance run: the ones XState runs itself
 * (`packages/core/test/scxml.test.ts` of statelyai/xstate at b1811bf, July 2026: the names it
 * does not comment out), from the npm package `@scion-scxml/test-framework` (2.0.16, fetched on the first run): per test a
 * `<name>.scxml` and a `<name>.json` with the configurations expected.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SUITE_PACKAGE = '@scion-scxml/test-framework';

const W3C_ECMA = [
  144,
  147,
  148,
  149,
  158,
  172,
  173,
  174,
  175,
  176,
  185,
  186,
  187,
  189,
  190,
  191,
  192,
  193,
  200,
  201,
  205,
  208,
  220,
  232,
  235,
  237,
  247,
  287,
  318,
  333,
  335,
  336,
  337,
  339,
  342,
  347,
  348,
  349,
  355,
  372,
  375,
  377,
  387,
  396,
  399,
  '403a',
  '403b',
  '403c',
  404,
  405,
  406,
  407,
  416,
  417,
  419,
  421,
  423,
  445,
  449,
  453,
  495,
  503,
  504,
  505,
  560,
  570,
].map((n) => `test${n}.txml`);

const numbered = (prefix: string, names: readonly (number | string)[]): string[] =>
  names.map((name) => `${prefix}${name}`);

const GROUPS: Readonly<Record<string, readonly string[]>> = {
  actionSend: numbered('send', [1, 2, 3, 4, '4b', 7, '7b', 8, '8b', 9]),
  'assign-current-small-step': numbered('test', [0, 1, 2, 3, 4]),
  basic: numbered('basic', [0, 1, 2]),
  'cond-js': [...numbered('test', [0, 1, 2]), 'TestConditionalTransition'],
  'default-initial-state': numbered('initial', [1, 2]),
  delayedSend: numbered('send', [1, 2, 3]),
  documentOrder: ['documentOrder0'],
  hierarchy: numbered('hier', [0, 1, 2]),
  'hierarchy+documentOrder': numbered('test', [0, 1]),
  history: numbered('history', [0, 1, 2, 3, 4, '4b', 5, 6]),
  'if-else': ['test0'],
  in: ['TestInPredicate'],
  'internal-transitions': numbered('test', [0, 1]),
  'more-parallel': numbered('test', [0, 1, 2, '2b', 3, '3b', 4, 5, 6, '6b', 7, 8, 9, 10, '10b']),
  'multiple-events-per-transition': ['test1'],
  parallel: numbered('test', [0, 1, 2, 3]),
  'parallel+interrupt': numbered('test', [
    ...Array.from({ length: 7 }, (_, n) => n),
    7,
    '7b',
    ...Array.from({ length: 13 }, (_, n) => n + 8),
    21,
    '21b',
    '21c',
    22,
    23,
    24,
    25,
    27,
    28,
    29,
    30,
    31,
  ]),
  'targetless-transition': numbered('test', [0, 1, 2, 3]),
  'w3c-ecma': W3C_ECMA,
};

/** `group/name` of every test of the run, in XState's order. */
export const TEST_NAMES: readonly string[] = Object.entries(GROUPS).flatMap(([group, names]) =>
  names.map((name) => `${group}/${name}`),
);

export interface ScionTest {
  readonly initialConfiguration: readonly string[];
  readonly events: readonly {
    readonly event: { readonly name: string; readonly data?: unknown };
    readonly nextConfiguration: readonly string[];
    readonly after?: number;
  }[];
}

const SUITE_VERSION = '2.0.16';

/**
 * The `test/` folder of the package, fetched once into `into` with `npm pack` (the tarball
 * alone, from the registry npm uses: none of the package's own dependencies) and unpacked there.
 */
export async function downloadedSuite(into: string): Promise<string> {
  const folder = join(into, SUITE_VERSION);
  const tests = join(folder, 'package', 'test');
  if (existsSync(join(folder, 'package', 'package.json'))) return tests;
  await mkdir(folder, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await run(npm, [
    'pack',
    `${SUITE_PACKAGE}@${SUITE_VERSION}`,
    '--pack-destination',
    folder,
    '--silent',
  ]);
  const tarball = join(folder, stdout.trim().split('\n').at(-1)!);
  await run('tar', ['-xzf', tarball, '-C', folder]);
  return tests;
}

export async function loadTest(
  suite: string,
  name: string,
): Promise<{ readonly source: string; readonly test: ScionTest }> {
  const [source, json] = await Promise.all([
    readFile(join(suite, `${name}.scxml`), 'utf8'),
    readFile(join(suite, `${name}.json`), 'utf8'),
  ]);
  return { source, test: JSON.parse(json) as ScionTest };
}
