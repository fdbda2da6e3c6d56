// `loom service <name>`: one service alone, configured by the environment, reachable by stock gRPC tooling.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stockHealthCheck } from '../../../libs/runtime/test/stock-grpc.ts';
import { runLoom, type LoomProcess } from './processes.ts';

describe('loom service auth-service', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-service-'));
  let loom: LoomProcess;
  let grpcAddress: string;
  let opsBase: string;

  before(async () => {
    loom = runLoom(['service', 'auth-service'], {
      LOOM_DATA_DIR: dataDir,
      LOOM_HOST: '127.0.0.1',
      LOOM_GRPC_PORT: '0',
      LOOM_OPS_PORT: '0',
      REDIS_URL: '',
      DATABASE_URL: '',
      AMQP_URL: '',
      // Nothing listens on port 1: persistence-service is surely absent.
      PERSISTENCE_SERVICE_ADDR: '127.0.0.1:1',
    });
    const { listening } = JSON.parse(await loom.waitFor(/"msg":"auth-service ready in/, 60000)) as { listening: string[] };
    grpcAddress = /^gRPC ([^ ]+)/.exec(listening.find((l) => l.startsWith('gRPC'))!)![1]!;
    opsBase = `http://${/^HTTP ([^ ]+)/.exec(listening.find((l) => l.startsWith('HTTP'))!)![1]!}`;
  });
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a stock grpc.health.v1 check with SERVING, for the server and for its service', async () => {
    assert.equal(await stockHealthCheck(grpcAddress), 'SERVING');
    assert.equal(await stockHealthCheck(grpcAddress, 'loom.v1.AuthService'), 'SERVING');
  });

  it('serves /health on its ops port', async () => {
    const response = await fetch(`${opsBase}/health`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { service: string }).service, 'auth-service');
  });

  it('reports not ready while persistence-service, which it needs, does not answer', async () => {
    const response = await fetch(`${opsBase}/ready`);
    const body = (await response.json()) as { checks: Array<{ name: string; ok: boolean }> };
    assert.equal(response.status, 503);
    assert.equal(body.checks.find((c) => c.name.startsWith('persistence-service'))?.ok, false);
  });

  it('exits 0 on SIGTERM', async () => {
    assert.equal(await loom.stop('SIGTERM'), 0);
  });
});
