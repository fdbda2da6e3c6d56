// A player's client connects over real UDP on 127.0.0.1: handshake, a message each way, goodbye.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { DecodeError, DisconnectReason, Endpoint, decodePacket, encodePacket, type Packet } from '@loom/netcode';
import { startUdpServer, type Session, type UdpServer } from '../src/protocol/index.ts';
import { eventually, patienceMs } from '@loom/runtime/testing/patience.ts';

describe('graphics protocol over node:dgram', () => {
  let server: UdpServer;
  const events = { connected: [] as Session[], messages: [] as string[], disconnected: [] as number[] };
  const client = createSocket('udp4');

  before(async () => {
    server = await startUdpServer({
      host: '127.0.0.1',
      port: 0,
      tickRate: 60,
      verifyToken: async (token) => (token === 'jwt-for-ada' ? { userId: 1, username: 'ada' } : new Error('bad token')),
      events: {
        connected: (s) => events.connected.push(s),
        messages: (s, ms) => {
          for (const m of ms) {
            events.messages.push(new TextDecoder().decode(m.payload));
            s.endpoint.send('reliable', new TextEncoder().encode(`echo ${new TextDecoder().decode(m.payload)}`));
          }
        },
        disconnected: (_s, reason) => events.disconnected.push(reason),
      },
    });
    client.bind(0, '127.0.0.1');
    await once(client, 'listening');
  });
  after(async () => {
    client.close();
    await server.close();
  });

  const send = (packet: Packet | Uint8Array) => client.send(packet instanceof Uint8Array ? packet : encodePacket(packet), server.address.port, '127.0.0.1');
  const next = async (): Promise<Packet> => {
    const [message] = (await once(client, 'message')) as [Buffer];
    const packet = decodePacket(message);
    assert.ok(!(packet instanceof DecodeError), String(packet));
    return packet;
  };

  it('a client completes the handshake, exchanges reliable messages, and says goodbye', async () => {
    assert.ok(server.address.port > 0);
    send({ type: 'connect_request', nonce: 77n });
    const challenge = await next();
    assert.equal(challenge.type, 'challenge');
    send({ type: 'challenge_response', nonce: 77n, cookie: challenge.cookie, token: 'jwt-for-ada' });
    const accept = await next();
    assert.ok(accept.type === 'accept' && accept.nonce === 77n && accept.tickRate === 60);
    assert.equal(events.connected[0]?.username, 'ada');

    const endpoint = new Endpoint({ sessionId: accept.sessionId });
    endpoint.send('reliable', new TextEncoder().encode('hello'));
    const received: string[] = [];
    const started = Date.now();
    while (received.length === 0 && Date.now() - started < patienceMs) {
      for (const d of endpoint.tick(Date.now())) send(d);
      const packet = await next();
      if (packet.type !== 'data') continue;
      for (const m of endpoint.receivePacket(packet, Date.now())) received.push(new TextDecoder().decode(m.payload));
    }
    assert.deepEqual(events.messages, ['hello']);
    assert.deepEqual(received, ['echo hello']);
    assert.ok(Number.isFinite(endpoint.rttMs) && endpoint.rttMs >= 0, 'the echo gave a round-trip time');

    send({ type: 'disconnect', sessionId: accept.sessionId, reason: DisconnectReason.Quit });
    await eventually(() => server.table.size === 0, 'the session gone from the table');
    assert.deepEqual(events.disconnected, [DisconnectReason.Quit]);
  });
});
