import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one worker process, on its own port: the worker has no HTTP server of
 * its own, and N workers are N scrape targets. Labels are process types, event types and
 * channels: all defined in code, so the number of series stays bounded.
 */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** A transition this worker wrote first; `actor` is `timer` when a timer fired it. */
  transition(processType: string, eventType: string, actor: string): void;
  notification(channel: string, outcome: 'sent' | 'failed'): void;
  /** The worker started afresh, with an empty cache, after Temporal was unreachable. */
  recycled(): void;
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'praxisflow_worker_' });
  const transitions = new Counter({
    name: 'praxisflow_transitions_total',
    help: 'Process transitions this worker wrote to the read model first, by process type and event (the API counts the others)',
    labelNames: ['type', 'event'] as const,
    registers: [registry],
  });
  const timersFired = new Counter({
    name: 'praxisflow_timers_fired_total',
    help: 'Transitions caused by a fired timer, by process type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'praxisflow_notifications_total',
    help: 'Notification activity attempts by channel and outcome (a retried failure counts each time)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const recycles = new Counter({
    name: 'praxisflow_worker_recycles_total',
    help: 'Fresh starts with an empty workflow cache after Temporal was unreachable',
    registers: [registry],
  });
  return {
    registry,
    transition(processType, eventType, actor) {
      transitions.inc({ type: processType, event: eventType });
      if (actor === 'timer') timersFired.inc({ type: processType });
    },
    notification(channel, outcome) {
      notifications.inc({ channel, outcome });
    },
    recycled() {
      recycles.inc();
    },
  };
}

export interface MetricsServer {
  /** The port it listens on (useful when asked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** `GET /metrics` in the Prometheus text format; everything else 404. */
export async function serveWorkerMetrics(
  registry: Registry,
  port: number,
  host: string,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Error\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // A scraper's keep-alive connection would otherwise hold the close for seconds.
        server.closeIdleConnections();
      }),
  };
}
