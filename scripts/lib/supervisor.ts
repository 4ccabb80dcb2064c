/**
 * Child-process supervision for `npm start`, `npm test`, the benchmarks and the fault tests:
 * each service runs in its own process group (so a terminal Ctrl-C reaches only us and we stop
 * them in order), its output is prefixed and coloured or written to a log file, and an
 * unexpected exit is reported. A script that does not stop them on a signal itself gets them
 * killed when the signal ends it; one killed outright leaves them marked with its id
 * (strays.ts), and the next run stops them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { c, pipeLines, type Paint } from './log.js';
import { onInterrupt } from './signals.js';
import { OWNER_MARK, ownerId } from './strays.js';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  colour?: Paint;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Write output here instead of prefixing it onto our stdout. */
  logFile?: string;
  /** How long SIGTERM may take before SIGKILL. */
  graceMs?: number;
  /** What stops it (default SIGTERM; SIGKILL for throw-away servers with nothing to save). */
  stopSignal?: NodeJS.Signals;
  /** Drop its output once stopping began (shutdown chatter); it still lands in `recent`. */
  quietOnStop?: boolean;
}

export interface Service {
  readonly spec: ServiceSpec;
  readonly child: ChildProcess;
  /** The last lines of output, for error messages. */
  readonly recent: string[];
  /** Set once the process has exited: "exited with code 1", "was killed by SIGKILL", … */
  exitReason: string | undefined;
  readonly exited: Promise<void>;
}

type ExitHandler = (service: Service) => void;

export class Supervisor {
  private readonly services: Service[] = [];
  private stopping = false;
  private width = 8;

  constructor(private readonly onUnexpectedExit: ExitHandler) {
    // Last resort if we die without stopping them (uncaught error, process.exit, a signal).
    process.once('exit', () => this.killAll());
    onInterrupt(() => this.killAll());
  }

  start(spec: ServiceSpec): Service {
    if (this.stopping) throw new Error(`not starting ${spec.name}: stopping`);
    this.width = Math.max(this.width, spec.name.length);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...(spec.env ?? process.env), [OWNER_MARK]: ownerId() },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: Ctrl-C in the terminal does not reach it directly
    });
    const recent: string[] = [];
    let file: WriteStream | undefined;
    if (spec.logFile) file = createWriteStream(spec.logFile, { flags: 'a' });
    const paint = spec.colour ?? c.gray;
    const onLine = (line: string) => {
      recent.push(line);
      if (recent.length > 30) recent.shift();
      if (file) file.write(`${line}\n`);
      else if (!(spec.quietOnStop && this.stopping))
        console.log(`${paint(`${spec.name.padEnd(this.width)} │`)} ${line}`);
    };
    pipeLines(child.stdout!, onLine);
    pipeLines(child.stderr!, onLine);
    let markExited: () => void = () => {};
    const service: Service = {
      spec,
      child,
      recent,
      exitReason: undefined,
      exited: new Promise<void>((resolve) => (markExited = resolve)),
    };
    const finish = (reason: string) => {
      if (service.exitReason) return;
      service.exitReason = reason;
      file?.end();
      markExited();
      if (!this.stopping) this.onUnexpectedExit(service);
    };
    child.once('error', (err) => finish(`could not be started (${err.message})`));
    child.once('exit', (code, signal) => {
      const reason = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      // Let the last output lines arrive (stdio closes after exit), but do not wait forever.
      const late = setTimeout(() => finish(reason), 500);
      child.once('close', () => {
        clearTimeout(late);
        finish(reason);
      });
    });
    this.services.push(service);
    return service;
  }

  /** How many services are still running. */
  get running(): number {
    return this.services.filter((service) => !service.exitReason).length;
  }

  /** Stops every service, the last started first: SIGTERM, then SIGKILL after its grace time. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const service of [...this.services].reverse()) {
      if (service.exitReason) continue;
      signalGroup(service.child, service.spec.stopSignal ?? 'SIGTERM');
      const grace = setTimeout(() => {
        console.log(c.yellow(`${service.spec.name} did not stop in time: SIGKILL`));
        signalGroup(service.child, 'SIGKILL');
      }, service.spec.graceMs ?? 10_000);
      await service.exited;
      clearTimeout(grace);
    }
  }

  /** Immediately SIGKILLs whatever still runs (second Ctrl-C, or our own exit). */
  killAll(): void {
    this.stopping = true;
    for (const service of this.services) {
      if (!service.exitReason) signalGroup(service.child, 'SIGKILL');
    }
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole group: also grandchildren
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
