import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { routeTemplateOf } from './route-template.js';

/**
 * One server span per request, the parent of what the request does (the Temporal client's
 * calls, database queries): named by method and route template once the route is known,
 * continuing the caller's trace when it sends `traceparent`. Records nothing unless the
 * OpenTelemetry SDK was started (observability/tracing.ts). Never records bodies, the query
 * string or headers.
 */
export function traceRequests(): RequestHandler {
  const tracer = trace.getTracer('praxisflow-api');
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
    res.once('close', () => {
      const route = routeTemplateOf(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
