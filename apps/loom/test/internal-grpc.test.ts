// Internal gRPC is not a way in: without the shared key (LOOM_INTERNAL_KEY) a stock client with the
// repository's .proto files gets UNAUTHENTICATED from every contract; health checks stay open; and a
// job run with the key is held to the script limits the executor was configured with (a job carries none).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { service as persistence } from '@loom/persistence-service';
import { service as scriptExecutor } from '@loom/script-executor';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring } from '@loom/runtime/testing/wiring.ts';
import { stockHealthCheck, stockUnaryCall } from '../../../libs/runtime/test/stock-grpc.ts';
import { runLoom } from './processes.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;

describe('internal gRPC (distributed)', { skip }, () => {
  let wiring: Wiring;
  let key: string;
  const address = (name: string) => `127.0.0.1:${wiring.hosts.get(name)!.grpcPort}`;
  before(async () => {
    wiring = await startWiring('distributed', [persistence, scriptExecutor], { LOOM_SCRIPT_CPU_MS: '50' });
    key = wiring.config.internalKey!;
  });
  after(() => wiring?.stop());

  it('refuses a stock client without the key, on every contract, and answers health checks', async () => {
    await assert.rejects(stockUnaryCall(address('persistence-service'), 'loom/v1/persistence.proto', 'loom.v1.PersistenceService', 'GetUser', { username: 'anyone' }), { code: 16, details: /internal key/ });
    await assert.rejects(
      stockUnaryCall(address('persistence-service'), 'loom/v1/persistence.proto', 'loom.v1.PersistenceService', 'GetUser', { username: 'anyone' }, { 'x-loom-key': 'a guess of the right length?'.padEnd(key.length, 'x') }),
      { code: 16 },
    );
    await assert.rejects(stockUnaryCall(address('script-executor'), 'loom/v1/script.proto', 'loom.v1.ScriptExecutorService', 'Run', { source: 'while (true) {}' }), { code: 16 });
    assert.equal(await stockHealthCheck(address('persistence-service')), 'SERVING');
  });

  it('with the key, returns no password hash from any user call', async () => {
    const call = (method: string, request: object) => stockUnaryCall(address('persistence-service'), 'loom/v1/persistence.proto', 'loom.v1.PersistenceService', method, request, { 'x-loom-key': key });
    const created = await call('CreateUser', { username: 'Hashy', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', role: '' });
    assert.equal(created.passwordHash, '');
    assert.equal((await call('GetUser', { username: 'Hashy' })).passwordHash, '');
    assert.ok(((await call('ListUsers', { limit: 100 })).users as Array<{ passwordHash: string }>).every((u) => u.passwordHash === ''));
  });

  it('with the key, holds a run to the configured CPU limit', async () => {
    const result = await stockUnaryCall(address('script-executor'), 'loom/v1/script.proto', 'loom.v1.ScriptExecutorService', 'Run', { source: 'while (true) {}', event: 'on_use' }, { 'x-loom-key': key });
    assert.equal(result.errorKind, 'timeout');
    assert.match(String(result.error), /50 ms limit/);
  });

  it('will not serve internal gRPC beyond loopback without a key', async () => {
    const loom = runLoom(['service', 'persistence-service'], { LOOM_GRPC_HOST: '0.0.0.0', LOOM_INTERNAL_KEY: '', LOOM_GRPC_PORT: '0', LOOM_OPS_PORT: '0', DATABASE_URL: '', REDIS_URL: '', AMQP_URL: '' });
    await assert.rejects(loom.waitFor(/ready in/), /refusing to serve internal gRPC on 0\.0\.0\.0 without LOOM_INTERNAL_KEY/);
  });
});
