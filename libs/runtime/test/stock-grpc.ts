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
