// Remote binding: a nice-grpc client over HTTP/2 with deadlines, retries of idempotent calls, tracing,
// metrics, and gRPC statuses turned back into the typed errors the callee threw. Unary calls have a
// deadline; server streams (a player's session) have none, they live as long as the session, and
// keepalive pings notice a dead peer within seconds instead.
import { ClientError, Metadata, createChannel, createClientFactory, type Channel, type ClientMiddleware, type CompatServiceDefinition } from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import { retryMiddleware, type RetryOptions } from 'nice-grpc-client-middleware-retry';
import { openTelemetryClientMiddleware } from 'nice-grpc-opentelemetry';
import { prometheusClientMiddleware } from 'nice-grpc-prometheus';
import type { Client } from 'nice-grpc';
import type { Metrics } from '../metrics.ts';
import { errorFromStatus } from './errors.ts';
import { internalKeyHeader } from './grpc-server.ts';

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

/** The shape ts-proto generates for each method of a service definition. */
export interface TsProtoMethod {
  name: string;
  requestType: { fromPartial(value: unknown): unknown };
  responseType: { fromPartial(value: unknown): unknown };
  responseStream: boolean;
}
export interface TsProtoDefinition {
  fullName: string;
  methods: Record<string, TsProtoMethod>;
}

/**
 * HTTP/2 pings on every channel, also while no call runs: a peer that died without a word is found within
 * ~8 s. Reconnects start after 250 ms and wait at most 5 s (grpc-js: 1 s up to 120 s), so a restarted
 * service is reached again within seconds of answering.
 */
export const channelOptions = {
  'grpc.keepalive_time_ms': 5000,
  'grpc.keepalive_timeout_ms': 3000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 5000,
} as const;

export interface RemoteClientOptions {
  metrics: Metrics;
  /** The shared secret internal servers ask for (LOOM_INTERNAL_KEY). */
  internalKey?: string;
  /** Deadline of each call, retries included, unless the caller passes its own. */
  timeoutMs: number;
}

export function openChannel(address: string): Channel {
  return createChannel(address.includes('://') ? address : `http://${address}`, undefined, channelOptions);
}

export function remoteClient<Def extends CompatServiceDefinition>(
  definition: Def,
  channel: Channel,
  options: RemoteClientOptions,
): LoomClient<Def> {
  const unary: LoomCallOptions = { deadline: options.timeoutMs, retryMaxAttempts: 4, retryBaseDelayMs: 50, retryMaxDelayMs: 1000 };
  const defaults: Record<string, LoomCallOptions> = {};
  for (const [key, method] of Object.entries((definition as unknown as TsProtoDefinition).methods)) defaults[key] = method.responseStream ? {} : unary;
  const withKey: ClientMiddleware = async function* (call, callOptions) {
    const metadata = Metadata(callOptions.metadata);
    if (options.internalKey) metadata.set(internalKeyHeader, options.internalKey);
    return yield* call.next(call.request, { ...callOptions, metadata });
  };
  // On a client the last middleware attached runs first: typed errors outermost, one deadline over all retries.
  return createClientFactory()
    .use(withKey)
    .use(prometheusClientMiddleware(options.metrics.grpcClient))
    .use(openTelemetryClientMiddleware())
    .use(retryMiddleware)
    .use(deadlineMiddleware)
    .use(typedErrors)
    .create(definition, channel, defaults);
}
