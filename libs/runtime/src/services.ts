import type { ContractServiceName } from '@loom/proto';

/** The ten services of DESIGN.md §2, in the order the all-in-one starts them. */
export const serviceNames = [
  'persistence-service',
  'auth-service',
  'chat-service',
  'asset-service',
  'script-executor',
  'physics-service',
  'world-state',
  'text-gateway',
  'graphics-gateway',
  'http-api',
] as const;

export type ServiceName = (typeof serviceNames)[number];

export function isServiceName(name: string): name is ServiceName {
  return (serviceNames as readonly string[]).includes(name);
}

/** Default ports when each service runs as its own process: gRPC (for those with a contract) and ops HTTP. */
export const defaultPorts: Record<ServiceName, { grpc?: number; ops: number }> = {
  'world-state': { grpc: 50051, ops: 9101 },
  'auth-service': { grpc: 50052, ops: 9102 },
  'persistence-service': { grpc: 50053, ops: 9103 },
  'chat-service': { grpc: 50054, ops: 9104 },
  'script-executor': { grpc: 50055, ops: 9105 },
  'physics-service': { grpc: 50056, ops: 9106 },
  'asset-service': { grpc: 50057, ops: 9107 },
  'text-gateway': { ops: 9108 },
  'graphics-gateway': { ops: 9109 },
  'http-api': { ops: 8080 },
};

/** `auth-service` -> `AUTH_SERVICE_ADDR`: where the others reach it in the distributed wiring. */
export function addressVariable(name: ContractServiceName): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_ADDR`;
}
