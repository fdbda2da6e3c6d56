// Every service module, in the order the all-in-one starts them (libs/runtime's serviceNames).
import { service as assetService } from '@loom/asset-service';
import { service as authService } from '@loom/auth-service';
import { service as chatService } from '@loom/chat-service';
import { service as graphicsGateway } from '@loom/graphics-gateway';
import { service as httpApi } from '@loom/http-api';
import { service as persistenceService } from '@loom/persistence-service';
import { service as physicsService } from '@loom/physics-service';
import { service as scriptExecutor } from '@loom/script-executor';
import { service as textGateway } from '@loom/text-gateway';
import { service as worldState } from '@loom/world-state';
import { serviceNames, type ServiceModule, type ServiceName } from '@loom/runtime';

const modules: Record<ServiceName, ServiceModule> = {
  'persistence-service': persistenceService,
  'auth-service': authService,
  'chat-service': chatService,
  'asset-service': assetService,
  'script-executor': scriptExecutor,
  'physics-service': physicsService,
  'world-state': worldState,
  'text-gateway': textGateway,
  'graphics-gateway': graphicsGateway,
  'http-api': httpApi,
};

export const allServices: ServiceModule[] = serviceNames.map((name) => modules[name]);

export function serviceModule(name: ServiceName): ServiceModule {
  return modules[name];
}
