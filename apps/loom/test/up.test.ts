// `loom up`: every service its own process on PostgreSQL, Redis and RabbitMQ; calls cross processes over gRPC.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { serviceNames } from '@loom/runtime';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { checkMetrics, promtoolSkip } from '@loom/runtime/testing/promtool.ts';
import { stockHealthCheck } from '../../../libs/runtime/test/stock-grpc.ts';
import { runLoom, startLoomUp, type LoomUp } from './processes.ts';
import { buildingStory } from './building-story.ts';
import { textWorldStory } from './text-story.ts';
import { udpBotStory } from './udp-story.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;
const promtool = promtoolSkip();
const [postgres, redis, rabbit] = servers;

describe('loom up (distributed wiring)', { skip }, () => {
  let up: LoomUp;
  let ports: LoomUp['ports'];

  before(async () => {
    up = await startLoomUp('loom_up', { postgres: postgres!.url, redis: redis!.url, rabbitmq: rabbit!.url });
    ports = up.ports;
  });
  after(() => up?.stop());

  it('has all ten services healthy and ready, each in its own process', async () => {
    const pids = new Set<number>();
    for (const name of serviceNames) {
      const health = await fetch(`http://127.0.0.1:${ports.ops[name]}/health`);
      assert.equal(health.status, 200, name);
      const body = (await health.json()) as { service: string; pid: number };
      assert.equal(body.service, name);
      pids.add(body.pid);
      const ready = await fetch(`http://127.0.0.1:${ports.ops[name]}/ready`);
      assert.equal(ready.status, 200, `${name}: ${await ready.text()}`);
    }
    assert.equal(pids.size, 10);
  });

  it('registers through http-api -> auth-service -> persistence-service over gRPC into PostgreSQL', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.http}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Grace', password: 'a long enough secret' }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const client = new pg.Client({ connectionString: up.databaseUrl });
    await client.connect();
    const { rows } = await client.query('SELECT username, role, password_hash FROM users');
    await client.end();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].username, 'Grace');
    assert.match(rows[0].password_hash, /^\$argon2id\$/);
    const authMetrics = await (await fetch(`http://127.0.0.1:${ports.ops['auth-service']}/metrics`)).text();
    assert.match(authMetrics, /grpc_server_handled_total\{[^}]*grpc_method="Register"[^}]*grpc_code="OK"[^}]*\} 1/);
    assert.match(authMetrics, /grpc_client_handled_total\{[^}]*grpc_method="CreateUser"[^}]*grpc_code="OK"[^}]*\} 1/);
  });

  it('answers a stock gRPC health check on every gRPC service', async () => {
    for (const [name, port] of Object.entries(ports.grpc)) {
      assert.equal(await stockHealthCheck(`127.0.0.1:${port}`), 'SERVING', name);
    }
  });

  it('serves valid Prometheus text on every service', { skip: promtool }, async () => {
    for (const name of serviceNames) {
      const text = await (await fetch(`http://127.0.0.1:${ports.ops[name]}/metrics`)).text();
      assert.equal(checkMetrics(text), '', name);
    }
  });

  it('lets two players on two text-gateway processes meet, talk, move, page and share a channel', async () => {
    // A second text-gateway process, as a second replica would run: Bob connects through it.
    const second = runLoom(['service', 'text-gateway'], {
      ...up.env,
      LOOM_TELNET_PORT: String(up.basePort + 31),
      LOOM_OPS_PORT: String(up.basePort + 32),
      AUTH_SERVICE_ADDR: `127.0.0.1:${ports.grpc['auth-service']}`,
      WORLD_STATE_ADDR: `127.0.0.1:${ports.grpc['world-state']}`,
    });
    try {
      await second.waitFor(/"msg":"text-gateway ready in/, 60000);
      await textWorldStory({ alicePort: ports.telnet, bobPort: up.basePort + 31 }, '');
    } finally {
      assert.equal(await second.stop('SIGTERM'), 0);
    }
  });

  it('lets a builder make a locked door with a script and a parrot, run by script-executor through RabbitMQ', async () => {
    await buildingStory(ports.telnet, { name: 'Grace', password: 'a long enough secret' }, { name: 'Bob', password: 'bob-password-1' });
  });

  it('lets a UDP bot and a telnet player see each other move and talk, across gateway, world and physics processes', async () => {
    await udpBotStory({ telnet: ports.telnet, udp: ports.udp, http: ports.http }, 'D');
  });

  it('stops every process on Ctrl-C', async () => {
    const code = await up.loom.stop('SIGINT', 30000);
    assert.equal(code, 0, up.loom.lines.slice(-15).join('\n'));
    for (const name of serviceNames) {
      const alive = await fetch(`http://127.0.0.1:${ports.ops[name]}/health`).then(() => true, () => false);
      assert.equal(alive, false, `${name} still answers`);
    }
  });
});
