// Every service module, in the order the all-in-one starts them (libs/runtime's serviceNames). Each is
// imported only when asked for: a `loom service <name>` process (one per service under `loom up` or in a
// container) loads its own service's code, not the sandbox, the physics engine and the rest.
import { serviceNames, type ServiceModule, type ServiceName } from '@loom/runtime';

const loaders: Record<ServiceName, () => Promise<ServiceModule>> = {
  'persistence-service': async () => (await import('@loom/persistence-service')).service,
  'auth-service': async () => (await import('@loom/auth-service')).service,
  'chat-service': async () => (await import('@loom/chat-service')).service,
  'asset-service': async () => (await import('@loom/asset-service')).service,
  'script-executor': async () => (await import('@loom/script-executor')).service,
  'physics-service': async () => (await import('@loom/physics-service')).service,
  'world-state': async () => (await import('@loom/world-state')).service,
  'text-gateway': async () => (await import('@loom/text-gateway')).service,
  'graphics-gateway': async () => (await import('@loom/graphics-gateway')).service,
  'http-api': async () => (await import('@loom/http-api')).service,
};

export function allServices(): Promise<ServiceModule[]> {
  return Promise.all(serviceNames.map((name) => loaders[name]()));
}

export function serviceModule(name: ServiceName): Promise<ServiceModule> {
  return loaders[name]();
}
