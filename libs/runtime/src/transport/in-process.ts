// In-process binding: calls the implementation directly (no serialization), with the same deadline,
// typed-error, metrics and tracing behaviour as the remote binding, so callers cannot tell them apart.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Metadata, Status, type CallContext, type CompatServiceDefinition, type ServiceImplementation } from 'nice-grpc';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { DeadlineExceededError, InternalError, LoomError, statusOf } from './errors.ts';
import type { LoomCallOptions, LoomClient, TsProtoDefinition } from './grpc-client.ts';

export interface InProcessOptions {
  metrics: Metrics;
  logger: Logger;
  timeoutMs: number;
}

type Handler = (request: unknown, context: CallContext) => unknown;

const tracer = trace.getTracer('loom-in-process');

/** `defaultMs` undefined = no deadline unless the caller sets one (streams live as long as their session). */
function contextFor(options: LoomCallOptions & { signal?: AbortSignal }, defaultMs: number | undefined) {
  const deadline = options.deadline ?? defaultMs;
  const ms = deadline instanceof Date ? deadline.getTime() - Date.now() : deadline;
  const timeout = ms === undefined ? undefined : AbortSignal.timeout(Math.max(0, ms));
  const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  const context: CallContext = {
    metadata: Metadata(),
    peer: 'in-process',
    header: Metadata(),
    trailer: Metadata(),
    sendHeader() {},
    signal,
  };
  return { context, timeout, ms };
}

function normalizeError(error: unknown, path: string, logger: Logger): Error {
  if (error instanceof LoomError) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;
  logger.error({ err: error, method: path }, 'unhandled error in RPC');
  return new InternalError('internal error');
}

/** Rejects with DeadlineExceededError when the deadline passes first, like a remote call would. */
function withDeadline<T>(work: Promise<T>, timeout: AbortSignal, ms: number, path: string): Promise<T> {
  if (timeout.aborted) return Promise.reject(new DeadlineExceededError(`${path}: deadline of ${ms} ms exceeded`));
  return new Promise<T>((resolve, reject) => {
    const onTimeout = () => reject(new DeadlineExceededError(`${path}: deadline of ${ms} ms exceeded`));
    timeout.addEventListener('abort', onTimeout, { once: true });
    work.then(resolve, reject).finally(() => timeout.removeEventListener('abort', onTimeout));
  });
}

export function inProcessClient<Def extends CompatServiceDefinition>(
  definition: Def,
  implementation: () => ServiceImplementation<Def>,
  options: InProcessOptions,
): LoomClient<Def> {
  const { fullName, methods } = definition as unknown as TsProtoDefinition;
  const client: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(methods)) {
    const path = `/${fullName}/${method.name}`;
    const labels = { grpc_type: method.responseStream ? 'server_stream' : 'unary', grpc_service: fullName, grpc_method: method.name, grpc_path: path };
    const m = options.metrics.grpcServer;
    const finish = (started: bigint, error?: unknown) => {
      const code = error === undefined ? 'OK' : Status[error instanceof LoomError ? statusOf(error) : Status.CANCELLED];
      m.serverHandledMetric.inc({ ...labels, grpc_code: code });
      m.serverHandlingSecondsMetric.observe({ ...labels, grpc_code: code }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    const handler = (): Handler => {
      const impl = implementation() as unknown as Record<string, Handler>;
      const fn = impl[key];
      if (!fn) throw new InternalError(`${path} has no implementation`);
      return fn.bind(impl);
    };
    if (method.responseStream) {
      client[key] = async function* (request: unknown, callOptions: LoomCallOptions & { signal?: AbortSignal } = {}) {
        m.serverStartedMetric.inc(labels);
        const started = process.hrtime.bigint();
        const { context } = contextFor(callOptions, undefined);
        try {
          const stream = handler()(method.requestType.fromPartial(request), context) as AsyncIterable<unknown>;
          for await (const item of stream) {
            m.serverStreamMsgSentMetric.inc(labels);
            yield method.responseType.fromPartial(item);
          }
          finish(started);
        } catch (error) {
          const normalized = normalizeError(error, path, options.logger);
          finish(started, normalized);
          throw normalized;
        }
      };
    } else {
      client[key] = (request: unknown, callOptions: LoomCallOptions & { signal?: AbortSignal } = {}) =>
        tracer.startActiveSpan(path.slice(1), { kind: SpanKind.INTERNAL }, async (span) => {
          m.serverStartedMetric.inc(labels);
          const started = process.hrtime.bigint();
          const { context, timeout, ms } = contextFor(callOptions, options.timeoutMs);
          if (!timeout || ms === undefined) throw new Error('unary calls always have a deadline');
          try {
            const work = Promise.resolve().then(() => handler()(method.requestType.fromPartial(request), context));
            const response = method.responseType.fromPartial(await withDeadline(work, timeout, ms, path));
            finish(started);
            return response;
          } catch (error) {
            const normalized = normalizeError(error, path, options.logger);
            finish(started, normalized);
            span.setStatus({ code: SpanStatusCode.ERROR, message: normalized.message });
            throw normalized;
          } finally {
            span.end();
          }
        });
    }
  }
  return client as LoomClient<Def>;
}
