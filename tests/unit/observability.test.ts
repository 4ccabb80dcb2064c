import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { Router, type ErrorRequestHandler } from 'express';
import type { Histogram } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, requestContext } from '../../api/observability/logger.js';
import {
  createApiMetrics,
  createApiRegistry,
  httpMetrics,
  metricsRoutes,
  type ApiMetrics,
} from '../../api/observability/metrics.js';
import { securityHeaders } from '../../api/security.js';
import { createWorkerMetrics, serveWorkerMetrics } from '../../worker/metrics.js';
import { exitGracefully } from '../../worker/shutdown.js';

interface AccessLine {
  readonly msg: string;
  readonly requestId: string;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly actor?: string;
}

/** A tiny app wired like the real one: context, metrics, security, body parser, auth, routes. */
function observedApp(options: { https?: boolean } = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line) => lines.push(line) },
  });
  const registry = createApiRegistry();
  const metrics = createApiMetrics(registry, {
    isKnownType: (type) => type === 'invitation',
    isKnownEvent: (_type, event) => event === 'INVITATION_REVOKED',
  });

  const app = express();
  app.use(requestContext(logger));
  app.use(httpMetrics(registry));
  app.use(securityHeaders({ https: options.https ?? false }));
  app.use(metricsRoutes(registry));
  app.use(express.json());
  app.get('/registrierung', (_req, res) => {
    res.type('html').send('<!doctype html><title>Registrierung</title>');
  });
  const api = Router();
  api.use((req, _res, next) => {
    req.caller = { keyId: 'key-4711', role: 'admin', practices: [] };
    next();
  });
  api.get('/processes/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  api.post('/processes/:id/events', () => {
    throw Object.assign(new Error('not allowed now'), { status: 409 });
  });
  app.use('/api/v1', api);
  const errors: ErrorRequestHandler = (error: { status?: number }, _req, res, _next) => {
    res.status(error.status ?? 500).json({ status: error.status ?? 500 });
  };
  app.use(errors);

  const accessLines = (): AccessLine[] =>
    lines.map((line) => JSON.parse(line) as AccessLine).filter((line) => line.msg === 'request');
  return { app, lines, accessLines, registry, metrics };
}

async function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

