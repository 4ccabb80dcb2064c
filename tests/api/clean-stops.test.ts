import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OWNER_MARK, ownerId, stopOrphanedServices } from '../../scripts/lib/strays.js';

/**
 * A run interrupted with Ctrl-C stops the servers it started (they run in process groups of
 * their own, where the terminal's Ctrl-C does not reach), and one killed outright leaves them
 * to the next run, which stops them.
 */
const script = new URL('../fixtures/supervised-servers.ts', import.meta.url).pathname;

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<number | NodeJS.Signals | null>;
  readonly output: () => string;
}

function startRun(): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready$/m.test(output)) resolve({ child, exited, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((how) => reject(new Error(`the run ended (${how}) before ready:\n${output}`)));
  });
}

/** The processes that carry the mark of the run with this owner id. */
function servicesOf(owner: string): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
        return environ.includes(`${OWNER_MARK}=${owner}`);
      } catch {
        return false;
      }
    });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return pids.filter(alive);
}

describe('stopping what a run started', () => {
  it('when a run is interrupted with Ctrl-C, then its Temporal server, Postgres and mail catcher stop with it', async () => {
    const run = await startRun();
    const owner = ownerId(run.child.pid);
    const services = servicesOf(owner);
    expect(services.length).toBeGreaterThanOrEqual(3); // temporal, maildev, postgres (+ its server)

    run.child.kill('SIGINT');

    expect(await run.exited).toBe(130);
    expect(await gone(services, 10_000)).toEqual([]);
    expect(servicesOf(owner)).toEqual([]);
  }, 120_000);

  it('when a run is killed outright, then the next run stops the servers it left behind', async () => {
    const run = await startRun();
    const owner = ownerId(run.child.pid);
    const services = servicesOf(owner);
    expect(services.length).toBeGreaterThanOrEqual(3);

    run.child.kill('SIGKILL');
    await run.exited;
    expect(services.filter(alive)).toEqual(services); // nothing stopped them

    const stopped = await stopOrphanedServices();

    expect(stopped.length).toBeGreaterThanOrEqual(3);
    expect(await gone(services, 10_000)).toEqual([]);
  }, 120_000);
});
