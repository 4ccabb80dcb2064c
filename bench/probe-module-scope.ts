/**
 * What the modules of one workflow hold: the SDK's reusable V8 context evaluates every module
 * that is not preloaded once per workflow, in a module cache of that workflow. This loads a
 * bundle of bench/module-scope.workflow.ts into a V8 context with such a cache, evaluates one
 * module set N times (a new cache each time, all kept alive as cached workflows keep theirs)
 * and prints the used heap per evaluation after a full collection, and the time per evaluation.
 *
 *   npx tsx bench/probe-module-scope.ts [--runs N] [--shared zod,xstate] zod invitationWorkflow …
 *
 * `--shared` evaluates those sets first into the shared cache, as `preloadModules` does (without
 * the SDK's freeze). Sets: the exports of bench/module-scope.workflow.ts.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { bundleWorkflowCode } from '@temporalio/worker';

const { values: options, positionals: sets } = parseArgs({
  options: { runs: { type: 'string', default: '150' }, shared: { type: 'string', default: '' } },
  allowPositionals: true,
});
setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const quiet = () => undefined;
const { code } = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./module-scope.workflow.ts', import.meta.url)),
  logger: {
    trace: quiet,
    debug: quiet,
    info: quiet,
    warn: quiet,
    error: console.error,
    log: quiet,
  },
});

/** One set per process: what an earlier set left behind is freed at no foreseeable collection. */
async function measure(set: string): Promise<string> {
  const context = vm.createContext({ URL, URLSearchParams, TextEncoder, TextDecoder, console });
  const shared = new Map<string, unknown>();
  let workflowCache: Map<string, unknown> | undefined;
  Object.defineProperty(context, '__webpack_module_cache__', {
    value: new Proxy(
      {},
      {
        get: (_, id: string) => shared.get(id) ?? workflowCache?.get(id),
        set: (_, id: string, module) => ((workflowCache ?? shared).set(id, module), true),
      },
    ),
  });
  vm.runInContext(code, context);
  const evaluate = (name: string) =>
    vm.runInContext(
      `__TEMPORAL__.importWorkflows()[${JSON.stringify(name)}]()`,
      context,
    ) as Promise<unknown>;
  for (const name of options.shared.split(',').filter(Boolean)) await evaluate(name);
  const kept: unknown[] = [];
  const once = async () => {
    kept.push((workflowCache = new Map()));
    await evaluate(set);
  };
  await once(); // compiles the code, which every workflow shares
  const used = () => (collectGarbage(), collectGarbage(), getHeapStatistics().used_heap_size);
  const before = used();
  const startedAt = performance.now();
  const runs = Number(options.runs);
  for (let i = 0; i < runs; i++) await once();
  const ms = (performance.now() - startedAt) / runs;
  const kb = (used() - before) / runs / 1024;
  return `${set.padEnd(20)} ${kb.toFixed(0).padStart(6)} kB ${ms.toFixed(1).padStart(6)} ms per workflow (${kept.length} kept)`;
}

if (sets.length === 1) {
  console.log(await measure(sets[0]!));
} else {
  console.log(options.shared ? `shared: ${options.shared}` : 'nothing shared');
  for (const set of sets) {
    const args = ['--runs', options.runs, '--shared', options.shared, set];
    const self = fileURLToPath(import.meta.url);
    process.stdout.write(execFileSync(process.execPath, [...process.execArgv, self, ...args]));
  }
}
