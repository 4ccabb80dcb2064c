/**
 * Schemathesis (PyPI), the fuzzer that drives the whole HTTP API from its OpenAPI document, in a
 * virtual environment of its own in the cache: `python3 -m venv` + `pip install` of the pinned
 * version, once; later runs only check that the binary answers.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, withLock } from './cache.js';
import { log, since } from './log.js';
import { probe, runStep, which } from './run.js';

export interface SchemathesisPin {
  version: string;
}

export async function ensureSchemathesis(pin: SchemathesisPin, quiet = false): Promise<string> {
  const venv = join(cacheDir(), `schemathesis-${pin.version}`);
  const bin = join(venv, 'bin', 'schemathesis');
  const works = () => probe(bin, ['--version'])?.includes(pin.version) ?? false;
  if (works()) {
    if (!quiet) log.ok(`schemathesis ${pin.version} ${bin}`);
    return bin;
  }
  return withLock(`schemathesis-${pin.version}`, async () => {
    if (works()) return bin;
    const python = which('python3');
    if (!python) {
      throw new Error(
        'python3 is missing: it runs the API fuzzer (schemathesis). Install python3 with its venv module (Debian: apt-get install python3-venv).',
      );
    }
    const start = performance.now();
    log.step(`installing schemathesis ${pin.version} from PyPI (about 30 s the first time)`);
    rmSync(venv, { recursive: true, force: true });
    const logFile = join(cacheDir(), 'logs', `schemathesis-${pin.version}.log`);
    const hints = [
      'python3 needs its venv module (Debian: apt-get install python3-venv)',
      'PyPI must be reachable (pip install)',
    ];
    await runStep({
      step: 'create venv',
      command: python,
      args: ['-m', 'venv', venv],
      logFile,
      hints,
    });
    await runStep({
      step: `pip install schemathesis==${pin.version}`,
      command: join(venv, 'bin', 'pip'),
      args: ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${pin.version}`],
      logFile,
      hints,
    });
    if (!existsSync(bin) || !works())
      throw new Error(`schemathesis did not install (log: ${logFile})`);
    log.ok(`schemathesis ${pin.version} installed in ${since(start)}`);
    return bin;
  });
}
