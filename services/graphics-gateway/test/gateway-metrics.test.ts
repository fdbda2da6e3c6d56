// What an operator reads about the 3D gateway on /metrics. Datagrams go over a real UDP socket, written the
// way a client in any language writes them (docs/protocol.md), to the all-in-one: what the gateway throws
// away is counted by reason. Then its link to world-state is cut and healed in the distributed wiring.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { service as assets } from '@loom/asset-service';
import { service as auth } from '@loom/auth-service';
import { service as chat } from '@loom/chat-service';
import { service as httpApi } from '@loom/http-api';
import { DecodeError, MTU, decodePacket, encodePacket, type Packet } from '@loom/netcode';
import { service as persistence } from '@loom/persistence-service';
import { service as physics } from '@loom/physics-service';
import { startHost, type Host } from '@loom/runtime';
import { startOutageProxy, type OutageProxy } from '@loom/runtime/testing/outage-proxy.ts';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring } from '@loom/runtime/testing/wiring.ts';
import { service as scriptExecutor } from '@loom/script-executor';
import { service as worldState } from '@loom/world-state';
import { service as graphicsGateway } from '../src/index.ts';

/** A value on a /metrics page, as Prometheus scrapes it; 0 when the series is absent. */
async function metric(base: string, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
const upstreamUp = (base: string) => metric(base, 'loom_gateway_upstream_up', 'gateway="graphics-gateway"');

describe('what the 3D gateway drops, counted on /metrics (real UDP)', () => {
  let wiring: Wiring;
  let udpPort: number;
  let socket: Socket;
  const replies: Packet[] = [];

  before(async () => {
    wiring = await startWiring('all-in-one', [persistence, auth, chat, scriptExecutor, physics, worldState, assets, graphicsGateway, httpApi]);
    const line = wiring.hosts.get('loom')!.listening.find((l) => l.startsWith('UDP '));
    assert.ok(line, 'the host lists its UDP listener');
    udpPort = Number(/:(\d+) /.exec(line)![1]);
    socket = createSocket('udp4');
    socket.on('message', (message) => {
      const packet = decodePacket(message);
      if (!(packet instanceof DecodeError)) replies.push(packet);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });
  after(async () => {
    socket?.close();
    await wiring?.stop();
  });

  const send = (bytes: Uint8Array) => new Promise<void>((resolve, reject) => socket.send(bytes, udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  const dropped = (reason: string) => metric(wiring.httpBase, 'loom_graphics_datagrams_dropped_total', `reason="${reason}"`);
  const reply = <T extends Packet['type']>(type: T) =>
    eventually(() => replies.find((p): p is Extract<Packet, { type: T }> => p.type === type), `a ${type} from the gateway`, () => replies.map((p) => p.type).join(', '));
  const data = (sessionId: number, seq: number) => encodePacket({ type: 'data', sessionId, seq, ack: 0, ackBits: 0, frames: [] });

  it('a malformed datagram, an oversized one and one naming a session nobody opened are each dropped and counted', async () => {
    await send(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
    await send(new Uint8Array(MTU + 1));
    await send(data(0x5eed, 0));
    await eventually(async () => (await dropped('unknownSession')) === 1, 'the datagram for no session counted');
    assert.equal(await dropped('malformed'), 2);
    assert.equal(await dropped('rateLimited'), 0);
    // The received counter has no labels of its own (the line is `name{service="loom"} n`).
    assert.equal(await metric(wiring.httpBase, 'loom_graphics_datagrams_received_total', 'service='), 3);
    assert.deepEqual(replies, [], 'a dropped datagram is not answered');
  });

  it("a player's repeated datagram is dropped as a duplicate, a flood past its rate limit as rate-limited, and the gateway serves on", async () => {
    const registered = await fetch(`${wiring.httpBase}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'flooder', password: 'flooder-password-1' }),
    });
    assert.equal(registered.status, 201, await registered.clone().text());
    const { accessToken } = (await registered.json()) as { accessToken: string };
    await send(encodePacket({ type: 'connect_request', nonce: 7n }));
    const { cookie } = await reply('challenge');
    await send(encodePacket({ type: 'challenge_response', nonce: 7n, cookie, token: accessToken }));
    const { sessionId } = await reply('accept');

    await send(data(sessionId, 1));
    await send(data(sessionId, 1));
    await eventually(async () => (await dropped('duplicate')) === 1, 'the repeated datagram counted as a duplicate');
    // 120 datagrams a second with a second's burst (docs/protocol.md): batches until the limit bites.
    let seq = 2;
    await eventually(async () => {
      for (let i = 0; i < 50; i++) await send(data(sessionId, seq++));
      return (await dropped('rateLimited')) > 0;
    }, 'datagrams past the rate limit counted');
    assert.equal(await dropped('malformed'), 2, 'nothing more was malformed');

    replies.length = 0;
    await send(encodePacket({ type: 'connect_request', nonce: 8n }));
    await reply('challenge');
  });

  it('says world-state answers it', async () => {
    await eventually(async () => (await upstreamUp(wiring.httpBase)) === 1, 'loom_gateway_upstream_up 1');
  });
});

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;

describe("the gateway's link to world-state, cut and healed (distributed)", { skip }, () => {
  let wiring: Wiring;
  let proxy: OutageProxy;
  let gateway: Host;
  let base: string;

  before(async () => {
    wiring = await startWiring('distributed', [persistence, auth, chat, scriptExecutor, physics, worldState]);
    // The gateway reaches world-state's real gRPC port through a proxy this test can cut.
    proxy = await startOutageProxy(`http://${wiring.config.addresses['world-state']}`);
    const addresses = { ...wiring.config.addresses, 'world-state': new URL(proxy.url).host };
    gateway = await startHost({ services: [graphicsGateway], config: { ...wiring.config, addresses }, mode: 'standalone' });
    base = `http://127.0.0.1:${gateway.httpPort}`;
  });
  after(async () => {
    await gateway?.stop();
    await proxy?.close();
    await wiring?.stop();
  });

  it('loom_gateway_upstream_up is 1 while world-state answers, 0 while it cannot be reached, 1 again when it is back', async () => {
    await eventually(async () => (await upstreamUp(base)) === 1, 'loom_gateway_upstream_up 1 at first');
    proxy.cut();
    await eventually(async () => (await upstreamUp(base)) === 0, 'loom_gateway_upstream_up 0 with world-state cut off');
    // The gateway itself stays in rotation meanwhile: it holds its players.
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    proxy.heal();
    await eventually(async () => (await upstreamUp(base)) === 1, 'loom_gateway_upstream_up 1 again');
  });
});
