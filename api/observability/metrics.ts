import { Router, type RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { routeTemplateOf, trackRouteTemplate } from './route-template.js';

/**
 * Prometheus metrics of one API process. Every label value comes from a bounded set: route
 * templates, known process types and event names, a fixed list of outcomes. Process ids,
 * business keys and raw URLs never become labels (each would be a new time series).
 */

/** What the routes record; a test may hand the routes a fake of it. */
export interface ApiMetrics {
  processStarted(type: string, outcome: string): void;
  eventSent(type: string, event: string, outcome: string): void;
  /**
   * A step this API wrote to the read model before the workflow did (a start, an event's step
   * answered before its write): the workers count every other one.
   */
  transitionRecorded(type: string, event: string): void;
}

export interface ApiMetricsOptions {
  /** Is this a process type of the machine registry? Others are counted as `other`. */
  readonly isKnownType: (type: string) => boolean;
  /** May the outside world send this event to this type? Others are counted as `other`. */
  readonly isKnownEvent: (type: string, event: string) => boolean;
}

/** Outcomes the routes report; anything else is counted as `error`. */
const OUTCOMES = new Set([
  'accepted',
  'ok',
  'conflict',
  'invalid',
  'not_found',
  'forbidden',
  'unavailable',
  'error',
]);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const OTHER = 'other';

/** Up to 30 s: an update waits for the workflow to take the event, which can take seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Its own registry, not prom-client's global one: tests and several apps in one process. */
export function createApiRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'praxisflow_api_' });
  return registry;
}

/** A metric of the registry by name, registered on first use: factories may run twice. */
function registered<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/**
 * Times every request into `praxisflow_http_request_duration_seconds{method,route,status}`.
 * Mount it first, before the body parser and auth, so refusals are timed too. A request whose
 * client hung up before the answer was sent is not recorded (there is no status to label it).
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const histogram = registered(
    registry,
    'praxisflow_http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'praxisflow_http_request_duration_seconds',
        help: 'Duration of HTTP requests by method, route template and status code',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: DURATION_BUCKETS,
        registers: [registry],
      }),
  );
  return (req, res, next) => {
    trackRouteTemplate(req);
    const stopTimer = histogram.startTimer();
    res.once('finish', () => {
      stopTimer({
        method: METHODS.has(req.method) ? req.method : OTHER,
        route: routeTemplateOf(req),
        status: String(res.statusCode),
      });
    });
    next();
  };
}

export function createApiMetrics(registry: Registry, options: ApiMetricsOptions): ApiMetrics {
  const starts = registered(
    registry,
    'praxisflow_process_starts_total',
    () =>
      new Counter({
        name: 'praxisflow_process_starts_total',
        help: 'Process start requests by process type and outcome',
        labelNames: ['type', 'outcome'] as const,
        registers: [registry],
      }),
  );
  const events = registered(
    registry,
    'praxisflow_process_events_total',
    () =>
      new Counter({
        name: 'praxisflow_process_events_total',
        help: 'Events sent to processes by process type, event and outcome',
        labelNames: ['type', 'event', 'outcome'] as const,
        registers: [registry],
      }),
  );
  const transitions = registered(
    registry,
    'praxisflow_transitions_total',
    () =>
      new Counter({
        name: 'praxisflow_transitions_total',
        help: 'Process transitions this API wrote to the read model first, by process type and event (the workers count the others)',
        labelNames: ['type', 'event'] as const,
        registers: [registry],
      }),
  );
  // The type of an event request comes from the process id in the URL: bound it like the rest.
  const typeLabel = (type: string): string => (options.isKnownType(type) ? type : OTHER);
  const outcomeLabel = (outcome: string): string => (OUTCOMES.has(outcome) ? outcome : 'error');
  return {
    processStarted(type, outcome) {
      starts.inc({ type: typeLabel(type), outcome: outcomeLabel(outcome) });
    },
    transitionRecorded(type, event) {
      const known = event === 'STARTED' || options.isKnownEvent(type, event);
      transitions.inc({ type: typeLabel(type), event: known ? event : OTHER });
    },
    eventSent(type, event, outcome) {
      const known = options.isKnownType(type) && options.isKnownEvent(type, event);
      events.inc({
        type: typeLabel(type),
        event: known ? event : OTHER,
        outcome: outcomeLabel(outcome),
      });
    },
  };
}

/**
 * `GET /metrics` in the Prometheus text format. No API key: it carries no ids and no personal
 * data; restrict it at the ingress if the deployment wants it private.
 */
export function metricsRoutes(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  });
  return router;
}

/** Where the overdue gauge reads from: the read model, at each scrape. */
export interface OverdueSource {
  /** Every type and state with a target: shown as 0 while nothing is overdue there. */
  readonly states: readonly { readonly type: string; readonly state: string }[];
  count(): Promise<readonly { type: string; state: string; count: number }[]>;
}

/** A scrape waits at most this long for Postgres; without an answer the gauge is left out. */
const OVERDUE_SCRAPE_MS = 2000;

/**
 * `praxisflow_processes_overdue{type,state}`: active processes past their state's due time,
 * counted in Postgres when Prometheus scrapes (one query over the partial index of due rows).
 * Labels are types and states with a target: a bounded set. Every API process reports the
 * same numbers (they are the database's): aggregate with `max`, not `sum`.
 */
export function registerOverdueGauge(registry: Registry, source: OverdueSource): void {
  registered(
    registry,
    'praxisflow_processes_overdue',
    () =>
      new Gauge({
        name: 'praxisflow_processes_overdue',
        help: 'Active processes past the due time of the state they are in (überfällig)',
        labelNames: ['type', 'state'] as const,
        registers: [registry],
        async collect() {
          let timer: NodeJS.Timeout | undefined;
          const rows = await Promise.race([
            source.count().catch(() => undefined),
            new Promise<undefined>((resolve) => {
              timer = setTimeout(() => resolve(undefined), OVERDUE_SCRAPE_MS);
            }),
          ]).finally(() => clearTimeout(timer));
          this.reset();
          if (!rows) return;
          for (const { type, state } of source.states) this.set({ type, state }, 0);
          for (const { type, state, count } of rows) this.set({ type, state }, count);
        },
      }),
  );
}
