// The HTTP server every process has: /health (alive), /ready (dependencies answer), /metrics.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /** Reported in /ready, but its failure leaves the process ready: it copes while this is away. */
  copesWithout?: boolean;
}

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  /** Named in /health so a person can tell the processes apart. */
  identity: string;
  checks: () => ReadinessCheck[];
  bodyLimit?: number;
  /** Reverse proxies whose X-Forwarded-For is believed (LOOM_TRUST_PROXY): request.ip is then the client's. */
  trustProxy?: string[];
}

const readinessTimeoutMs = 2000;

interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  copesWithout?: boolean;
}

async function runCheck({ name, check, copesWithout }: ReadinessCheck): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${readinessTimeoutMs} ms`)), readinessTimeoutMs);
      }),
    ]);
    return { name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, ms: Date.now() - started, error: (error as Error).message, ...(copesWithout ? { copesWithout } : {}) };
  } finally {
    clearTimeout(timer);
  }
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Requests are counted in metrics; a log line each would drown the service's own lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
  });
  const started = Date.now();
  app.addHook('onResponse', async (request, reply) => {
    options.metrics.httpRequestSeconds.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/health', async () => ({ status: 'ok', service: options.identity, pid: process.pid, uptimeSeconds: Math.round((Date.now() - started) / 1000) }));
  app.get('/ready', async (_request, reply) => {
    const checks = await Promise.all(options.checks().map(runCheck));
    const ready = checks.every((c) => c.ok || c.copesWithout);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', service: options.identity, checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(body);
  });
  return app;
}
