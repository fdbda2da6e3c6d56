// The gRPC server of a standalone service: its contract, grpc.health.v1, metrics, tracing, typed errors.
import { timingSafeEqual } from 'node:crypto';
import { createServer, ServerError, Status, type CompatServiceDefinition, type ServerMiddleware, type ServiceImplementation } from 'nice-grpc';
import { openTelemetryServerMiddleware } from 'nice-grpc-opentelemetry';
import { prometheusServerMiddleware } from 'nice-grpc-prometheus';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { LoomError, statusOf } from './errors.ts';

export interface GrpcServerOptions {
  host: string;
  port: number;
  metrics: Metrics;
  logger: Logger;
  /** When set, every call but grpc.health.v1's must carry it (metadata `x-loom-key`). */
  internalKey?: string;
}

/** The metadata key internal calls carry the shared secret in. */
export const internalKeyHeader = 'x-loom-key';

/** Refuses calls without the internal key (when one is set): internal RPCs change accounts and run code. */
function keyMiddleware(key: string | undefined): ServerMiddleware {
  const expected = Buffer.from(key ?? '');
  return async function* (call, context) {
    if (key && !call.method.path.startsWith('/grpc.health.v1.')) {
      const given = Buffer.from(context.metadata.get(internalKeyHeader) ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ServerError(Status.UNAUTHENTICATED, 'internal calls need the internal key (LOOM_INTERNAL_KEY)');
    }
    return yield* call.next(call.request, context);
  };
}

export interface GrpcServer {
  port: number;
  health: HealthState;
  /** Stops accepting calls, lets the running ones finish (cancelling them after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/** Turns typed errors into their status; anything else is an internal error whose details stay in the log. */
function errorMiddleware(logger: Logger): ServerMiddleware {
  return async function* (call, context) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof LoomError) throw new ServerError(statusOf(error), error.message);
      if (error instanceof ServerError || (error instanceof Error && error.name === 'AbortError')) throw error;
      logger.error({ err: error, method: call.method.path }, 'unhandled error in RPC');
      throw new ServerError(Status.INTERNAL, 'internal error');
    }
  };
}

export async function startGrpcServer<Def extends CompatServiceDefinition>(
  definition: Def,
  implementation: ServiceImplementation<Def>,
  options: GrpcServerOptions,
): Promise<GrpcServer> {
  // Pings each client connection too: a gateway that died without closing its streams is found in seconds,
  // and its players' sessions end instead of waiting forever.
  const server = createServer({ 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5000 })
    .use(prometheusServerMiddleware(options.metrics.grpcServer))
    .use(openTelemetryServerMiddleware())
    .use(errorMiddleware(options.logger))
    .use(keyMiddleware(options.internalKey));
  const health = HealthState();
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(definition, implementation);
  const port = await server.listen(`${options.host}:${options.port}`);
  const fullName = (definition as { fullName?: string }).fullName;
  if (fullName) health.setStatus('healthy', fullName);
  return {
    port,
    health,
    async close(graceMs = 5000) {
      health.setStatus('unhealthy');
      if (fullName) health.setStatus('unhealthy', fullName);
      const timer = setTimeout(() => server.forceShutdown(), graceMs);
      await server.shutdown();
      clearTimeout(timer);
    },
  };
}
