// Remote binding: a nice-grpc client over HTTP/2 with deadlines, retries of idempotent calls, tracing,
// metrics, and gRPC statuses turned back into the typed errors the callee threw.
import { ClientError, createChannel, createClientFactory, type Channel, type ClientMiddleware, type CompatServiceDefinition } from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import { retryMiddleware, type RetryOptions } from 'nice-grpc-client-middleware-retry';
import { openTelemetryClientMiddleware } from 'nice-grpc-opentelemetry';
import { prometheusClientMiddleware } from 'nice-grpc-prometheus';
import type { Client } from 'nice-grpc';
import type { Metrics } from '../metrics.ts';
import { errorFromStatus } from './errors.ts';

export type LoomCallOptions = DeadlineOptions & RetryOptions;
export type LoomClient<Def extends CompatServiceDefinition> = Client<Def, LoomCallOptions>;

const typedErrors: ClientMiddleware = async function* (call, options) {
  try {
    return yield* call.next(call.request, options);
  } catch (error) {
    if (error instanceof ClientError) throw errorFromStatus(error.code, error.details);
    throw error;
  }
};

export interface RemoteClientOptions {
  metrics: Metrics;
  /** Deadline of each call, retries included, unless the caller passes its own. */
  timeoutMs: number;
}

export function openChannel(address: string): Channel {
  return createChannel(address.includes('://') ? address : `http://${address}`);
}

export function remoteClient<Def extends CompatServiceDefinition>(
  definition: Def,
  channel: Channel,
  options: RemoteClientOptions,
): LoomClient<Def> {
  // On a client the last middleware attached runs first: typed errors outermost, one deadline over all retries.
  return createClientFactory()
    .use(prometheusClientMiddleware(options.metrics.grpcClient))
    .use(openTelemetryClientMiddleware())
    .use(retryMiddleware)
    .use(deadlineMiddleware)
    .use(typedErrors)
    .create(definition, channel, {
      '*': { deadline: options.timeoutMs, retryMaxAttempts: 4, retryBaseDelayMs: 50, retryMaxDelayMs: 1000 },
    });
}
