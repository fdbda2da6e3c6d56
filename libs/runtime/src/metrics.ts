// Prometheus metrics of one process: Node's own, per-RPC latency and outcome (both transports), HTTP.
import { labelNames, labelNamesWithCode } from 'nice-grpc-prometheus';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram } from 'prom-client';

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(labels: Record<string, string> = {}) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  // prom-client names three gauges *_total, which Prometheus keeps for counters (promtool refuses them);
  // each is the sum of its per-type gauge (nodejs_active_handles{type=...} and so on), which stays.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const registers = [registry];
  return {
    registry,
    grpcServer: {
      serverStartedMetric: new Counter({ registers, name: 'grpc_server_started_total', help: 'RPCs started on the server.', labelNames }),
      serverHandledMetric: new Counter({ registers, name: 'grpc_server_handled_total', help: 'RPCs completed on the server, by status code (errors are the codes other than OK).', labelNames: labelNamesWithCode }),
      serverStreamMsgReceivedMetric: new Counter({ registers, name: 'grpc_server_msg_received_total', help: 'Stream messages received by the server.', labelNames }),
      serverStreamMsgSentMetric: new Counter({ registers, name: 'grpc_server_msg_sent_total', help: 'Stream messages sent by the server.', labelNames }),
      serverHandlingSecondsMetric: new Histogram({ registers, name: 'grpc_server_handling_seconds', help: 'Server-side RPC latency in seconds, in-process and remote calls alike.', labelNames: labelNamesWithCode, buckets: latencyBuckets }),
    },
    grpcClient: {
      clientStartedMetric: new Counter({ registers, name: 'grpc_client_started_total', help: 'RPCs started by this process as a client.', labelNames }),
      clientHandledMetric: new Counter({ registers, name: 'grpc_client_handled_total', help: 'RPCs completed as a client, by status code.', labelNames: labelNamesWithCode }),
      clientStreamMsgReceivedMetric: new Counter({ registers, name: 'grpc_client_msg_received_total', help: 'Stream messages received as a client.', labelNames }),
      clientStreamMsgSentMetric: new Counter({ registers, name: 'grpc_client_msg_sent_total', help: 'Stream messages sent as a client.', labelNames }),
      clientHandlingSecondsMetric: new Histogram({ registers, name: 'grpc_client_handling_seconds', help: 'Client-side RPC latency in seconds.', labelNames: labelNamesWithCode, buckets: latencyBuckets }),
    },
    httpRequestSeconds: new Histogram({ registers, name: 'http_request_duration_seconds', help: 'HTTP request latency in seconds.', labelNames: ['method', 'route', 'status_code'], buckets: latencyBuckets }),
  };
}
