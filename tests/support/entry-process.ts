import { spawn, type ChildProcess } from 'node:child_process';

export interface EntryProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Sends the signal and resolves with the exit code once it is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * An entry file (`worker/main.ts`, `api/main.ts`) as `npm start` runs it: its own Node process,
 * configured only through the environment, with no test runner's transform in between.
 */
export function runEntry(entry: string, env: NodeJS.ProcessEnv): EntryProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return {
    child,
    output: () => chunks.join(''),
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
