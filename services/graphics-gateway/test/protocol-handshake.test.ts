// The server's side of connecting, staying and leaving, on a fake clock with datagrams as values:
// real players get in; spoofers, replayers, floods and the silent do not stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DecodeError, DisconnectReason, Endpoint, PROTOCOL_VERSION, RejectReason, decodePacket, encodePacket, type Packet,
} from '@loom/netcode';
import { ConnectionTable, CookieJar, type ConnectionTableOptions, type PeerAddress, type Session } from '../src/protocol/index.ts';

const alice: PeerAddress = { address: '203.0.113.5', port: 40000 };
const mallory: PeerAddress = { address: '198.51.100.66', port: 50000 };

function harness(options: Partial<ConnectionTableOptions> = {}) {
  let now = 1_000_000;
  const sent: { to: PeerAddress; packet: Packet }[] = [];
  const log = { connected: [] as Session[], disconnected: [] as [Session, number][], messages: 0 };
  const table = new ConnectionTable({
    send: (to, bytes) => {
      const packet = decodePacket(bytes);
      assert.ok(!(packet instanceof DecodeError));
      sent.push({ to, packet });
    },
    verifyToken: async (token) => (token.startsWith('good') ? { userId: 7, username: 'alice' } : new Error('token expired')),
    tickRate: 60,
    serverTick: () => 4321,
    now: () => now,
    events: { connected: (s) => log.connected.push(s), disconnected: (s, r) => log.disconnected.push([s, r]), messages: (_s, m) => (log.messages += m.length) },
    ...options,
  });
  /** Packets sent to `peer` since the last call. */
  const inbox = (peer: PeerAddress) => {
    const mine = sent.filter((s) => s.to.address === peer.address && s.to.port === peer.port).map((s) => s.packet);
    sent.splice(0, sent.length, ...sent.filter((s) => s.to.address !== peer.address || s.to.port !== peer.port));
    return mine;
  };
  const send = (from: PeerAddress, packet: Packet) => table.receive(encodePacket(packet), from);
  const challenge = async (from: PeerAddress, nonce: bigint) => {
    await send(from, { type: 'connect_request', nonce });
    const [reply] = inbox(from);
    assert.equal(reply?.type, 'challenge');
    return reply.cookie.slice();
  };
  const connect = async (from: PeerAddress, nonce = 1n, token = 'good') => {
    const cookie = await challenge(from, nonce);
    await send(from, { type: 'challenge_response', nonce, cookie, token });
    return { cookie, reply: inbox(from)[0] };
  };
  return { table, log, inbox, send, challenge, connect, advance: (ms: number) => (now += ms), get now() { return now; } };
}

