// Hosts services in one process: the all-in-one (every service, in-process calls) or one standalone
// service (its gRPC server, its ops HTTP port, the others reached over gRPC).
import { contracts, type ContractServiceName } from '@loom/proto';
import type { FastifyInstance } from 'fastify';
import { openAdapters } from './adapters.ts';
import type { LoomConfig } from './config.ts';
import { createHttpServer, type ReadinessCheck } from './http-server.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import type { ServiceContext, ServiceModule, StartedService } from './service.ts';
import { defaultPorts } from './services.ts';
import { startTracing } from './tracing.ts';
import { checkRemoteHealth, ServiceDirectory, type Implementation } from './transport/directory.ts';
import { startGrpcServer, type GrpcServer } from './transport/grpc-server.ts';

export type HostMode = 'all-in-one' | 'standalone';

export interface HostOptions {
  services: ServiceModule[];
  config: LoomConfig;
  mode: HostMode;
}

export interface Host {
  identity: string;
  logger: Logger;
  http: FastifyInstance;
  httpPort: number;
  grpcPort?: number;
  /** One line per listener, for the startup log. */
  listening: string[];
  stop(): Promise<void>;
  /** Stops every log line: for when nobody reads this process's output any more (its parent died). */
  silence(): void;
}

function isContract(name: string): name is ContractServiceName {
  return name in contracts;
}

export async function startHost({ services, config, mode }: HostOptions): Promise<Host> {
  const first = services[0];
  if (!first) throw new Error('no service to start');
  if (mode === 'standalone' && services.length !== 1) throw new Error('a standalone host runs exactly one service');
  // Before anything starts: internal gRPC reads accounts, makes admins and runs code for its callers.
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(config.grpcHost);
  if (mode === 'standalone' && isContract(first.name) && !loopback && !config.internalKey) {
    throw new Error(`refusing to serve internal gRPC on ${config.grpcHost} without LOOM_INTERNAL_KEY: anyone who reaches it could read accounts and make admins`);
  }
  const identity = mode === 'all-in-one' ? 'loom' : first.name;
  const tracing = startTracing({ serviceName: identity, endpoint: config.otlpEndpoint });
  const logger = createLogger(identity, config.logLevel);
  const loggers = [logger];
  const metrics = createMetrics({ service: identity });
  const adapters = openAdapters(config, logger);
  const directory = new ServiceDirectory({ config, metrics, logger, local: new Set(services.map((s) => s.name)) });
  const started: Array<{ module: ServiceModule; service: StartedService }> = [];

  const checks = (): ReadinessCheck[] => [
    ...adapters.opened().map((a) => ({ name: a.name, check: () => a.ping() })),
    ...started.map(({ module, service }) => ({ name: module.name, check: () => service.ready?.() ?? Promise.resolve() })),
    ...[...new Set(services.flatMap((s) => s.dependsOn))]
      .filter((dep) => !directory.isLocal(dep))
      .map((dep) => ({
        name: `${dep} (${config.addresses[dep]})`,
        check: () => checkRemoteHealth(config.addresses[dep]),
        copesWithout: services.every((s) => !s.dependsOn.includes(dep) || s.copesWithout?.includes(dep)),
      })),
  ];
  const http = createHttpServer({ logger, metrics, identity, checks, trustProxy: config.trustProxy });
  const ownsPublicPort = mode === 'all-in-one' || first.name === 'http-api';
  const httpPort = ownsPublicPort ? config.httpPort : (config.opsPort ?? defaultPorts[first.name].ops);
  let grpc: GrpcServer | undefined;

  const stop = async () => {
    for (const { module, service } of [...started].reverse()) {
      await service.drain?.().catch((error: unknown) => logger.error({ err: error, service: module.name }, 'service did not drain cleanly'));
    }
    await grpc?.close(config.shutdownTimeoutMs / 2);
    await http.close();
    for (const { module, service } of [...started].reverse()) {
      try {
        await service.stop();
      } catch (error) {
        logger.error({ err: error, service: module.name }, 'service did not stop cleanly');
      }
    }
    directory.close();
    await adapters.close();
    await tracing.shutdown();
  };

  try {
    for (const module of services) {
      const context: ServiceContext = {
        name: module.name,
        config,
        logger: mode === 'all-in-one' ? loggers[loggers.push(createLogger(module.name, config.logLevel)) - 1]! : logger,
        metrics,
        http,
        directory,
        get bus() {
          return adapters.bus();
        },
        get queue() {
          return adapters.queue();
        },
        get kv() {
          return adapters.kv();
        },
      };
      const service = await module.start(context);
      started.push({ module, service });
      if (isContract(module.name)) {
        if (!service.implementation) throw new Error(`${module.name} started without an implementation of its contract`);
        directory.register(module.name, service.implementation as Implementation<typeof module.name>);
      }
    }
    const listening: string[] = [];
    if (mode === 'standalone' && isContract(first.name)) {
      const implementation = started[0]?.service.implementation as Implementation<typeof first.name>;
      grpc = await startGrpcServer(contracts[first.name], implementation, {
        internalKey: config.internalKey,
        host: config.grpcHost,
        port: config.grpcPort ?? defaultPorts[first.name].grpc ?? 0,
        metrics,
        logger,
      });
      listening.push(`gRPC ${config.grpcHost}:${grpc.port} (${contracts[first.name].fullName}, grpc.health.v1)`);
    }
    await http.listen({ host: config.host, port: httpPort });
    const boundPort = (http.server.address() as { port: number }).port;
    listening.push(`HTTP ${config.host}:${boundPort} (${ownsPublicPort ? 'API, ' : ''}/health, /ready, /metrics)`);
    for (const { service } of started) listening.push(...(service.listening ?? []));
    // A write to a pipe nobody reads can block this thread for good: a stop must still get through.
    const silence = () => {
      for (const each of loggers) each.level = 'silent';
    };
    return { identity, logger, http, httpPort: boundPort, grpcPort: grpc?.port, listening, stop, silence };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** SIGTERM/SIGINT: stop accepting, drain, close, exit 0; exit 1 when that takes longer than the bound. */
export function stopOnSignals(host: Host, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    host.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      host.logger.error({ timeoutMs }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    host.stop().then(
      () => {
        host.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        host.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
