// Carries trace context across the bus in message headers, so adapters need not know about OpenTelemetry.
import { SpanKind } from '@opentelemetry/api';
import { injectTraceHeaders, withExtractedContext, withSpan } from '../tracing.ts';
import type { ByteBus } from './bus.ts';

export function tracedBus(bus: ByteBus): ByteBus {
  return {
    kind: bus.kind,
    publish: (topic, payload, headers = {}) =>
      withSpan(`publish ${topic}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': topic } }, () =>
        bus.publish(topic, payload, injectTraceHeaders({ ...headers })),
      ),
    subscribe: (pattern, handler) =>
      bus.subscribe(pattern, (message) =>
        withExtractedContext(message.headers, () =>
          withSpan(`receive ${message.topic}`, { kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': message.topic } }, async () =>
            handler(message),
          ),
        ),
      ),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}
