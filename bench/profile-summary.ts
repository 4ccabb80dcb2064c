/**
 * Where a worker's CPU time went: reads the V8 CPU profiles a benchmark wrote with `--profile`
 * (one file per thread: the main thread runs activities and the SDK's plumbing, a workflow
 * thread runs the workflows) and sums each sample's time by what it ran — xstate, zod, the
 * interpreter, the Temporal SDK, garbage collection, … — then lists the heaviest functions.
 *
 * Workflow code runs from the SDK's bundle, one script for every module; the benchmark writes
 * the bundle beside the profiles, and its inline source map names each sample's module.
 *
 *   npx tsx bench/profile-summary.ts <dir or .cpuprofile files> [--window <from>,<to>] [--top N]
 *
 * `--window` keeps the samples between two instants of the monotonic clock in µs
 * (`process.hrtime`, the clock V8's profiler stamps its samples with): a benchmark writes the
 * instants of its phases into its results.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SourceMapConsumer } from 'source-map-js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** What a source file is part of, from its path. */
function categoryOf(path: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 and native code';
  if (path === '') return 'V8 and native code';
  const rules: readonly [RegExp, string][] = [
    [/node_modules\/xstate\//, 'xstate'],
    [/node_modules\/zod\//, 'zod'],
    [/node_modules\/@temporalio\/workflow\//, 'Temporal SDK: workflow runtime'],
    [/node_modules\/@temporalio\/worker\//, 'Temporal SDK: worker'],
    [/node_modules\/@temporalio\//, 'Temporal SDK: client, common, protos'],
    [/node_modules\/(protobufjs|@protobufjs|long)\//, 'protobuf'],
    [/node_modules\/(pg|pg-[a-z-]+)\//, 'Postgres driver'],
    [/node_modules\/nodemailer\//, 'nodemailer'],
    [/\/workflows\/interpreter\//, 'praxisflow: interpreter'],
    [/\/workflows\//, 'praxisflow: workflows'],
    [/\/machines\//, 'praxisflow: machines'],
    [/\/activities\//, 'praxisflow: activities'],
    [/\/codec\//, 'praxisflow: payload codec'],
    [/\/db\//, 'praxisflow: read model'],
    [/\/bench\//, 'benchmark itself'],
    [/^node:/, 'Node core'],
  ];
  for (const [pattern, name] of rules) if (pattern.test(path)) return name;
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (npm) return `npm: ${npm[1]}`;
  if (path.startsWith('webpack/')) return 'Temporal SDK: workflow runtime';
  return `other: ${path.startsWith('/') ? relative(root, path) : path}`;
}

/** Maps a position in a bundle with an inline source map to its source file. */
export class BundleSources {
  private readonly consumers = new Map<string, SourceMapConsumer | null>();

  constructor(private readonly dirs: readonly string[]) {}

  sourceOf(url: string, line: number, column: number): string | undefined {
    const consumer = this.consumerOf(url);
    if (!consumer) return undefined;
    const found = consumer.originalPositionFor({ line: line + 1, column });
    return found.source ?? undefined;
  }

  private consumerOf(url: string): SourceMapConsumer | null {
    if (this.consumers.has(url)) return this.consumers.get(url)!;
    let consumer: SourceMapConsumer | null = null;
    for (const dir of this.dirs) {
      const path = join(dir, basename(url));
      let code: string;
      try {
        code = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      const marker = code.lastIndexOf('sourceMappingURL=data:application/json');
      if (marker < 0) break;
      const base64 = code.slice(code.indexOf('base64,', marker) + 'base64,'.length).trim();
      consumer = new SourceMapConsumer(JSON.parse(Buffer.from(base64, 'base64').toString('utf8')));
      break;
    }
    this.consumers.set(url, consumer);
    return consumer;
  }
}

interface Summary {
  /** Sampled time in the window, ms. */
  readonly totalMs: number;
  readonly byCategory: readonly { name: string; ms: number; share: number }[];
  readonly topFunctions: readonly { name: string; category: string; ms: number; share: number }[];
}

/** Sums the samples of the profiles, optionally only those within [from, to] (µs). */
export function summarize(
  profiles: readonly CpuProfile[],
  sources: BundleSources,
  window?: { from: number; to: number },
  top = 25,
): Summary {
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, { category: string; us: number }>();
  let total = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const labels = new Map<number, { category: string; name: string }>();
    let at = profile.startTime;
    profile.samples.forEach((nodeId, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (window && (at < window.from || at > window.to)) return;
      let label = labels.get(nodeId);
      if (!label) {
        const frame = nodes.get(nodeId)!.callFrame;
        const source =
          sources.sourceOf(frame.url, frame.lineNumber, frame.columnNumber) ?? frame.url;
        const category = categoryOf(source, frame.functionName);
        const where = source ? ` ${source.replace(/^.*node_modules\//, '')}` : '';
        label = { category, name: `${frame.functionName || '(anonymous)'}${where}` };
        labels.set(nodeId, label);
      }
      if (label.category === 'idle') return;
      total += delta;
      byCategory.set(label.category, (byCategory.get(label.category) ?? 0) + delta);
      const fn = byFunction.get(label.name) ?? { category: label.category, us: 0 };
      fn.us += delta;
      byFunction.set(label.name, fn);
    });
  }
  const share = (us: number) => (total > 0 ? us / total : 0);
  return {
    totalMs: total / 1000,
    byCategory: [...byCategory]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    topFunctions: [...byFunction]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([name, fn]) => ({
        name,
        category: fn.category,
        ms: fn.us / 1000,
        share: share(fn.us),
      })),
  };
}

/** The profiles named (files, or every `.cpuprofile` in a directory), each with its file. */
export function readProfiles(paths: readonly string[]): { file: string; profile: CpuProfile }[] {
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.cpuprofile'))
          .map((name) => join(path, name))
      : [path],
  );
  return files.map((file) => ({
    file,
    profile: JSON.parse(readFileSync(file, 'utf8')) as CpuProfile,
  }));
}

export function printSummary(title: string, summary: Summary): void {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  console.log(`\n${title}: ${(summary.totalMs / 1000).toFixed(1)} s of CPU sampled`);
  for (const entry of summary.byCategory.filter((entry) => entry.share >= 0.005)) {
    console.log(`  ${pct(entry.share)}  ${entry.name}`);
  }
  console.log('  heaviest functions (self time):');
  for (const fn of summary.topFunctions) {
    console.log(`  ${pct(fn.share)}  ${fn.name}  [${fn.category}]`);
  }
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { window: { type: 'string' }, top: { type: 'string', default: '25' } },
  });
  if (positionals.length === 0) {
    console.error(
      'usage: bench/profile-summary.ts <dir or .cpuprofile files> [--window from,to] [--top N]',
    );
    process.exit(2);
  }
  const window = values.window?.split(',').map(Number);
  const range = window?.length === 2 ? { from: window[0]!, to: window[1]! } : undefined;
  const profiles = readProfiles(positionals);
  const dirs = [...new Set(profiles.map(({ file }) => dirname(file)))];
  const sources = new BundleSources(dirs);
  const top = Number(values.top);
  for (const { file, profile } of profiles) {
    const summary = summarize([profile], sources, range, top);
    if (summary.totalMs > 0) printSummary(basename(file), summary);
  }
  if (profiles.length > 1) {
    printSummary(
      'all threads',
      summarize(
        profiles.map(({ profile }) => profile),
        sources,
        range,
        top,
      ),
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) main();
