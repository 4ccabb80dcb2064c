/**
 * Programs that come from the operating system rather than a language registry (Java and Maven
 * for the time-skipping test server, Chromium for the dashboard's browser tests): found on PATH,
 * or installed with Debian's apt-get when we run as root or with password-less sudo, as
 * `.ci/run` does. Anything else gets a message that says what to install.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, withLock } from './cache.js';
import { c, log, since } from './log.js';
import { probe, runStep, StepError, which } from './run.js';

export interface SystemTool {
  /** What the tool is for, in the messages: "the dashboard's browser tests". */
  readonly purpose: string;
  /** Its executable: a name looked up on PATH, or an absolute path. */
  readonly executable: string;
  /** The Debian package that brings it. */
  readonly debianPackage: string;
}

const located = (executable: string): string | undefined =>
  executable.startsWith('/')
    ? existsSync(executable)
      ? executable
      : undefined
    : which(executable);

/** `[]` as root, `['sudo', '-n']` where sudo works without a password, else undefined. */
function privilege(): string[] | undefined {
  if (process.getuid?.() === 0) return [];
  if (which('sudo') && probe('sudo', ['-n', 'true']) !== undefined) return ['sudo', '-n'];
  return undefined;
}

let aptUpdated = false;

/**
 * Returns the path of every tool, installing the missing ones in one apt-get call. Throws a
 * StepError naming the packages when they are missing and cannot be installed from here.
 */
export async function ensureSystemTools(tools: readonly SystemTool[]): Promise<string[]> {
  const missing = () => tools.filter((tool) => located(tool.executable) === undefined);
  if (missing().length > 0) {
    await withLock('apt', async () => {
      const still = missing();
      if (still.length > 0) await aptInstall(still);
    });
  }
  return tools.map((tool) => {
    const path = located(tool.executable);
    if (!path) throw new Error(`${tool.executable} is still missing after installing it`);
    return path;
  });
}

async function aptInstall(tools: readonly SystemTool[]): Promise<void> {
  const packages = [...new Set(tools.map((tool) => tool.debianPackage))];
  const what = tools.map((tool) => `${tool.executable} (${tool.purpose})`).join(', ');
  const step = `install ${packages.join(' ')}`;
  const hints = [
    `install it yourself: apt-get install ${packages.join(' ')} (or your system's packages)`,
    'or run as root / with password-less sudo, so that this step can do it',
  ];
  const sudo = privilege();
  if (!which('apt-get') || sudo === undefined) {
    const why = which('apt-get') ? 'not root and no password-less sudo' : 'no apt-get here';
    throw new StepError(step, `missing: ${what}; ${why}`, undefined, hints);
  }
  const logFile = join(cacheDir(), 'logs', 'apt-get.log');
  const start = performance.now();
  log.step(`missing: ${what} — installing ${c.bold(packages.join(' '))} with apt-get`);
  log.info(c.gray(`log: ${logFile}`));
  const [command = 'apt-get', ...prefix] = [...sudo, 'apt-get'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await runStep({ step, command, args: [...prefix, 'update', '-q'], logFile, hints, env });
    aptUpdated = true;
  }
  await runStep({
    step,
    command,
    args: [...prefix, 'install', '-y', '-q', '--no-install-recommends', ...packages],
    logFile,
    hints,
    env,
  });
  log.ok(`installed ${packages.join(' ')} in ${since(start)}`);
}
