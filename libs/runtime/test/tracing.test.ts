import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { BusHandler, BusMessage, ByteBus } from '../src/bus/bus.ts';
import { tracedBus } from '../src/bus/traced-bus.ts';
import type { ByteQueue, Job, JobHandler } from '../src/queue/queue.ts';
import { tracedQueue } from '../src/queue/traced-queue.ts';
import { injectTraceHeaders, startTracing, withExtractedContext } from '../src/tracing.ts';

// Minimal stand-ins for the adapters: headers cross as JSON, as they would over a wire.
function fakeBus(): ByteBus {
  const handlers: BusHandler[] = [];
  return {
    kind: 'memory',
    async publish(topic, payload, headers = {}) {
      for (const handler of handlers) await handler({ topic, payload, headers: JSON.parse(JSON.stringify(headers)) });
    },
    async subscribe(_pattern, handler) {
      handlers.push(handler);
      return { unsubscribe: async () => undefined };
    },
    ping: async () => undefined,
    close: async () => undefined,
  };
}

function fakeQueue(): ByteQueue {
  const handlers: JobHandler[] = [];
  let next = 0;
  return {
    kind: 'memory',
    async enqueue(queue, payload, headers = {}) {
      const id = String(++next);
      for (const handler of handlers) await handler({ id, queue, payload, attempt: 1, headers: JSON.parse(JSON.stringify(headers)) });
      return id;
    },
    async consume(_queue, handler) {
      handlers.push(handler);
      return { stop: async () => undefined };
    },
    drainDeadLetters: async () => [],
    ping: async () => undefined,
    close: async () => undefined,
  };
}

const tracer = () => trace.getTracer('test');

describe('with tracing off', () => {
  test('publish adds no traceparent, and handlers still run', async () => {
    const tracing = startTracing({ serviceName: 'test' });
    const bus = tracedBus(fakeBus());
    const received: BusMessage[] = [];
    await bus.subscribe('chat.message', (message) => void received.push(message));
    await bus.publish('chat.message', new Uint8Array(), { 'x-origin': 'test' });
    assert.deepEqual(received, [{ topic: 'chat.message', payload: new Uint8Array(), headers: { 'x-origin': 'test' } }]);
    assert.deepEqual(injectTraceHeaders(), {});
    await tracing.shutdown();
  });
});

describe('with an in-memory exporter', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  before(() => provider.register({ propagator: new W3CTraceContextPropagator() }));
  beforeEach(() => exporter.reset());
  after(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const spanNamed = (name: string) => {
    const span = exporter.getFinishedSpans().find((s) => s.name === name);
    assert.ok(span, `no span named ${name}`);
    return span;
  };

  test('a bus subscriber runs in a CONSUMER span parented by the PRODUCER span of the publish', async () => {
    const bus = tracedBus(fakeBus());
    const received: BusMessage[] = [];
    let activeInHandler: string | undefined;
    await bus.subscribe('player.entered', (message) => {
      received.push(message);
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
    });
    const callerHeaders = { 'x-origin': 'test' };
    await tracer().startActiveSpan('request', async (span) => {
      await bus.publish('player.entered', new Uint8Array(), callerHeaders);
      span.end();
    });

    const request = spanNamed('request');
    const publish = spanNamed('publish player.entered');
    const receive = spanNamed('receive player.entered');
    assert.equal(publish.kind, SpanKind.PRODUCER);
    assert.equal(receive.kind, SpanKind.CONSUMER);
    assert.equal(publish.parentSpanContext?.spanId, request.spanContext().spanId);
    assert.equal(receive.spanContext().traceId, request.spanContext().traceId);
    assert.equal(receive.parentSpanContext?.spanId, publish.spanContext().spanId);
    assert.equal(activeInHandler, receive.spanContext().spanId);
    assert.match(received[0]?.headers.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(received[0]?.headers['x-origin'], 'test');
    assert.deepEqual(callerHeaders, { 'x-origin': 'test' }, 'the caller\'s headers are not modified');
  });

  test('a job is consumed in a CONSUMER span parented by the PRODUCER span of the enqueue', async () => {
    const queue = tracedQueue(fakeQueue());
    const seen: Job[] = [];
    await queue.consume('scripts', async (job) => {
      seen.push(job);
    });
    const id = await tracer().startActiveSpan('request', async (span) => {
      const jobId = await queue.enqueue('scripts', new Uint8Array());
      span.end();
      return jobId;
    });

    const request = spanNamed('request');
    const enqueue = spanNamed('publish scripts');
    const receive = spanNamed('receive scripts');
    assert.equal(enqueue.kind, SpanKind.PRODUCER);
    assert.equal(enqueue.attributes['messaging.message.id'], id);
    assert.equal(receive.kind, SpanKind.CONSUMER);
    assert.equal(receive.spanContext().traceId, request.spanContext().traceId);
    assert.equal(receive.parentSpanContext?.spanId, enqueue.spanContext().spanId);
    assert.ok(seen[0]?.headers.traceparent);
  });

  test('a failing handler marks its span as an error and still throws to the adapter', async () => {
    const queue = tracedQueue(fakeQueue());
    await queue.consume('saves', async () => {
      throw new Error('disk full');
    });
    await assert.rejects(queue.enqueue('saves', new Uint8Array()), /disk full/);
    assert.equal(spanNamed('receive saves').status.code, SpanStatusCode.ERROR);
  });

  test('a publish outside any span starts a new trace', async () => {
    const bus = tracedBus(fakeBus());
    await bus.subscribe('tick', () => undefined);
    await bus.publish('tick', new Uint8Array());
    const publish = spanNamed('publish tick');
    assert.equal(publish.parentSpanContext, undefined);
    assert.equal(spanNamed('receive tick').parentSpanContext?.spanId, publish.spanContext().spanId);
  });

  test('injectTraceHeaders and withExtractedContext round-trip the active span', () => {
    assert.deepEqual(injectTraceHeaders(), {}, 'no active span, no traceparent');
    const span = tracer().startSpan('outer');
    const headers = context.with(trace.setSpan(context.active(), span), () => injectTraceHeaders({ 'x-keep': '1' }));
    span.end();
    assert.equal(headers['x-keep'], '1');
    const inner = withExtractedContext(headers, () => trace.getActiveSpan()?.spanContext());
    assert.equal(inner?.traceId, span.spanContext().traceId);
    assert.equal(inner?.spanId, span.spanContext().spanId);
    assert.equal(inner?.isRemote, true);
    assert.equal(withExtractedContext({}, () => trace.getActiveSpan()), undefined);
  });
});

test('startTracing exports spans over OTLP/HTTP, once per process however often it is called', async (t) => {
  const requests: Array<{ url?: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST') requests.push({ url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const first = startTracing({ serviceName: 'loom-test', endpoint });
  const second = startTracing({ serviceName: 'ignored', endpoint });
  await second.shutdown();
  await second.shutdown();
  const headers = tracer().startActiveSpan('still traced', (span) => {
    span.end();
    return injectTraceHeaders();
  });
  assert.ok(headers.traceparent, 'the W3C propagator is registered');
  await first.shutdown();

  assert.equal(requests.length, 1);
  assert.equal(requests[0]?.url, '/v1/traces');
  assert.match(requests[0]?.body ?? '', /still traced/);
  assert.match(requests[0]?.body ?? '', /loom-test/);
  const afterShutdown = tracer().startActiveSpan('untraced', (span) => {
    span.end();
    return injectTraceHeaders();
  });
  assert.deepEqual(afterShutdown, {}, 'shutdown unregistered the globals');
});
