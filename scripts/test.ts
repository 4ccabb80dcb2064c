/**
 * `npm test`: everything CI checks. Toolchain (Chromium too, apt-installed when missing), then
 * two lanes at once: the static checks (typecheck, then lint: eslint, prettier,
 * dependency-cruiser, knip; their output is held back and shown after the tests), and
 * build web → a throw-away Temporal dev server, Postgres and mail catcher on free ports →
 * `vitest run` (all projects) → stop the servers → summary. Exits with vitest's code (1 if only
 * the static checks failed).
 *
 *   npm test                        everything
 *   npm test -- tests/api           arguments go to vitest
 *   npm test -- --skip-static       no typecheck/lint
 *
 * Vitest sees TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TEST_SERVER_PATH,
 * MAILCATCHER_SMTP_URL, MAILCATCHER_API_URL and DATABASE_URL (a throw-away embedded Postgres;
 * tests make a fresh database of their own on it).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, setPriority, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { c, log } from './lib/log.js';
import { stopMarkedProcesses } from './lib/strays.js';
import { Supervisor } from './lib/supervisor.js';
import { startThrowawayServers } from './lib/throwaway-servers.js';
import { ensureToolchain, type Toolchain } from './toolchain.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const RUN_MARK = 'PRAXISFLOW_TEST_RUN';

interface Phase {
  name: string;
  ms: number;
  ok: boolean;
  note?: string;
}
const phases: Phase[] = [];

/** Times `fn`; it returns true/false, or an exit code (0 = ok). */
async function phase(name: string, fn: () => Promise<boolean | number>): Promise<boolean> {
  const start = performance.now();
  let ok = false;
  let note: string | undefined;
  try {
    const result = await fn();
    ok = result === true || result === 0;
    if (typeof result === 'number' && result !== 0) note = `exit code ${result}`;
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err));
    note = 'error';
  }
  phases.push({ name, ms: performance.now() - start, ok, note });
  return ok;
}

/**
 * Runs a command in the foreground (inherited stdio: it gets the terminal's Ctrl-C itself), or
 * with its output appended to `output` (it still gets the Ctrl-C: same process group).
 */
function run(
  label: string,
  command: string,
  args: string[],
  env = process.env,
  output?: string[],
): Promise<number> {
  if (output) output.push(`${c.cyan('▸')} ${c.bold(label)}\n`);
  else log.step(c.bold(label));
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: root,
      env: output ? { ...env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } : env,
      stdio: output ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    // The static lane yields the CPU to the tests (their waits have deadlines); the processes it
    // starts inherit the lower priority.
    if (output && child.pid !== undefined) {
      try {
        setPriority(child.pid, 10);
      } catch {
        // not permitted here: same priority then
      }
    }
    const keep = (chunk: Buffer) => output?.push(chunk.toString());
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (err) => {
      log.error(`could not run ${command}: ${err.message}`);
      resolvePromise(127);
    });
    child.once('exit', (code, signal) =>
      resolvePromise(code ?? 128 + (signal ? constants.signals[signal] : 0)),
    );
  });
}

function npm(args: string[], output?: string[]): Promise<number> {
  const npmCli = process.env.npm_execpath;
  const label = `npm ${args.join(' ')}`;
  return npmCli?.endsWith('.js')
    ? run(label, process.execPath, [npmCli, ...args], process.env, output)
    : run(label, 'npm', args, process.env, output);
}

/**
 * Typecheck, then lint; what they print is collected into `output`. The dashboard's typecheck
 * waits for `webBuilt`: the build regenerates the API types it uses
 * (clients/typescript/src/generated/api-types.ts).
 */
async function staticChecks(output: string[], webBuilt: Promise<unknown>): Promise<boolean> {
  const typecheck = await phase('typecheck', async () => {
    const tsc = (project: string) =>
      run(
        `tsc --noEmit -p ${project}`,
        bin('tsc'),
        ['--noEmit', '-p', project],
        process.env,
        output,
      );
    const code = await tsc('.');
    if (code !== 0) return code;
    await webBuilt;
    return tsc('web');
  });
  if (interrupted) return false;
  const lint = await phase('lint', () => npm(['run', 'lint'], output));
  return typecheck && lint;
}

