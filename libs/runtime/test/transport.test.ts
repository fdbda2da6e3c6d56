// The in-process and gRPC bindings behave alike: typed errors, deadlines, streams, retries, health.
import assert from 'node:assert/strict';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  AssetServiceDefinition,
  WorldStateServiceDefinition,
  type AssetMeta,
  type AssetServiceImplementation,
  type WorldStateServiceImplementation,
} from '@loom/proto';
import { createMetrics } from '../src/metrics.ts';
import { silentLogger } from '../src/logger.ts';
import { DeadlineExceededError, InvalidArgumentError, NotFoundError, UnavailableError } from '../src/transport/errors.ts';
import { startGrpcServer, type GrpcServer } from '../src/transport/grpc-server.ts';
import { openChannel, remoteClient, type LoomClient } from '../src/transport/grpc-client.ts';
import { inProcessClient } from '../src/transport/in-process.ts';
import { stockHealthCheck } from './stock-grpc.ts';

const metrics = createMetrics();
const stored: AssetMeta = { hash: 'a'.repeat(64), name: 'rock', contentType: 'image/png', size: 3, uploaderId: 1, createdAtMs: 1 };
let flakyCalls = 0;

const assets: AssetServiceImplementation = {
  async putMeta(meta) {
    if (meta.name === 'slow') await new Promise((r) => setTimeout(r, 2000));
    if (meta.name === 'boom') throw new Error('secret internal detail');
    return { ...meta, createdAtMs: 42 };
  },
  async getMeta(request) {
    if (request.name === 'flaky') {
      if (++flakyCalls < 3) throw new UnavailableError('try again');
      return stored;
    }
    if (request.name === '') throw new InvalidArgumentError('give a hash or a name');
    if (request.name !== 'rock') throw new NotFoundError(`no asset named ${request.name}`);
    return stored;
  },
};

const world: WorldStateServiceImplementation = {
  async submitIntent() {
    return { serverTick: 1, accepted: true, message: '' };
  },
  async look() {
    return { contents: [], exits: [], text: '' };
  },
  async *openSession(request, context) {
    for (let i = 1; i <= 3; i++) yield { sessionId: request.sessionId, text: { markup: `line ${i}` }, atMs: i };
    // A long session: a line every `clientAddress` milliseconds until the caller goes (the test names the pace).
    const every = Number(request.clientAddress);
    for (let i = 4; every > 0 && !context.signal.aborted; i++) {
      await new Promise((r) => setTimeout(r, every));
      yield { sessionId: request.sessionId, text: { markup: `line ${i}` }, atMs: i };
    }
  },
  async closeSession() {
    return { closed: true };
  },
  async status() {
    return { worldName: 'test' };
  },
  // Not exercised by these tests: the transport treats every unary method alike.
  getObjectScript: async () => ({}),
  listObjectScriptVersions: async () => ({}),
  saveObjectScript: async () => ({}),
  deleteObjectScript: async () => ({}),
};

type Bindings = { assets: LoomClient<typeof AssetServiceDefinition>; world: LoomClient<typeof WorldStateServiceDefinition> };

function contract(name: string, bindings: () => Bindings) {
  describe(`${name} binding`, () => {
    it('returns the response with defaults filled in', async () => {
      const meta = await bindings().assets.putMeta({ hash: stored.hash, name: 'rock' });
      assert.equal(meta.createdAtMs, 42);
      assert.equal(meta.contentType, '');
    });
    it('carries typed errors with their message', async () => {
      await assert.rejects(bindings().assets.getMeta({ name: 'moss' }), (e) => e instanceof NotFoundError && e.message === 'no asset named moss');
      await assert.rejects(bindings().assets.getMeta({}), InvalidArgumentError);
    });
    it('hides unexpected errors behind INTERNAL', async () => {
      await assert.rejects(bindings().assets.putMeta({ name: 'boom' }), (e: Error) => e.name === 'InternalError' && !e.message.includes('secret'));
    });
    it('gives up at the deadline', async () => {
      // The handler answers after 2 s: a rejection, not that answer, shows the 100 ms deadline held.
      await assert.rejects(bindings().assets.putMeta({ name: 'slow' }, { deadline: 100 }), DeadlineExceededError);
    });
    it('streams server messages in order', async () => {
      const texts: string[] = [];
      for await (const event of bindings().world.openSession({ sessionId: 's1' })) texts.push(event.text?.markup ?? '');
      assert.deepEqual(texts, ['line 1', 'line 2', 'line 3']);
    });
  });
}

let server: GrpcServer;
let remote: Bindings;
let channel: ReturnType<typeof openChannel>;

