/**
 * `npm run conformance`: the SCXML tests XState runs itself (scripts/scxml/suite.ts), each
 * converted to an XState machine (tests/fixtures/scxml-machine.ts) and run twice: by XState's
 * `createActor` with a simulated clock (a) and by praxisflow's interpreter in Temporal's
 * time-skipping test server (b). After the start and after every event of the test, the active
 * atomic states of (a) and (b) are compared with each other and with the test's expectation.
 * Not part of `npm test`. Prints a table; writes bench/results/scxml-conformance.json.
 *
 *   npm run conformance                         tests of @scion-scxml/test-framework, fetched once into .praxisflow/
 *   npm run conformance -- --suite <dir>        from that package's test/ folder elsewhere
 *   npm run conformance -- --only parallel      only tests whose name contains this
 *
 * Delays are multiplied by TIME_SCALE on both sides (1 ms becomes 1 min): the test server's clock
 * runs on by some milliseconds while the run talks to it, which would otherwise decide the order
 * of a timer and an event due at nearly the same instant.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NotConvertible, sanitizeId, type ScxmlInput } from '../tests/fixtures/scxml-actions.js';
import type { AnyStateMachine } from 'xstate';
import { refusedActors } from '../machines/promise-activity.js';
import { scxmlMachine } from '../tests/fixtures/scxml-machine.js';
import { c, log } from './lib/log.js';
import { ensureTestServer } from './lib/test-server.js';
import { InterpreterRun, WorkflowTaskFailure } from './scxml/interpreter.js';
import { runReference, type Observed } from './scxml/reference.js';
import { SUITE_PACKAGE, TEST_NAMES, downloadedSuite, loadTest } from './scxml/suite.js';
import { parseXml } from './scxml/xml.js';
import { TEST_SERVER } from './toolchain.js';

const TIME_SCALE = 60_000;
const XSTATE_VERSION = (
  createRequire(import.meta.url)('xstate/package.json') as { version: string }
).version;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(root, 'bench', 'results', 'scxml-conformance.json');

type Configuration = readonly string[] | { readonly error: string };

interface TestResult {
  readonly name: string;
  readonly outcome: 'compared' | 'notConvertible' | 'refused' | 'failed';
  /** Why not convertible, the interpreter's refusal, or the error of a failed run. */
  readonly reason?: string;
  /** The test's configurations: after the start, then after each event. */
  readonly expected: readonly (readonly string[])[];
  readonly reference?: readonly Configuration[];
  readonly interpreter?: readonly Configuration[];
  /** (b) = (a) after the start and after every event. */
  readonly equal?: boolean;
  readonly referenceAsExpected?: boolean;
  readonly interpreterAsExpected?: boolean;
  /** Only the configuration at the end as expected. */
  readonly referenceEndsAsExpected?: boolean;
  readonly interpreterEndsAsExpected?: boolean;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const configurations = (observed: Observed): Configuration[] => [
  observed.initial,
  ...observed.steps,
];

async function suiteFolder(given: string | undefined): Promise<string> {
  return given ? resolve(given) : downloadedSuite(join(root, '.praxisflow', 'scxml-suite'));
}

async function suiteVersion(folder: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(folder, '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version;
  } catch {
    return undefined;
  }
}

async function runTest(name: string, folder: string, run: InterpreterRun): Promise<TestResult> {
  const { source, test } = await loadTest(folder, name);
  const expected = [test.initialConfiguration, ...test.events.map((e) => e.nextConfiguration)].map(
    (configuration) => configuration.map(sanitizeId).sort(),
  );
  let input: ScxmlInput;
  let machine: AnyStateMachine;
  let reference: Configuration[];
  try {
    input = { document: parseXml(source), timeScale: TIME_SCALE };
    machine = scxmlMachine(input);
    reference = configurations(runReference(machine, test, TIME_SCALE));
  } catch (error) {
    // A document the XML reader cannot read counts as not convertible too.
    if (!(error instanceof NotConvertible) && !String(error).startsWith('Error: XML:')) throw error;
    return { name, outcome: 'notConvertible', reason: (error as Error).message, expected };
  }
  // What registering the machine as a process would refuse (machines/registry.ts).
  const refusals = refusedActors(machine);
  if (refusals.length > 0) {
    return { name, outcome: 'refused', reason: refusals.join(' '), expected, reference };
  }
  let interpreter: Configuration[];
  try {
    interpreter = configurations(await run.run(input, test));
  } catch (error) {
    // The interpreter's refusal of an action or actor fails the workflow task with this.
    const refused =
      error instanceof WorkflowTaskFailure && error.message.startsWith('praxisflow cannot');
    const outcome = refused ? 'refused' : 'failed';
    return { name, outcome, reason: (error as Error).message, expected, reference };
  }
  const last = expected.length - 1;
  return {
    name,
    outcome: 'compared',
    expected,
    reference,
    interpreter,
    equal: same(reference, interpreter),
    referenceAsExpected: same(reference, expected),
    interpreterAsExpected: same(interpreter, expected),
    referenceEndsAsExpected: same(reference[last], expected[last]),
    interpreterEndsAsExpected: same(interpreter[last], expected[last]),
  };
}

