/**
 * A worker in a Node process of its own, as production runs it: its RSS is the worker's alone,
 * and a crash (SIGKILL) loses its cache as a real one does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface MemoryReport {
  readonly rssMb: number;
  /** Used V8 heap by thread id; 0 is the main thread. */
  readonly heapMb: Record<number, number>;
}

/**
 * Preloaded into the worker: answers `memory` over IPC with the RSS and the heap of every
 * thread — the SDK runs workflows in a worker thread whose heap the main thread's
 * `process.memoryUsage()` does not see; threads inherit the preload and answer on a broadcast
 * channel. Each thread collects its garbage first, so the heap is what the workflows hold, not
 * how long ago the last collection ran. Plain JavaScript in a data URL: the workflow thread has
 * no TypeScript loader.
 */
const probe = `
const { getHeapStatistics, setFlagsFromString } = process.getBuiltinModule('node:v8');
const { runInNewContext } = process.getBuiltinModule('node:vm');
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');
const { BroadcastChannel, isMainThread, threadId } = process.getBuiltinModule('node:worker_threads');
const MB = 2 ** 20;
const channel = new BroadcastChannel('bench-memory-probe');
channel.unref();
if (isMainThread) {
  process.channel?.unref();
  process.on('message', (message) => {
    if (message !== 'memory') return;
    const heapMb = {};
    const report = () => {
      collectGarbage();
      heapMb[0] = getHeapStatistics().used_heap_size / MB;
      process.send({ rssMb: process.memoryUsage.rss() / MB, heapMb });
    };
    // A workflow thread answers between activations (idle: at once) once it has collected,
    // which takes seconds with a large heap; the others answer about as soon.
    let waiting = setTimeout(report, 60_000);
    channel.onmessage = ({ data }) => {
      if (data.thread === undefined) return;
      heapMb[data.thread] = data.usedMb;
      clearTimeout(waiting);
      waiting = setTimeout(report, 1_000);
    };
    channel.postMessage({ ask: true });
  });
} else {
  channel.onmessage = ({ data }) => {
    if (!data.ask) return;
    collectGarbage();
    channel.postMessage({ thread: threadId, usedMb: getHeapStatistics().used_heap_size / MB });
  };
}
`;

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves when the worker says it polls; rejects if it exits first. */
  readonly ready: Promise<void>;
  memory(): Promise<MemoryReport>;
  /** Share of one core the process used over the next `ms` (user + system). */
  cpuShare(ms: number): Promise<number>;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  /** Sends the signal and resolves once the process is gone. */
  stop(signal: NodeJS.Signals): Promise<void>;
  output(): string;
}

export function startWorkerProcess(
  entry: string,
  env: NodeJS.ProcessEnv,
  nodeOptions: readonly string[] = [],
): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      ...nodeOptions,
      '--import',
      'tsx',
      '--import',
      `data:text/javascript,${encodeURIComponent(probe)}`,
      entry,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  // A benchmark that fails half-way must not leave its workers behind.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  const chunks: string[] = [];
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', orphanGuard);
      resolve();
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      chunks.push(chunk.toString());
      if (/polling task queue/.test(chunk.toString())) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    void exited.then(() => reject(new Error(`worker exited:\n${chunks.join('').slice(-3000)}`)));
  });
  const cpuSeconds = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in 1/100 s
  };
  return {
    child,
    ready,
    memory: () =>
      new Promise((resolve) => {
        child.once('message', (report) => resolve(report as MemoryReport));
        child.send('memory');
      }),
    async cpuShare(ms) {
      const before = cpuSeconds();
      await new Promise((resolve) => setTimeout(resolve, ms));
      return (cpuSeconds() - before) / (ms / 1000);
    },
    cpuSeconds,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    output: () => chunks.join(''),
  };
}
