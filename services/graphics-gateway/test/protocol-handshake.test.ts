// The server's side of connecting, staying and leaving, on a fake clock with datagrams as values:
// real players get in; spoofers, replayers, floods and the silent do not stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DecodeError, DisconnectReason, Endpoint, PROTOCOL_VERSION, RejectReason, decodePacket, encodePacket, type Packet,
} from '@loom/netcode';
import { ConnectionTable, CookieJar, type ConnectionTableOptions, type PeerAddress, type Session } from '../src/protocol/index.ts';
import { eventually } from '@loom/runtime/testing/patience.ts';

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
    // "good:<n>" is a valid token of account n.
    verifyToken: async (token) => (token.startsWith('good:') ? { userId: Number(token.slice(5)), username: 'alice' } : new Error('token expired')),
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
  const connect = async (from: PeerAddress, nonce = 1n, token = `good:${from.port}`) => {
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
    await h.send(alice, { type: 'challenge_response', nonce: 11n, cookie, token: 'good:1' });
    const [again] = h.inbox(alice);
    assert.ok(again?.type === 'accept' && again.sessionId === reply.sessionId);
    assert.equal(h.table.size, 1);
  });

  it('a spoofed source address cannot complete it: the cookie is bound to the address', async () => {
    const h = harness();
    await h.send(alice, { type: 'connect_request', nonce: 5n }); // mallory spoofing alice: the challenge goes to alice
    assert.equal(h.inbox(alice)[0]?.type, 'challenge');
    const own = await h.challenge(mallory, 5n); // a real cookie, but for mallory's address
    await h.send(alice, { type: 'challenge_response', nonce: 5n, cookie: own, token: 'good:1' });
    await h.send(alice, { type: 'challenge_response', nonce: 5n, cookie: new Uint8Array(20).fill(1), token: 'good:1' });
    const forAlice = await h.challenge(alice, 6n); // even alice's cookie is bound to her nonce and her port
    await h.send({ ...alice, port: alice.port + 1 }, { type: 'challenge_response', nonce: 6n, cookie: forAlice, token: 'good:1' });
    await h.send(alice, { type: 'challenge_response', nonce: 7n, cookie: forAlice, token: 'good:1' });
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
    await h.send(alice, { type: 'challenge_response', nonce: 1n, cookie, token: 'good:1' });
    assert.equal(h.table.stats.replayedCookie, 1);

    const stale = await h.challenge(alice, 2n);
    h.advance(10_001);
    await h.send(alice, { type: 'challenge_response', nonce: 2n, cookie: stale, token: 'good:1' });
    assert.equal(h.table.stats.expiredCookie, 1);

    const otherProcess = new CookieJar().mint(alice.address, alice.port, 3n, h.now);
    await h.send(alice, { type: 'challenge_response', nonce: 3n, cookie: otherProcess, token: 'good:1' });
    assert.equal(h.table.stats.forgedCookie, 1);
    assert.deepEqual(h.inbox(alice), []);
    assert.equal(h.table.size, 0);
  });

  it('refuses a bad token, a full server and another protocol version with a reason', async () => {
    const h = harness({ maxClients: 1 });
    const refused = (await h.connect(alice, 1n, 'forged')).reply;
    assert.ok(refused?.type === 'reject' && refused.reason === RejectReason.AuthFailed && refused.text === 'token expired');
    await h.connect(alice, 2n);
    // Refusals come once the address is proven: a CONNECT_REQUEST always gets its stateless CHALLENGE.
    const full = (await h.connect(mallory, 9n)).reply;
    assert.ok(full?.type === 'reject' && full.reason === RejectReason.ServerFull && full.text === 'server full');

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

  it('keeps nothing for CONNECT_REQUESTs or forged answers, however many sources send them', async () => {
    const h = harness({ handshakesPerAddressPerSecond: 1 });
    for (let i = 0; i < 20_000; i++) {
      const spoofed = { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60_000) };
      await h.send(spoofed, { type: 'connect_request', nonce: BigInt(i) });
      await h.send(spoofed, { type: 'challenge_response', nonce: BigInt(i), cookie: new Uint8Array(20).fill(i & 255), token: 'good:1' });
    }
    assert.deepEqual(h.table.footprint, { sessions: 0, spentCookies: 0, addresses: 0 });
    assert.equal(h.table.stats.forgedCookie, 20_000);
    assert.equal((await h.connect(alice)).reply?.type, 'accept', 'no budget of the whole server was used up');
  });

  it('caps sessions per network address (an IPv6 /64 is one), counting WebSocket peers by their host', async () => {
    const h = harness({ perAddress: 2 });
    const home = (suffix: string, port: number): PeerAddress => ({ address: `2001:db8:1:2:${suffix}`, port });
    assert.equal((await h.connect(home(':a', 1))).reply?.type, 'accept');
    assert.equal((await h.connect({ address: 'ws:1:2001:db8:1:2::b', port: 0, host: '2001:db8:1:2:ffff::b' }, 1n, 'good:2')).reply?.type, 'accept');
    const third = (await h.connect(home('abcd:1:2:3', 3))).reply;
    assert.ok(third?.type === 'reject' && third.reason === RejectReason.AddressFull && third.text === 'too many players from your address', JSON.stringify(third));
    assert.equal((await h.connect({ address: '2001:db8:1:3::a', port: 4 })).reply?.type, 'accept', 'the next /64 is another address');
    assert.equal((await h.connect(alice)).reply?.type, 'accept');
    const mapped = (await h.connect({ address: `::ffff:${alice.address}`, port: 5 })).reply;
    assert.equal(mapped?.type, 'accept', 'an IPv4-mapped address counts with its IPv4 one');
    const full = (await h.connect({ address: alice.address, port: 6 })).reply;
    assert.ok(full?.type === 'reject' && full.reason === RejectReason.AddressFull);
    assert.equal(h.table.stats.addressFull, 2);
    assert.equal(h.table.size, 5);
  });

  it('lets one network run at most its share of token checks: in flight and per second', async () => {
    const pending: Array<() => void> = [];
    const h = harness({
      perAddress: 2,
      handshakesPerAddressPerSecond: 3,
      verifyToken: (token) => new Promise((resolve) => pending.push(() => resolve({ userId: Number(token.slice(5)), username: 'alice' }))),
    });
    /** Sends a CHALLENGE_RESPONSE from alice's address at `port`; settles when its token check has. */
    const answer = async (from: PeerAddress) => {
      const nonce = BigInt(from.port);
      const cookie = await h.challenge(from, nonce);
      return h.send(from, { type: 'challenge_response', nonce, cookie, token: `good:${from.port}` });
    };
    const at = (port: number): PeerAddress => ({ address: alice.address, port });
    const running = [answer(at(1)), answer(at(2)), answer(mallory)];
    await answer(at(3)); // two checks already run for alice's address
    const busy = h.inbox(at(3))[0];
    assert.ok(busy?.type === 'reject' && busy.reason === RejectReason.Busy && busy.text === 'too many handshakes from your address', JSON.stringify(busy));
    await eventually(() => pending.length === 3, "mallory's check runs beside alice's two");
    for (const done of pending.splice(0)) done();
    await Promise.all(running);
    assert.deepEqual([h.inbox(at(1))[0]?.type, h.inbox(at(2))[0]?.type, h.inbox(mallory)[0]?.type], ['accept', 'accept', 'accept']);
    // Two of the three checks a second are spent: one more may start, the one after waits for the bucket.
    const fourth = answer(at(4));
    await eventually(() => pending.length === 1, 'the third check of the second');
    await answer(at(5));
    const slow = h.inbox(at(5))[0];
    assert.ok(slow?.type === 'reject' && slow.reason === RejectReason.Busy, JSON.stringify(slow));
    pending.splice(0)[0]!();
    await fourth;
    const full = h.inbox(at(4))[0];
    assert.ok(full?.type === 'reject' && full.reason === RejectReason.AddressFull, 'checked, then refused: two sessions are there');
    h.advance(1000);
    h.table.tick();
    assert.equal(h.table.footprint.addresses, 0, 'a network with nothing running and a full budget is forgotten');
  });

  it('holds one session per account: a login elsewhere takes over, and a refused one takes nothing', async () => {
    const h = harness({ perAddress: 1 });
    const first = (await h.connect(alice, 1n, 'good:5')).reply;
    assert.equal(first?.type, 'accept');
    const second = (await h.connect(mallory, 2n, 'good:5')).reply;
    assert.ok(second?.type === 'accept' && first?.type === 'accept');
    const told = h.inbox(alice);
    assert.equal(told.length, 3);
    assert.ok(told.every((p) => p.type === 'disconnect' && p.sessionId === first.sessionId && p.reason === DisconnectReason.TakenOver));
    assert.deepEqual(h.log.disconnected.map(([s, r]) => [s.id, r]), [[first.sessionId, DisconnectReason.TakenOver]]);
    // From mallory's address (full, one a network) with another port: refused, and the session there stays.
    const refused = (await h.connect({ ...mallory, port: mallory.port + 1 }, 3n, 'good:6')).reply;
    assert.ok(refused?.type === 'reject' && refused.reason === RejectReason.AddressFull);
    // The same account from there again: it takes its own seat over, so the address cap does not refuse it.
    const again = (await h.connect({ ...mallory, port: mallory.port + 2 }, 4n, 'good:5')).reply;
    assert.equal(again?.type, 'accept');
    assert.equal(h.table.size, 1);
    assert.equal(h.table.stats.takenOver, 2);
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