const show = (configuration: Configuration | undefined): string =>
  configuration === undefined
    ? '–'
    : 'error' in configuration
      ? `error: ${configuration.error}`
      : configuration.join(' ');

function firstDifference(result: TestResult): string {
  const index = result.reference!.findIndex((a, i) => !same(a, result.interpreter![i]));
  const when = index === 0 ? 'after the start' : `after event ${index}`;
  return `${when}: (a) ${show(result.reference![index])}, (b) ${show(result.interpreter![index])}`;
}

function summarise(results: readonly TestResult[]) {
  const compared = results.filter((r) => r.outcome === 'compared');
  const count = (predicate: (r: TestResult) => boolean | undefined) =>
    compared.filter(predicate).length;
  return {
    tests: results.length,
    compared: compared.length,
    equal: count((r) => r.equal),
    mismatch: count((r) => !r.equal),
    notConvertible: results.filter((r) => r.outcome === 'notConvertible').length,
    refused: results.filter((r) => r.outcome === 'refused').length,
    failed: results.filter((r) => r.outcome === 'failed').length,
    referenceAsExpected: count((r) => r.referenceAsExpected),
    interpreterAsExpected: count((r) => r.interpreterAsExpected),
    referenceEndsAsExpected: count((r) => r.referenceEndsAsExpected),
    interpreterEndsAsExpected: count((r) => r.interpreterEndsAsExpected),
  };
}

function report(results: readonly TestResult[], summary: ReturnType<typeof summarise>): void {
  const row = (label: string, value: number) => `  ${label.padEnd(52)}${String(value).padStart(4)}`;
  console.log(
    [
      '',
      c.bold('SCXML conformance: (a) XState createActor, (b) praxisflow interpreter'),
      row('tests (XState’s own SCXML test list)', summary.tests),
      row('not convertible', summary.notConvertible),
      row('refused by the interpreter', summary.refused),
      row('failed to run in the interpreter', summary.failed),
      row('compared', summary.compared),
      row('  (b) = (a) after the start and every event', summary.equal),
      row('  (b) ≠ (a): mismatch', summary.mismatch),
      row('  (a) as the test expects, every step', summary.referenceAsExpected),
      row('  (b) as the test expects, every step', summary.interpreterAsExpected),
      row('  (a) ends as the test expects', summary.referenceEndsAsExpected),
      row('  (b) ends as the test expects', summary.interpreterEndsAsExpected),
      '',
    ].join('\n'),
  );
  const listed = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    console.log(c.bold(title));
    for (const line of lines) console.log(`  ${line}`);
    console.log('');
  };
  listed(
    'Mismatches',
    results
      .filter((r) => r.outcome === 'compared' && !r.equal)
      .map((r) => `${r.name}: ${firstDifference(r)}`),
  );
  for (const outcome of ['refused', 'failed', 'notConvertible'] as const) {
    listed(
      {
        refused: 'Refused by the interpreter',
        failed: 'Failed',
        notConvertible: 'Not convertible',
      }[outcome],
      results.filter((r) => r.outcome === outcome).map((r) => `${r.name}: ${r.reason ?? ''}`),
    );
  }
}

const { values } = parseArgs({
  options: { suite: { type: 'string' }, only: { type: 'string' } },
});
try {
  const folder = await suiteFolder(values.suite);
  const names = TEST_NAMES.filter((name) => !values.only || name.includes(values.only));
  const testServer =
    process.env.TEMPORAL_TEST_SERVER_PATH ?? (await ensureTestServer(TEST_SERVER, true));
  log.step(`${names.length} SCXML tests from ${folder}`);
  const run = await InterpreterRun.start(testServer);
  const results: TestResult[] = [];
  try {
    for (const name of names) {
      const result = await runTest(name, folder, run);
      results.push(result);
      const mark =
        result.outcome === 'compared' ? (result.equal ? c.green('=') : c.red('≠')) : c.yellow('·');
      process.stdout.write(
        `${mark} ${name}${result.outcome === 'compared' ? '' : ` (${result.outcome})`}\n`,
      );
    }
  } finally {
    await run.stop();
  }
  const summary = summarise(results);
  report(results, summary);
  await mkdir(dirname(RESULTS), { recursive: true });
  await writeFile(
    RESULTS,
    `${JSON.stringify(
      {
        ranAt: new Date().toISOString(),
        xstate: XSTATE_VERSION,
        suite: { package: SUITE_PACKAGE, version: await suiteVersion(folder) },
        timeScale: TIME_SCALE,
        summary,
        results,
      },
      null,
      2,
    )}\n`,
  );
  log.info(`written: ${RESULTS}`);
  process.exitCode = summary.mismatch > 0 || summary.failed > 0 ? 1 : 0;
} catch (error) {
  log.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
