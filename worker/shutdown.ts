/**
 * Orderly exit on SIGTERM / SIGINT for what the Temporal Worker does not close itself: its
 * connection, the metrics server, the mailer, the database pool. The Worker stops on these
 * signals by itself (Runtime `shutdownSignals`) and `worker.run()` resolves once running tasks
 * are done or `shutdownGraceTime` is over: make "wait for the worker" the FIRST closer, so that
 * the pool and the mailer outlive the activities still using them.
 */

interface Closer {
  /** For the log: `metrics server`, `database pool`. */
  readonly name: string;
  close(): Promise<void> | void;
  /** How long this one may take; default `ShutdownOptions.timeoutMs`. */
  readonly timeoutMs?: number;
}

/** Console and pino loggers both fit. */
interface ShutdownLogger {
  info(message: string): void;
  error(message: string): void;
}

export interface ShutdownOptions {
  /** Closed one after the other, in this order. */
  readonly closers: readonly Closer[];
  /** Per closer, default 10 s; a closer that takes longer is given up and the next one runs. */
  readonly timeoutMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
  readonly logger?: ShutdownLogger;
  /** `process.exit`; tests pass a fake. */
  readonly exit?: (code: number) => void;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

async function closeWithin(closer: Closer, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not close within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([Promise.resolve().then(() => closer.close()), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Listens for the signals; returns `shutdown(reason, exitCode)` for the other ways out (the
 * worker stopped or failed). Shutting down twice is once: later calls get the same promise.
 * A second signal more than 1 s into the shutdown exits at once, with code 1, for an impatient
 * operator (within 1 s it is the same Ctrl-C once more, forwarded by npm or a supervisor).
 * Exits with 1 when a closer failed or timed out, else with `exitCode` (default 0).
 */
export function exitGracefully(
  options: ShutdownOptions,
): (reason: string, exitCode?: number) => Promise<void> {
  const logger = options.logger ?? console;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 10_000;
  let running: Promise<void> | undefined;
  let startedAt = 0;

  const shutdown = (reason: string, exitCode = 0): Promise<void> => {
    startedAt ||= performance.now();
    running ??= (async () => {
      logger.info(`shutdown: ${reason}; closing ${options.closers.map((c) => c.name).join(', ')}`);
      let code = exitCode;
      for (const closer of options.closers) {
        try {
          await closeWithin(closer, closer.timeoutMs ?? timeoutMs);
        } catch (error) {
          code = 1;
          logger.error(`shutdown: ${closer.name}: ${messageOf(error)}`);
        }
      }
      logger.info(`shutdown: done, exit code ${code}`);
      exit(code);
    })();
    return running;
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      if (running) {
        if (performance.now() - startedAt < 1_000) return;
        logger.error(`shutdown: ${signal} again, exiting now`);
        exit(1);
        return;
      }
      void shutdown(signal);
    });
  }
  return shutdown;
}
