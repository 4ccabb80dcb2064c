/** The toolchain cache (~/.cache/praxisflow, or PRAXISFLOW_CACHE) and a lock for building into it. */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './log.js';

export function cacheDir(): string {
  return process.env.PRAXISFLOW_CACHE ?? join(homedir(), '.cache', 'praxisflow');
}

/** Writes a file so that readers see either the old or the complete new content. */
export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

/** Whether a process with this pid runs (one of another user's counts). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` while holding `<cache>/<name>.lock` (a directory: mkdir is atomic), so that two
 * scripts started at once (say `npm start` and `npm test` on a fresh machine) build once.
 * A lock left by a dead process is taken over.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = join(cacheDir(), `${name}.lock`);
  mkdirSync(cacheDir(), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: number | undefined;
    try {
      owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    } catch {
      // Just created by its owner, who has not written the pid yet — unless it is old.
      const stat = statSync(dir, { throwIfNoEntry: false });
      if (!stat) continue;
      if (Date.now() - stat.mtimeMs > 60_000) owner = 0;
    }
    if (owner !== undefined && (owner === 0 || !alive(owner))) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log.info(
        `waiting for another process${owner ? ` (pid ${owner})` : ''} that is installing ${name} (lock: ${dir}) …`,
      );
      announced = true;
    }
    await sleep(1_000);
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
