// The contracts of Loom's services, generated from ../proto by `npm run proto:gen`.
import { AssetServiceDefinition } from './gen/loom/v1/asset.js';
import { AuthServiceDefinition } from './gen/loom/v1/auth.js';
import { ChatServiceDefinition } from './gen/loom/v1/chat.js';
import { PersistenceServiceDefinition } from './gen/loom/v1/persistence.js';
import { PhysicsServiceDefinition } from './gen/loom/v1/physics.js';
import { ScriptExecutorServiceDefinition } from './gen/loom/v1/script.js';
import { WorldStateServiceDefinition } from './gen/loom/v1/world.js';

export * from './gen/loom/v1/common.js';
export * from './gen/loom/v1/asset.js';
export * from './gen/loom/v1/auth.js';
export * from './gen/loom/v1/chat.js';
export * from './gen/loom/v1/persistence.js';
export * from './gen/loom/v1/physics.js';
export * from './gen/loom/v1/script.js';
export * from './gen/loom/v1/world.js';

/** The gRPC contract each service serves, by the service's folder name. */
export const contracts = {
  'world-state': WorldStateServiceDefinition,
  'auth-service': AuthServiceDefinition,
  'script-executor': ScriptExecutorServiceDefinition,
  'physics-service': PhysicsServiceDefinition,
  'chat-service': ChatServiceDefinition,
  'persistence-service': PersistenceServiceDefinition,
  'asset-service': AssetServiceDefinition,
} as const;

export type Contracts = typeof contracts;
export type ContractServiceName = keyof Contracts;

export * from './topics.js';
export * from './effects.js';
export * from './world-events.js';