before(async () => {
  server = await startGrpcServer(AssetServiceDefinition, assets, { host: '127.0.0.1', port: 0, metrics, logger: silentLogger });
  channel = openChannel(`127.0.0.1:${server.port}`);
  remote = { assets: remoteClient(AssetServiceDefinition, channel, { metrics, timeoutMs: 3000 }), world: undefined as never };
});
after(async () => {
  channel.close();
  await server.close();
});

const options = { metrics, logger: silentLogger, timeoutMs: 3000 };
const local: Bindings = {
  assets: inProcessClient(AssetServiceDefinition, () => assets, options),
  world: inProcessClient(WorldStateServiceDefinition, () => world, options),
};
contract('in-process', () => local);

describe('gRPC binding', () => {
  let worldServer: GrpcServer;
  let worldChannel: ReturnType<typeof openChannel>;
  before(async () => {
    worldServer = await startGrpcServer(WorldStateServiceDefinition, world, { host: '127.0.0.1', port: 0, metrics, logger: silentLogger });
    worldChannel = openChannel(`127.0.0.1:${worldServer.port}`);
    remote.world = remoteClient(WorldStateServiceDefinition, worldChannel, { metrics, timeoutMs: 3000 });
  });
  after(async () => {
    worldChannel.close();
    await worldServer.close();
  });
  contract('remote', () => remote);

  it('keeps a server stream open past the unary deadline (a session lasts as long as its player)', async () => {
    // A client whose unary deadline is 200 ms; the stream runs 10 times as long.
    const hasty = remoteClient(WorldStateServiceDefinition, worldChannel, { metrics, timeoutMs: 200 });
    const texts: string[] = [];
    for await (const event of hasty.openSession({ sessionId: 'long', clientAddress: '100' })) {
      texts.push(event.text?.markup ?? '');
      if (texts.length === 23) break;
    }
    assert.equal(texts.at(-1), 'line 23', 'about 2 s of lines, none cut by the 200 ms deadline');
  });

  it('notices a peer that stopped answering (keepalive), instead of waiting on its stream forever', async () => {
    // A TCP relay that, once told, goes silent without closing anything: a host that vanished.
    const relays: Socket[] = [];
    let silent = false;
    const relay = createServer((inbound) => {
      const outbound = createConnection({ host: '127.0.0.1', port: worldServer.port });
      relays.push(inbound, outbound);
      inbound.on('data', (chunk) => silent || outbound.write(chunk));
      outbound.on('data', (chunk) => silent || inbound.write(chunk));
      for (const s of [inbound, outbound]) s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayChannel = openChannel(`127.0.0.1:${(relay.address() as AddressInfo).port}`);
    try {
      const client = remoteClient(WorldStateServiceDefinition, relayChannel, { metrics, timeoutMs: 3000 });
      const texts: string[] = [];
      const ended = (async () => {
        for await (const event of client.openSession({ sessionId: 'vanishing', clientAddress: '200' })) {
          texts.push(event.text?.markup ?? '');
          if (texts.length === 4) silent = true;
        }
      })();
      await assert.rejects(ended, UnavailableError, 'the stream fails as UNAVAILABLE once pings go unanswered');
      assert.ok(texts.length >= 4);
    } finally {
      relayChannel.close();
      for (const s of relays) s.destroy();
      relay.close();
    }
  });

  it('retries an idempotent call that met UNAVAILABLE', async () => {
    flakyCalls = 0;
    await assert.rejects(remote.assets.getMeta({ name: 'flaky' }, { retryMaxAttempts: 1 }), UnavailableError);
    flakyCalls = 0;
    const meta = await remote.assets.getMeta({ name: 'flaky' });
    assert.equal(meta.hash, stored.hash);
    assert.equal(flakyCalls, 3);
  });

  it('answers a stock grpc.health.v1 client: SERVING for the server and the contract', async () => {
    assert.equal(await stockHealthCheck(`127.0.0.1:${server.port}`), 'SERVING');
    assert.equal(await stockHealthCheck(`127.0.0.1:${server.port}`, 'loom.v1.AssetService'), 'SERVING');
    await assert.rejects(stockHealthCheck(`127.0.0.1:${server.port}`, 'no.such.Service'), /NOT_FOUND/);
  });

  it('records per-RPC latency and outcome for both bindings', async () => {
    const text = await metrics.registry.metrics();
    assert.match(text, /grpc_server_handling_seconds_count\{[^}]*grpc_method="GetMeta"[^}]*grpc_code="NOT_FOUND"[^}]*\} [1-9]/);
    assert.match(text, /grpc_server_handled_total\{[^}]*grpc_method="PutMeta"[^}]*grpc_code="INTERNAL"[^}]*\} [1-9]/);
    assert.match(text, /grpc_client_handling_seconds_count\{[^}]*grpc_method="GetMeta"/);
  });
});