/** The dashboard's browser tests run unless the arguments pick test files without them. */
function needsBrowser(vitestArgs: string[]): boolean {
  const files = vitestArgs.filter((arg) => !arg.startsWith('-') && /tests|\.ts$/.test(arg));
  return files.length === 0 || files.some((file) => 'tests/api/dashboard.test.ts'.includes(file));
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!interrupted) log.warn(`${signal}: finishing the current step, then cleaning up …`);
    interrupted = true;
  });
}

let serverTrouble = false;
const supervisor = new Supervisor((service) => {
  serverTrouble = true;
  log.error(`${service.spec.name} ${service.exitReason} (log: ${service.spec.logFile})`);
  for (const line of service.recent.slice(-10)) log.info(c.gray(`| ${line}`));
});

function summary(totalStart: number, exitCode: number, logs: string | undefined): void {
  const width = Math.max(...phases.map((p) => p.name.length));
  console.log(`\n${c.bold('── npm test ─────────────────────────────')}`);
  for (const p of phases) {
    const secs = `${(p.ms / 1000).toFixed(1)} s`.padStart(8);
    const status = p.ok ? c.green('ok') : c.red(`FAILED${p.note ? ` (${p.note})` : ''}`);
    console.log(`  ${p.name.padEnd(width)} ${secs}  ${status}`);
  }
  const total = `${((performance.now() - totalStart) / 1000).toFixed(1)} s`.padStart(8);
  const verdict = interrupted
    ? c.yellow('INTERRUPTED')
    : exitCode === 0
      ? c.green('PASSED')
      : c.red('FAILED');
  console.log(`  ${'total'.padEnd(width)} ${total}  ${verdict}`);
  if (logs) console.log(c.gray(`  server logs kept in ${logs}`));
}

async function main(): Promise<number> {
  const totalStart = performance.now();
  const args = process.argv.slice(2);
  const skipStatic = args.includes('--skip-static');
  const vitestArgs = args.filter((arg) => arg !== '--skip-static');

  let toolchain: Toolchain | undefined;
  await phase('toolchain', async () => {
    toolchain = await ensureToolchain({ quiet: true, browser: needsBrowser(vitestArgs) });
    return true;
  });
  if (!toolchain) {
    summary(totalStart, 1, undefined);
    return 1;
  }

  // The dashboard's browser tests need its build; a failed build fails them, not the run.
  const webBuilt = interrupted
    ? Promise.resolve(false)
    : phase('build web', () => npm(['run', '--silent', 'build:web']));

  // Typecheck and lint use the CPU while the tests below mostly wait for servers and timers.
  const staticOutput: string[] = [];
  const staticDone =
    skipStatic || interrupted ? Promise.resolve(true) : staticChecks(staticOutput, webBuilt);
  await webBuilt;

  let vitestCode = 1;
  let serverEnv: NodeJS.ProcessEnv | undefined;
  const runId = randomUUID();
  const logDir = mkdtempSync(join(tmpdir(), 'praxisflow-test-'));
  if (!interrupted) {
    const tc = toolchain;
    await phase('servers', async () => {
      serverEnv = await startThrowawayServers(supervisor, tc, logDir);
      return true;
    });
  }
  if (serverEnv && !interrupted) {
    const env = { ...process.env, ...serverEnv, [RUN_MARK]: runId };
    await phase('vitest', async () => {
      const vitestRun = ['run', ...vitestArgs];
      vitestCode = await run(`vitest ${vitestRun.join(' ')}`, bin('vitest'), vitestRun, env);
      return vitestCode;
    });
  }
  await phase('teardown', async () => {
    await supervisor.stopAll();
    const strays = await stopMarkedProcesses(RUN_MARK, runId);
    if (strays.length > 0) {
      log.warn(`stopped ${strays.length} process(es) the tests left running (missing teardown?):`);
      for (const stray of strays) log.info(c.gray(stray));
    }
    return true;
  });

  const staticOk = await staticDone;
  if (!skipStatic) {
    console.log(`\n${c.bold('── typecheck and lint ───────────────────')}`);
    process.stdout.write(staticOutput.join(''));
  }

  const exitCode = interrupted ? 130 : vitestCode !== 0 ? vitestCode : staticOk ? 0 : 1;
  const keepLogs = exitCode !== 0 || serverTrouble;
  if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
  summary(totalStart, exitCode, keepLogs ? logDir : undefined);
  return exitCode;
}

process.exitCode = await main();