describe('graphics handshake', () => {
  it('a player with a valid token connects, and a lost ACCEPT is answered again with the same session', async () => {
    const h = harness();
    const { cookie, reply } = await h.connect(alice, 11n);
    assert.equal(reply?.type, 'accept');
    assert.deepEqual({ nonce: reply.nonce, serverTick: reply.serverTick, tickRate: reply.tickRate }, { nonce: 11n, serverTick: 4321, tickRate: 60 });
    assert.equal(h.log.connected[0]?.username, 'alice');
    await h.send(alice, { type: 'challenge_response', nonce: 11n, cookie, token: 'good' });
    const [again] = h.inbox(alice);
    assert.ok(again?.type === 'accept' && again.sessionId === reply.sessionId);
    assert.equal(h.table.size, 1);
  });

  it('a spoofed source address cannot complete it: the cookie is bound to the address', async () => {
    const h = harness();
    await h.send(alice, { type: 'connect_request', nonce: 5n }); // mallory spoofing alice: the challenge goes to alice
    assert.equal(h.inbox(alice)[0]?.type, 'challenge');
    const own = await h.challenge(mallory, 5n); // a real cookie, but for mallory's address
    await h.send(alice, { type: 'challenge_response', nonce: 5n, cookie: own, token: 'good' });
    await h.send(alice, { type: 'challenge_response', nonce: 5n, cookie: new Uint8Array(20).fill(1), token: 'good' });
    const forAlice = await h.challenge(alice, 6n); // even alice's cookie is bound to her nonce and her port
    await h.send({ ...alice, port: alice.port + 1 }, { type: 'challenge_response', nonce: 6n, cookie: forAlice, token: 'good' });
    await h.send(alice, { type: 'challenge_response', nonce: 7n, cookie: forAlice, token: 'good' });
    assert.equal(h.table.stats.forgedCookie, 4);
    assert.equal(h.table.size, 0);
    assert.deepEqual(h.inbox(alice), []);
  });

  it('replayed, expired and previous-process cookies are refused', async () => {
    const h = harness();
    const { cookie, reply } = await h.connect(alice, 1n);
    assert.equal(reply?.type, 'accept');
    await h.send(alice, { type: 'disconnect', sessionId: reply.sessionId, reason: DisconnectReason.Quit });
    assert.equal(h.table.size, 0);
    await h.send(alice, { type: 'challenge_response', nonce: 1n, cookie, token: 'good' });
    assert.equal(h.table.stats.replayedCookie, 1);

    const stale = await h.challenge(alice, 2n);
    h.advance(10_001);
    await h.send(alice, { type: 'challenge_response', nonce: 2n, cookie: stale, token: 'good' });
    assert.equal(h.table.stats.expiredCookie, 1);

    const otherProcess = new CookieJar().mint(alice.address, alice.port, 3n, h.now);
    await h.send(alice, { type: 'challenge_response', nonce: 3n, cookie: otherProcess, token: 'good' });
    assert.equal(h.table.stats.forgedCookie, 1);
    assert.deepEqual(h.inbox(alice), []);
    assert.equal(h.table.size, 0);
  });

  it('refuses a bad token, a full server and another protocol version with a reason', async () => {
    const h = harness({ maxClients: 1 });
    const refused = (await h.connect(alice, 1n, 'forged')).reply;
    assert.ok(refused?.type === 'reject' && refused.reason === RejectReason.AuthFailed && refused.text === 'token expired');
    await h.connect(alice, 2n);
    const [full] = (await h.send(mallory, { type: 'connect_request', nonce: 9n }), h.inbox(mallory));
    assert.ok(full?.type === 'reject' && full.reason === RejectReason.ServerFull);

    const future = encodePacket({ type: 'connect_request', nonce: 1n });
    future[2] = PROTOCOL_VERSION + 1;
    await h.table.receive(future, mallory);
    const [mismatch] = h.inbox(mallory);
    assert.ok(mismatch?.type === 'reject' && mismatch.reason === RejectReason.VersionMismatch, JSON.stringify(mismatch));
    assert.ok(encodePacket(mismatch).length <= future.length);
    await h.table.receive(future.subarray(0, 8), mallory); // too small to answer without amplifying
    assert.deepEqual(h.inbox(mallory), []);
    assert.equal(h.table.stats.versionMismatch, 2);
  });

  it('rate-limits each client: excess datagrams and bytes are dropped and counted', async () => {
    const h = harness({ rateLimit: { datagramsPerSecond: 10, bytesPerSecond: 4000 } });
    const { reply } = await h.connect(alice);
    assert.equal(reply?.type, 'accept');
    const client = new Endpoint({ sessionId: reply.sessionId });
    const flood = (count: number, size: number) => {
      for (let i = 0; i < count; i++) {
        client.send('unreliable', new Uint8Array(size));
        for (const d of client.tick(i)) void h.table.receive(d, alice);
      }
    };
    flood(30, 8);
    assert.equal(h.log.messages, 10);
    const session = h.table.session(reply.sessionId)!;
    assert.deepEqual(session.dropped, { datagrams: 20, bytes: 20 * (16 + 3 + 8) });
    h.advance(1000);
    flood(10, 1000); // now bytes run out first: 4000 bytes buy three datagrams of 1019
    assert.equal(h.log.messages, 13);
    assert.equal(h.table.stats.rateLimited, 27);
  });

  it('disconnects a client silent for 10 s, keeps a chatty one, and ignores its id from elsewhere', async () => {
    const h = harness();
    const quiet = (await h.connect(alice)).reply;
    const chatty = (await h.connect(mallory, 2n)).reply;
    assert.ok(quiet?.type === 'accept' && chatty?.type === 'accept');
    const client = new Endpoint({ sessionId: chatty.sessionId, keepaliveMs: 1000 });
    for (let t = 0; t < 10; t++) {
      h.advance(1000);
      for (const d of client.tick(h.now)) await h.table.receive(d, mallory);
      h.table.tick();
    }
    assert.equal(h.table.size, 2);
    // Mallory names alice's session from his own address: not alice, does not keep her alive.
    await h.table.receive(encodePacket({ type: 'data', sessionId: quiet.sessionId, seq: 0, ack: 0, ackBits: 0, frames: [] }), mallory);
    assert.equal(h.table.stats.unknownSession, 1);
    h.advance(1);
    h.table.tick();
    assert.equal(h.table.size, 1);
    const goodbye = h.inbox(alice).filter((p) => p.type === 'disconnect');
    assert.equal(goodbye.length, 3);
    assert.ok(goodbye.every((p) => p.type === 'disconnect' && p.reason === DisconnectReason.Timeout && p.sessionId === quiet.sessionId));
    assert.deepEqual(h.log.disconnected.map(([s, r]) => [s.id, r]), [[quiet.sessionId, DisconnectReason.Timeout]]);
    assert.equal(h.table.stats.timedOut, 1);
  });

  it('carries messages both ways once connected, and a kick tells the client', async () => {
    const h = harness();
    const { reply } = await h.connect(alice);
    assert.equal(reply?.type, 'accept');
    const client = new Endpoint({ sessionId: reply.sessionId });
    client.send('reliable', new TextEncoder().encode('hello'));
    for (const d of client.tick(h.now)) await h.table.receive(d, alice);
    assert.equal(h.log.messages, 1);
    h.table.session(reply.sessionId)!.endpoint.send('reliable', new TextEncoder().encode('welcome'));
    h.table.tick();
    const data = h.inbox(alice).map((p) => encodePacket(p));
    const got = data.flatMap((d) => client.receive(d, h.now));
    assert.deepEqual(got.map((m) => new TextDecoder().decode(m.payload)), ['welcome']);
    h.table.disconnect(reply.sessionId);
    assert.ok(h.inbox(alice).every((p) => p.type === 'disconnect' && p.reason === DisconnectReason.Kicked));
    assert.equal(h.table.size, 0);
  });
});
