import {
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';
import type { IResource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Traces with OpenTelemetry: off unless the standard variables ask for them
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_TRACES_EXPORTER` other than `none`; `OTEL_SDK_DISABLED=true` wins). The OpenTelemetry
 * Node SDK then reads the rest of them itself (protocol, headers, service name, resource
 * attributes, sampler).
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined && exporter !== '') return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface Tracing {
  /**
   * Where spans end up. Workflow spans are made inside the workflow sandbox and handed out
   * through a sink: the worker gives them to this processor, with this resource.
   */
  readonly spanProcessor: SpanProcessor;
  readonly resource: IResource;
  /** Exports what is still buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK for this process, registered globally: every span made with
 * `@opentelemetry/api` from here on is exported. `spanProcessor` replaces the exporter the
 * environment describes (tests give an in-memory one).
 */
export function startTracing(
  serviceName: string,
  options: { readonly spanProcessor?: SpanProcessor } = {},
): Tracing {
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName,
    ...(options.spanProcessor ? { spanProcessors: [options.spanProcessor] } : {}),
  });
  sdk.start();
  const registered = trace.getTracerProvider();
  const provider =
    registered instanceof ProxyTracerProvider ? registered.getDelegate() : registered;
  if (!(provider instanceof BasicTracerProvider)) {
    throw new Error('the OpenTelemetry SDK did not register its tracer provider');
  }
  return {
    spanProcessor: provider.getActiveSpanProcessor(),
    resource: provider.resource,
    shutdown: () => sdk.shutdown(),
  };
}

const tracer = () => trace.getTracer('praxisflow');

/**
 * Runs `work` in a client span (an SMTP send, a database query): a child of the active span, so
 * that it lands in the trace of the request or activity that caused it. Without a started SDK
 * the span records nothing.
 */
export function inClientSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      // The name only: a message may quote an address or a value.
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.name : 'error',
      });
      throw error;
    } finally {
      span.end();
    }
  });
}
