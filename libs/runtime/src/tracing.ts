// OpenTelemetry: spans go to an OTLP/HTTP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set. Unset, the
// API stays a no-op, so instrumented code costs next to nothing and injects no headers.
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Span, type SpanKind } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface Tracing {
  /** Flushes pending spans; the last holder's call also unregisters the global provider. */
  shutdown(): Promise<void>;
}

// One provider per process: the all-in-one (and tests) start several hosts, each calling startTracing,
// and the OTel globals can only be registered once.
let active: { provider: NodeTracerProvider; holders: number } | undefined;

export function startTracing({ serviceName, endpoint }: { serviceName: string; endpoint?: string }): Tracing {
  if (!endpoint) return { shutdown: async () => undefined };
  if (!active) {
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }))],
    });
    // The default context manager is AsyncLocalStorage; the propagator is pinned to W3C trace context
    // because that is what the bus/queue headers and the gRPC middleware carry.
    provider.register({ propagator: new W3CTraceContextPropagator() });
    active = { provider, holders: 0 };
  }
  const current = active;
  current.holders += 1;
  let released = false;
  return {
    async shutdown() {
      if (released) return;
      released = true;
      current.holders -= 1;
      if (current.holders > 0) return;
      active = undefined;
      await current.provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Adds traceparent/tracestate of the active context to `headers`, and returns them. */
export function injectTraceHeaders(headers: Record<string, string> = {}): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** Runs fn in the context carried by headers, ignoring whatever context the caller happens to be in. */
export function withExtractedContext<T>(headers: Record<string, string>, fn: () => T): T {
  // ROOT_CONTEXT, not context.active(): in-process adapters deliver inside the sender's async context,
  // and a message must be parented by its headers alone, as it would be after crossing a network.
  return context.with(propagation.extract(ROOT_CONTEXT, headers), fn);
}

/** Runs fn inside an active span that records a thrown error and ends when fn settles. */
export function withSpan<T>(name: string, options: { kind: SpanKind; attributes?: Attributes }, fn: (span: Span) => Promise<T>): Promise<T> {
  // Looked up per call: a tracer kept across shutdown and a new startTracing stays bound to the old provider.
  return trace.getTracer('@loom/runtime').startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
