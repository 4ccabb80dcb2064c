import type { Worker } from '@temporalio/worker';
import type { Logger } from '../observability/logger.js';

/**
 * Why the worker starts afresh after Temporal was away: a worker keeps the workflows it ran in
 * its cache and applies only the new events of their next task. A task it handled while
 * Temporal went down (its answer lost, a query replayed against a history that then changed)
 * can leave a cached workflow believing it has seen events it never applied; its next commands
 * then follow a history no replay can reproduce, and the process is stuck for good at its next
 * replay (seen once in the fault run, a reminder swallowed after a Temporal restart). A worker
 * that stops polling as soon as Temporal is unreachable and starts with an empty cache once it
 * answers again replays every workflow from the history Temporal kept.
 */
export interface RecyclingOptions {
  /** The worker that runs first, created by the caller (whose failure to start is its own). */
  readonly first: Worker;
  /** Creates each later worker (the bundle made once, reused). */
  readonly create: () => Promise<Worker>;
  /** Resolves true when Temporal answers within a short bound. */
  readonly reachable: () => Promise<boolean>;
  readonly logger: Logger;
  /** How often Temporal is asked while the worker runs; default 500 ms. */
  readonly probeIntervalMs?: number;
  /** Called with every fresh start after an outage. */
  readonly onRecycle?: () => void;
}

export class RecyclingWorker {
  private current: Worker | undefined;
  private stopping = false;
  private outage: (() => void) | undefined;
  private checking = false;
  private readonly probeIntervalMs: number;

  constructor(private readonly options: RecyclingOptions) {
    this.probeIntervalMs = options.probeIntervalMs ?? 500;
  }

  /**
   * Whatever saw a call to Temporal fail (the SDK's retry warnings) says so at once; the worker
   * stops if Temporal then does not answer (a late retry of the last outage starts nothing).
   */
  temporalUnavailable(): void {
    const outage = this.outage;
    if (!outage || this.checking) return;
    this.checking = true;
    void this.options.reachable().then((reachable) => {
      this.checking = false;
      if (!reachable) outage();
    });
  }

  /** Runs workers one after the other until {@link shutdown}; rejects if one fails. */
  async run(): Promise<void> {
    for (let generation = 0; !this.stopping; generation += 1) {
      const worker = generation === 0 ? this.options.first : await this.createWhenReachable();
      if (!worker) return;
      this.current = worker;
      if (generation > 0) this.options.onRecycle?.();
      const running = worker.run();
      // Told to stop while this one was being created: it never gets to take a task.
      if (this.stopping && worker.getState() === 'RUNNING') worker.shutdown();
      const outcome = await this.untilOutage(running);
      if (outcome === 'stopped') return running;
      this.options.logger.warn(
        'worker: Temporal is unreachable; the worker stops and starts with an empty cache ' +
          'once Temporal answers again',
      );
      if (worker.getState() === 'RUNNING') worker.shutdown();
      // A worker that fails while Temporal is away is no failure: the next one takes over.
      await running.catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'worker: stopped with an error during the outage'),
      );
    }
  }

  /** Stops the running worker (it drains) and starts no other. */
  shutdown(): void {
    this.stopping = true;
    if (this.current?.getState() === 'RUNNING') this.current.shutdown();
  }

  private async untilOutage(running: Promise<void>): Promise<'stopped' | 'outage'> {
    let probe: NodeJS.Timeout | undefined;
    let done = false;
    const outage = new Promise<'outage'>((resolve) => {
      this.outage = () => resolve('outage');
      const check = async (): Promise<void> => {
        if (!(await this.options.reachable())) resolve('outage');
        else if (!done) probe = setTimeout(() => void check(), this.probeIntervalMs);
      };
      probe = setTimeout(() => void check(), this.probeIntervalMs);
    });
    try {
      const outcome = await Promise.race([running.then(() => 'stopped' as const), outage]);
      return this.stopping ? 'stopped' : outcome;
    } finally {
      done = true;
      this.outage = undefined;
      clearTimeout(probe);
    }
  }

  private async untilReachable(): Promise<void> {
    while (!this.stopping && !(await this.options.reachable())) await delay(this.probeIntervalMs);
  }

  /** The next worker, once Temporal answers; undefined when told to stop meanwhile. */
  private async createWhenReachable(): Promise<Worker | undefined> {
    for (;;) {
      await this.untilReachable();
      if (this.stopping) return undefined;
      try {
        return await this.options.create();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'worker: could not start afresh yet; retrying');
        await delay(this.probeIntervalMs);
      }
    }
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
