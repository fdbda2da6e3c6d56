// The one place a service's client comes from: `directory.connect('auth-service')` returns the
// in-process binding when that service runs in this process, otherwise a gRPC client to its address.
import { contracts, type ContractServiceName, type Contracts } from '@loom/proto';
import { createClient, type Channel, type ServiceImplementation } from 'nice-grpc';
import { HealthCheckResponse_ServingStatus, HealthDefinition } from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import type { LoomConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { UnavailableError } from './errors.ts';
import { openChannel, remoteClient, type LoomClient } from './grpc-client.ts';
import { inProcessClient } from './in-process.ts';

export type ServiceClient<N extends ContractServiceName> = LoomClient<Contracts[N]>;
export type Implementation<N extends ContractServiceName> = ServiceImplementation<Contracts[N]>;

export interface DirectoryOptions {
  config: Pick<LoomConfig, 'addresses' | 'rpcTimeoutMs' | 'internalKey'>;
  metrics: Metrics;
  logger: Logger;
  /** Services that run in this process; every other one is reached over gRPC. */
  local: ReadonlySet<string>;
}

export class ServiceDirectory {
  private readonly implementations = new Map<ContractServiceName, unknown>();
  private readonly clients = new Map<ContractServiceName, unknown>();
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly options: DirectoryOptions) {}

  /** Makes a local service's implementation callable through connect(). */
  register<N extends ContractServiceName>(name: N, implementation: Implementation<N>): void {
    this.implementations.set(name, implementation);
  }

  isLocal(name: ContractServiceName): boolean {
    return this.options.local.has(name);
  }

  connect<N extends ContractServiceName>(name: N): ServiceClient<N> {
    const cached = this.clients.get(name);
    if (cached) return cached as ServiceClient<N>;
    const { config, metrics, logger } = this.options;
    let client: ServiceClient<N>;
    if (this.isLocal(name)) {
      client = inProcessClient(
        contracts[name],
        () => {
          const impl = this.implementations.get(name);
          if (!impl) throw new UnavailableError(`${name} is not running in this process yet`);
          return impl as Implementation<N>;
        },
        { metrics, logger, timeoutMs: config.rpcTimeoutMs },
      ) as ServiceClient<N>;
    } else {
      const address = config.addresses[name];
      let channel = this.channels.get(address);
      if (!channel) {
        channel = openChannel(address);
        this.channels.set(address, channel);
      }
      client = remoteClient(contracts[name], channel, { metrics, timeoutMs: config.rpcTimeoutMs, internalKey: config.internalKey }) as ServiceClient<N>;
    }
    this.clients.set(name, client);
    return client;
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    this.clients.clear();
  }
}

/** Asks a remote service's grpc.health.v1 whether it is SERVING. */
export async function checkRemoteHealth(address: string, timeoutMs = 2000): Promise<void> {
  const channel = openChannel(address);
  try {
    const client = createClient(HealthDefinition, channel);
    const { status } = await client.check({ service: '' }, { signal: AbortSignal.timeout(timeoutMs) });
    if (status !== HealthCheckResponse_ServingStatus.SERVING) throw new UnavailableError(`${address} is not serving (${status})`);
  } finally {
    channel.close();
  }
}
