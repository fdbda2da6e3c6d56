// A stock gRPC client (@grpc/grpc-js + proto-loader, nothing of Loom's) for tests that must prove interop.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const healthProto = fileURLToPath(new URL('./fixtures/health.proto', import.meta.url));

type HealthClient = grpc.Client & {
  check(request: { service: string }, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
};

/** grpc.health.v1.Health/Check over a plain insecure channel; resolves to the status name (SERVING, ...). */
export async function stockHealthCheck(address: string, service = ''): Promise<string> {
  const definition = protoLoader.loadSync(healthProto, { enums: String });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => HealthClient } } } };
  const client = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.check({ service }, { deadline: Date.now() + 3000 }, (error, response) => (error ? reject(error) : resolve(response!.status))),
    );
  } finally {
    client.close();
  }
}

const contractsDir = fileURLToPath(new URL('../../proto/proto', import.meta.url));

/**
 * One unary call of a Loom contract with nothing of Loom's: the repository's .proto files, proto-loader
 * and grpc-js, as an outsider who found a port would make it. `metadata` is sent as given.
 */
export async function stockUnaryCall(address: string, file: string, service: string, method: string, request: object, metadata: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const definition = protoLoader.loadSync(file, { includeDirs: [contractsDir], longs: Number, enums: String, defaults: true });
  const Service = service.split('.').reduce<Record<string, unknown>>((at, part) => at[part] as Record<string, unknown>, grpc.loadPackageDefinition(definition) as Record<string, unknown>) as unknown as new (
    address: string,
    credentials: grpc.ChannelCredentials,
  ) => grpc.Client & Record<string, (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Record<string, unknown>) => void) => void>;
  const client = new Service(address, grpc.credentials.createInsecure());
  const meta = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) meta.set(key, value);
  try {
    return await new Promise((resolve, reject) =>
      client[method]!(request, meta, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response!))),
    );
  } finally {
    client.close();
  }
}
