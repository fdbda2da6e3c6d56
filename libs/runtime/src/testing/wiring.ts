// Test support: the same services in either wiring, inside the test process.
// all-in-one: one host, in-process calls, embedded storage in a temp folder (its database initialised ahead).
// distributed: one standalone host per service, real gRPC between them, PostgreSQL + Redis + RabbitMQ,
// a fresh database, key prefix and queue prefix per call, removed again by stop() (queues included).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContractServiceName } from '@loom/proto';
import { loadConfig, type LoomConfig } from '../config.ts';
import { startHost, type Host } from '../host.ts';
import type { ServiceModule } from '../service.ts';
import { ensureDatabase } from '../sql/ensure-database.ts';
import { seedEmbeddedDatabase } from './embedded-database.ts';
import { removeRunData } from './run-data.ts';
import { testServerUrls, uniqueName } from './servers.ts';

export type WiringKind = 'all-in-one' | 'distributed';

export interface Wiring {
  kind: WiringKind;
  /** Base URL of the host that serves http-api (or the all-in-one's). */
  httpBase: string;
  hosts: Map<string, Host>;
  config: LoomConfig;
  stop(): Promise<void>;
}

// Tests make many accounts from 127.0.0.1; the test of the registration limit sets its own.
const quiet = { LOG_LEVEL: process.env.LOOM_TEST_LOG_LEVEL ?? 'silent', LOOM_REGISTER_PER_ADDRESS: '100000' };

/** Where the distributed wiring's services reach Redis and RabbitMQ, e.g. through an outage proxy; the shared servers by default. */
export interface WiringServers {
  redis?: string;
  rabbitmq?: string;
}

export async function startWiring(kind: WiringKind, services: ServiceModule[], env: NodeJS.ProcessEnv = {}, servers: WiringServers = {}): Promise<Wiring> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-wiring-'));
  const base = { ...loadConfig({ ...quiet, ...env }), dataDir, host: '127.0.0.1', httpPort: 0, telnetPort: 0, udpPort: 0, grpcPort: 0, opsPort: 0 };
  const hosts = new Map<string, Host>();
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const host of [...hosts.values()].reverse()) await host.stop().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    if (kind === 'all-in-one') {
      const config: LoomConfig = { ...base, databaseUrl: undefined, redisUrl: undefined, amqpUrl: undefined };
      seedEmbeddedDatabase(dataDir);
      const host = await startHost({ services, config, mode: 'all-in-one' });
      hosts.set('loom', host);
      return { kind, httpBase: `http://127.0.0.1:${host.httpPort}`, hosts, config, stop };
    }
    const database = uniqueName('loom_wiring');
    const databaseUrl = Object.assign(new URL(testServerUrls.postgres), { pathname: `/${database}` }).toString();
    const prefix = `${database}:`;
    const queuePrefix = `${database}.`;
    cleanups.push(() => removeRunData({ database, redisPrefix: prefix, queuePrefix }));
    await ensureDatabase(databaseUrl);
    const addresses = { ...base.addresses };
    // Internal calls carry a key, as under `loom up`: every distributed test goes through the check.
    const internalKey = base.internalKey ?? randomBytes(24).toString('hex');
    let httpBase = '';
    for (const service of services) {
      const config: LoomConfig = {
        ...base,
        databaseUrl,
        redisUrl: servers.redis ?? testServerUrls.redis,
        amqpUrl: servers.rabbitmq ?? testServerUrls.rabbitmq,
        redisPrefix: prefix,
        queuePrefix,
        addresses: { ...addresses },
        internalKey,
      };
      const host = await startHost({ services: [service], config, mode: 'standalone' });
      hosts.set(service.name, host);
      if (host.grpcPort) addresses[service.name as ContractServiceName] = `127.0.0.1:${host.grpcPort}`;
      if (service.name === 'http-api') httpBase = `http://127.0.0.1:${host.httpPort}`;
    }
    return { kind, httpBase, hosts, config: { ...base, databaseUrl, addresses, internalKey }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
