// Carries trace context from enqueue to consume in job headers, so adapters need not know about OpenTelemetry.
import { SpanKind } from '@opentelemetry/api';
import { injectTraceHeaders, withExtractedContext, withSpan } from '../tracing.ts';
import type { ByteQueue } from './queue.ts';

export function tracedQueue(queue: ByteQueue): ByteQueue {
  return {
    kind: queue.kind,
    enqueue: (name, payload, headers = {}) =>
      withSpan(`publish ${name}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': name } }, async (span) => {
        const id = await queue.enqueue(name, payload, injectTraceHeaders({ ...headers }));
        span.setAttribute('messaging.message.id', id);
        return id;
      }),
    consume: (name, handler, options) =>
      queue.consume(
        name,
        (job) =>
          withExtractedContext(job.headers, () =>
            withSpan(
              `receive ${name}`,
              { kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': name, 'messaging.message.id': job.id, 'loom.job.attempt': job.attempt } },
              () => handler(job),
            ),
          ),
        options,
      ),
    drainDeadLetters: (name, max) => queue.drainDeadLetters(name, max),
    ping: () => queue.ping(),
    close: () => queue.close(),
  };
}
