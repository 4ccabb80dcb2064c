/** Running external commands: long toolchain steps into a log file, quick probes captured. */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { c, heartbeat } from './log.js';
import { onInterrupt } from './signals.js';

/** A failed toolchain step, with everything a person needs to fix it. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    detail: string,
    readonly logFile: string | undefined,
    readonly hints: string[],
  ) {
    const parts = [`toolchain step failed: ${step} — ${detail}`];
    if (logFile) {
      const tail = tailOf(logFile, 25);
      parts.push(`last lines of ${logFile}:`, ...tail.map((line) => c.gray(`  | ${line}`)));
    }
    if (hints.length > 0) parts.push('check:', ...hints.map((hint) => `  - ${hint}`));
    super(parts.join('\n  '));
    this.name = 'StepError';
  }
}

function tailOf(file: string, count: number): string[] {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-count);
  } catch {
    return ['(log file unreadable)'];
  }
}

/** The absolute path of `command` on PATH, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** Runs a quick command and returns its stdout+stderr, or undefined if it cannot run or fails. */
export function probe(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`;
}

export interface StepOptions {
  step: string;
  command: string;
  args: string[];
  logFile: string;
  hints: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a long command with its output in `logFile`, printing a heartbeat; throws StepError. */
export async function runStep(opts: StepOptions): Promise<void> {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  writeSync(fd, `\n=== ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  const stop = heartbeat(opts.step, opts.logFile);
  try {
    const outcome = await new Promise<{
      code: number | null;
      signal: string | null;
      error?: Error;
    }>((resolve) => {
      const child = spawn(opts.command, opts.args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
      // If we exit first (Ctrl-C, SIGTERM, process.exit elsewhere), take it along.
      const orphan = () => child.kill('SIGTERM');
      process.once('exit', orphan);
      const forget = onInterrupt(orphan);
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => {
        process.removeListener('exit', orphan);
        forget();
        resolve({ code, signal });
      });
    });
    if (outcome.error) {
      throw new StepError(
        opts.step,
        `could not run \`${opts.command}\`: ${outcome.error.message}`,
        undefined,
        opts.hints,
      );
    }
    if (outcome.code !== 0) {
      const how = outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.code}`;
      throw new StepError(
        opts.step,
        `\`${opts.command}\` failed (${how})`,
        opts.logFile,
        opts.hints,
      );
    }
  } finally {
    stop();
    closeSync(fd);
  }
}
