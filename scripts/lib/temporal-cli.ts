/** The Temporal CLI (dev server): built once with `go install`, cached, version-checked. */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { cacheDir, withLock, writeFileAtomic } from './cache.js';
import { c, log, since } from './log.js';
import { probe, runStep, StepError, which } from './run.js';

export interface TemporalCliPin {
  /** Go module of the CLI repository, e.g. github.com/temporalio/cli */
  module: string;
  /** Package path of the command inside it. */
  command: string;
  version: string;
  /** The `go` line of that tag's go.mod (GOTOOLCHAIN=local: no toolchain download). */
  minGo: string;
}

const stampOf = (bin: string) => `${bin}.version`;

/** The module version recorded in the binary (`go version -m`), if go can tell. */
function builtVersion(bin: string, pin: TemporalCliPin): string | undefined {
  const info = probe('go', ['version', '-m', bin]);
  const line = info?.split('\n').find((l) => l.trim().startsWith(`mod\t${pin.module}\t`));
  return line?.trim().split('\t')[2];
}

/** 'ok' when `bin` is the pinned version, 'unknown' when nothing can tell, 'stale' otherwise. */
function check(bin: string, pin: TemporalCliPin): 'ok' | 'unknown' | 'stale' | 'missing' {
  if (!existsSync(bin)) return 'missing';
  const stamp = existsSync(stampOf(bin)) ? readFileSync(stampOf(bin), 'utf8').trim() : undefined;
  if (stamp === pin.version) return 'ok';
  const version = builtVersion(bin, pin);
  if (version === pin.version) {
    writeFileAtomic(stampOf(bin), `${pin.version}\n`);
    return 'ok';
  }
  if (version === undefined && stamp === undefined) return 'unknown';
  return 'stale';
}

function goVersion(): string | undefined {
  return probe('go', ['env', 'GOVERSION'])?.trim().replace(/^go/, '');
}

const atLeast = (have: string, need: string) => {
  const [a = 0, b = 0] = have.split('.').map(Number);
  const [x = 0, y = 0] = need.split('.').map(Number);
  return a > x || (a === x && b >= y);
};

async function build(bin: string, pin: TemporalCliPin): Promise<void> {
  const step = `build Temporal CLI ${pin.version}`;
  const hints = [
    `go ${pin.minGo}+ on PATH (\`go version\`; Debian's golang package is too old — use go.dev/dl)`,
    `the Go module proxy is reachable (\`go env GOPROXY\`, now ${probe('go', ['env', 'GOPROXY'])?.trim() ?? '?'})`,
    'free disk space for ~/go (≈2 GB) and ~/.cache/go-build (≈1.5 GB)',
  ];
  const have = which('go') ? goVersion() : undefined;
  if (have === undefined) throw new StepError(step, '`go` is not on PATH', undefined, hints);
  if (!atLeast(have, pin.minGo)) {
    throw new StepError(
      step,
      `go ${have} is too old, ${pin.module}@${pin.version} needs go ${pin.minGo}`,
      undefined,
      hints,
    );
  }
  const dir = join(bin, '..');
  mkdirSync(dir, { recursive: true });
  // We hold the lock: any .build-* directory is left over from an interrupted build.
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.build-')) rmSync(join(dir, name), { recursive: true, force: true });
  }
  const tmp = mkdtempSync(join(dir, '.build-'));
  const logFile = join(cacheDir(), 'logs', `temporal-cli-${pin.version}.log`);
  const start = performance.now();
  log.step(
    `building Temporal CLI ${pin.version} with go ${have} (about 4 min on 2 cores the first time)`,
  );
  log.info(c.gray(`log: ${logFile}`));
  try {
    await runStep({
      step,
      command: 'go',
      args: ['install', `${pin.module}/${pin.command}@${pin.version}`],
      env: { ...process.env, GOTOOLCHAIN: 'local', GOBIN: tmp },
      logFile,
      hints,
    });
    const built = join(tmp, 'temporal');
    if (!probe(built, ['--version'])) {
      throw new StepError(
        step,
        'the new binary does not run (`temporal --version` failed)',
        logFile,
        hints,
      );
    }
    chmodSync(built, 0o755);
    renameSync(built, bin); // atomic: an interrupted build never replaces a working binary
    writeFileAtomic(stampOf(bin), `${pin.version}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log.ok(`Temporal CLI ${pin.version} built in ${since(start)}`);
}

/** Returns the path of a Temporal CLI binary of the pinned version, building it if needed. */
export async function ensureTemporalCli(pin: TemporalCliPin, quiet = false): Promise<string> {
  const override = process.env.PRAXISFLOW_TEMPORAL_BIN;
  if (override) {
    if (!existsSync(override))
      throw new Error(`PRAXISFLOW_TEMPORAL_BIN=${override} does not exist`);
    return override;
  }
  const bin = join(cacheDir(), 'bin', 'temporal');
  const state = check(bin, pin);
  if (state === 'ok' || state === 'unknown') {
    if (state === 'unknown')
      log.warn(`cannot verify the version of ${bin} (no go on PATH); using it`);
    else if (!quiet) log.ok(`Temporal CLI ${pin.version} ${c.gray(bin)}`);
    return bin;
  }
  return withLock('temporal-cli', async () => {
    if (check(bin, pin) === 'ok') return bin; // another process built it meanwhile
    if (state === 'stale') log.step(`${bin} is not ${pin.version}: rebuilding`);
    await build(bin, pin);
    return bin;
  });
}
