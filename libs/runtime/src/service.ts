// What a service module is, and what the process hosting it gives it.
import type { ContractServiceName } from '@loom/proto';
import type { FastifyInstance } from 'fastify';
import type { Bus } from './bus/bus.ts';
import type { LoomConfig } from './config.ts';
import type { KeyValue } from './kv/kv.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { JobQueue } from './queue/queue.ts';
import type { ServiceName } from './services.ts';
import type { Implementation, ServiceDirectory } from './transport/directory.ts';

export interface ServiceContext {
  name: ServiceName;
  config: LoomConfig;
  logger: Logger;
  metrics: Metrics;
  /** The process's HTTP server: port 8080 in the all-in-one, the service's ops port when standalone. */
  http: FastifyInstance;
  /** `directory.connect('auth-service')`: the client of another service, local or remote. */
  directory: ServiceDirectory;
  /** Shared by every service of the process; created on first use, so a service that never uses one does not depend on it. */
  readonly bus: Bus;
  readonly queue: JobQueue;
  readonly kv: KeyValue;
}

export interface StartedService<N extends ContractServiceName = ContractServiceName> {
  /** The gRPC contract's implementation, for services that have one. */
  implementation?: Implementation<N>;
  /** What a person can connect to, for the startup log: `telnet 0.0.0.0:4000`. */
  listening?: string[];
  /** Throws, saying what is missing, while something this service needs does not answer. */
  ready?(): Promise<void>;
  /** Ends long-lived streams (player sessions) so that the transports can close; called before they do. */
  drain?(): Promise<void>;
  /** Stops taking work, finishes what is in flight, releases what it holds. */
  stop(): Promise<void>;
}

export interface ServiceModule<N extends ServiceName = ServiceName> {
  name: N;
  /** Services this one calls; /ready checks them. */
  dependsOn: ContractServiceName[];
  /** Of those, the ones it does its work without while they are briefly away (a gateway holds its players
   *  while world-state restarts): /ready reports them but stays ready, so the front door stays in rotation. */
  copesWithout?: ContractServiceName[];
  start(context: ServiceContext): Promise<StartedService<N extends ContractServiceName ? N : never>>;
}

export function defineService<N extends ServiceName>(module: ServiceModule<N>): ServiceModule<N> {
  return module;
}