describe('API observability', () => {
  const stack = observedApp();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    ({ server, base } = await listen(stack.app));
  });
  afterAll(() => close(server));

  /** The access line of one request; it is written when the response has ended. */
  const lineOf = (requestId: string): Promise<AccessLine> =>
    vi.waitFor(() => {
      const line = stack.accessLines().find((candidate) => candidate.requestId === requestId);
      if (!line) throw new Error(`no access line for ${requestId} yet`);
      return line;
    });

  const histogramSamples = async () => {
    const histogram = stack.registry.getSingleMetric('praxisflow_http_request_duration_seconds');
    return (await (histogram as Histogram).get()).values;
  };

  it('when a process is fetched by id, then the histogram is labelled with the route template, not the id', async () => {
    // act
    const response = await fetch(`${base}/api/v1/processes/invitation-4711`);

    // assert
    expect(response.status).toBe(200);
    await vi.waitFor(async () => {
      const counts = (await histogramSamples()).filter(
        (sample) => sample.metricName === 'praxisflow_http_request_duration_seconds_count',
      );
      expect(counts).toContainEqual(
        expect.objectContaining({
          labels: { method: 'GET', route: '/api/v1/processes/:id', status: '200' },
          value: 1,
        }),
      );
    });
    const text = await stack.registry.metrics();
    expect(text).not.toContain('invitation-4711');
  });

  it('when a route fails, then its error answer is still labelled with the full route template', async () => {
    // act
    const response = await fetch(`${base}/api/v1/processes/invitation-1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"INVITATION_REVOKED"}',
    });

    // assert
    expect(response.status).toBe(409);
    await vi.waitFor(async () => {
      expect(await histogramSamples()).toContainEqual(
        expect.objectContaining({
          metricName: 'praxisflow_http_request_duration_seconds_count',
          labels: { method: 'POST', route: '/api/v1/processes/:id/events', status: '409' },
        }),
      );
    });
  });

  it('when no route matches, then the request is labelled unmatched', async () => {
    // act
    const response = await fetch(`${base}/nowhere/4711`);

    // assert
    expect(response.status).toBe(404);
    await vi.waitFor(async () => {
      expect(await histogramSamples()).toContainEqual(
        expect.objectContaining({
          metricName: 'praxisflow_http_request_duration_seconds_count',
          labels: { method: 'GET', route: 'unmatched', status: '404' },
        }),
      );
    });
  });

  it('when the caller sends a well-formed X-Request-Id, then it is echoed and logged with the request', async () => {
    // act
    const response = await fetch(`${base}/api/v1/processes/invitation-4711`, {
      headers: { 'X-Request-Id': 'portal-req.42_a' },
    });

    // assert
    expect(response.headers.get('x-request-id')).toBe('portal-req.42_a');
    expect(await lineOf('portal-req.42_a')).toMatchObject({
      method: 'GET',
      route: '/api/v1/processes/:id',
      path: '/api/v1/processes/invitation-4711',
      status: 200,
      actor: 'key-4711',
      durationMs: expect.any(Number),
    });
  });

  it('when the caller sends a malformed X-Request-Id, then a UUID is generated instead', async () => {
    // act
    const response = await fetch(`${base}/api/v1/processes/invitation-4711`, {
      headers: { 'X-Request-Id': 'forged "id" with spaces' },
    });

    // assert
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await lineOf(id)).path).toBe('/api/v1/processes/invitation-4711');
    expect(stack.lines.join('\n')).not.toContain('forged');
  });

  it('when the URL carries a token in its query string, then no log line contains it', async () => {
    // act
    const response = await fetch(`${base}/registrierung?prozess=invitation-1&token=s3cr3t-t0ken`, {
      headers: { Authorization: 'Bearer pf_not-a-real-key-but-secret' },
    });

    // assert
    const line = await lineOf(response.headers.get('x-request-id') ?? '');
    expect(line.path).toBe('/registrierung');
    const everything = stack.lines.join('\n');
    expect(everything).not.toContain('s3cr3t-t0ken');
    expect(everything).not.toContain('pf_not-a-real-key-but-secret');
  });

  it('when the API answers, then it carries the strict security headers and no-store', async () => {
    // act
    const response = await fetch(`${base}/api/v1/processes/invitation-4711`);

    // assert
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('when the HTML page answers, then its CSP lets it use its own styles and scripts only', async () => {
    // act
    const response = await fetch(`${base}/registrierung?prozess=p&token=t`);

    // assert
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });

  it('when the deployment is behind HTTPS, then HSTS is sent', async () => {
    // arrange
    const secure = await listen(observedApp({ https: true }).app);

    // act
    const response = await fetch(`${secure.base}/api/v1/processes/invitation-4711`);
    await close(secure.server);

    // assert
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=31536000/);
  });

  it('when starts and events were recorded, then /metrics answers them in Prometheus text', async () => {
    // arrange
    const metrics: ApiMetrics = stack.metrics;
    metrics.processStarted('invitation', 'ok');
    metrics.processStarted('made-up-type', 'not_found');
    metrics.eventSent('invitation', 'INVITATION_REVOKED', 'conflict');
    metrics.eventSent('invitation', 'SOMETHING_UNKNOWN', 'weird-outcome');

    // act
    const response = await fetch(`${base}/metrics`);
    const text = await response.text();

    // assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('praxisflow_process_starts_total{type="invitation",outcome="ok"} 1');
    expect(text).toContain('praxisflow_process_starts_total{type="other",outcome="not_found"} 1');
    expect(text).toContain(
      'praxisflow_process_events_total{type="invitation",event="INVITATION_REVOKED",outcome="conflict"} 1',
    );
    expect(text).toContain(
      'praxisflow_process_events_total{type="invitation",event="other",outcome="error"} 1',
    );
    expect(text).toContain('praxisflow_api_process_cpu_seconds_total');
    expect(text).not.toContain('made-up-type');
  });
});

describe('worker observability', () => {
  it('when a transition and a fired timer were recorded, then the worker /metrics counts both', async () => {
    // arrange
    const metrics = createWorkerMetrics();
    const server = await serveWorkerMetrics(metrics.registry, 0, '127.0.0.1');
    metrics.transition('invitation', 'REGISTRATION_STARTED', 'key-4711');
    metrics.transition('invitation', 'xstate.after.invitationExpiry.invitation.invited', 'timer');

    // act
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    const text = await response.text();
    const elsewhere = await fetch(`http://127.0.0.1:${server.port}/`);
    await server.close();

    // assert
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain(
      'praxisflow_transitions_total{type="invitation",event="REGISTRATION_STARTED"} 1',
    );
    expect(text).toContain('praxisflow_timers_fired_total{type="invitation"} 1');
    expect(text).toContain('praxisflow_worker_process_cpu_seconds_total');
    expect(elsewhere.status).toBe(404);
  });

  it('when shutting down, then the closers run in order, a hanging one is given up, and it exits 1', async () => {
    // arrange
    const closed: string[] = [];
    const exits: number[] = [];
    const logged: string[] = [];
    const shutdown = exitGracefully({
      signals: [],
      timeoutMs: 50,
      logger: { info: (m) => logged.push(m), error: (m) => logged.push(m) },
      exit: (code) => exits.push(code),
      closers: [
        { name: 'worker', close: () => void closed.push('worker') },
        { name: 'hanging mailer', close: () => new Promise<void>(() => undefined) },
        { name: 'pool', close: async () => void closed.push('pool') },
      ],
    });

    // act
    await Promise.all([shutdown('SIGTERM'), shutdown('SIGTERM')]);

    // assert
    expect(closed).toEqual(['worker', 'pool']);
    expect(exits).toEqual([1]);
    expect(logged.join('\n')).toContain('hanging mailer: did not close within 50 ms');
  });
});
