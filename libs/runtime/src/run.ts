// Process entry points shared by `loom start`, `loom service NAME` and each service's main.ts.
import { loadConfig, type LoomConfig } from './config.ts';
import { startHost, stopOnSignals, type Host, type HostMode } from './host.ts';
import type { ServiceModule } from './service.ts';

export async function runHost(services: ServiceModule[], mode: HostMode, config: LoomConfig = loadConfig()): Promise<Host> {
  const started = Date.now();
  const host = await startHost({ services, config, mode });
  stopOnSignals(host, config.shutdownTimeoutMs);
  host.logger.info(
    { listening: host.listening, wiring: describeWiring(config), startupMs: Date.now() - started },
    `${host.identity} ready in ${Date.now() - started} ms: ${host.listening.join('; ')}`,
  );
  return host;
}

export function describeWiring(config: LoomConfig): Record<string, string> {
  return {
    sql: config.databaseUrl ? `postgres ${new URL(config.databaseUrl).host}` : `pglite ${config.dataDir}/pg`,
    bus: config.redisUrl ? `redis ${new URL(config.redisUrl).host}` : 'memory',
    kv: config.redisUrl ? `redis ${new URL(config.redisUrl).host}` : 'memory',
    queue: config.amqpUrl ? `rabbitmq ${new URL(config.amqpUrl).host}` : 'in-process',
  };
}

/** A service's main.ts: run it alone, configured by the environment; exit 1 with the reason when it cannot start. */
export async function runStandalone(service: ServiceModule): Promise<void> {
  try {
    await runHost([service], 'standalone');
  } catch (error) {
    process.stderr.write(`${service.name} could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
