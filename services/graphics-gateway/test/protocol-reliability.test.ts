// Two endpoints talking through a bad network (loss, duplicates, reordering; seeded, fake clock):
// reliable messages arrive once and in order, snapshots converge, deltas always decode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DecodeError, Endpoint, MAX_UNRELIABLE_PAYLOAD, SendWindowFullError, SnapshotHistory, decodeDelta, encodeDelta, type Endpoint as EndpointType,
  type Message, type Snapshot,
} from '@loom/netcode';
import { LossyLink } from '@loom/netcode/testing/lossy-link.ts';
import { mulberry32 } from '@loom/netcode/testing/prng.ts';

const TICK_MS = 16;

/** A pair of endpoints joined by two lossy links; run() advances the fake clock one tick. */
function network(seed: number, drop = 0.15) {
  const random = mulberry32(seed);
  const link = () => new LossyLink({ random, drop, duplicate: 0.1, maxDelayMs: 100 });
  const a = new Endpoint({ sessionId: 42 });
  const b = new Endpoint({ sessionId: 42 });
  const wires = new Map<EndpointType, { to: EndpointType; link: LossyLink; got: Message[] }>([
    [a, { to: b, link: link(), got: [] }],
    [b, { to: a, link: link(), got: [] }],
  ]);
  let now = 0;
  return {
    a, b, wires,
    get now() {
      return now;
    },
    /** One tick: each side receives what arrived, then sends. Returns messages delivered to a and b. */
    step(onReceive?: (at: EndpointType, m: Message) => void) {
      now += TICK_MS;
      for (const [from, { to, link }] of wires) {
        for (const bytes of link.deliver(now)) {
          for (const m of to.receive(bytes, now)) {
            wires.get(to)!.got.push(m);
            onReceive?.(to, m);
          }
        }
        void from;
      }
      for (const [from, { link }] of wires) for (const bytes of from.tick(now)) link.send(bytes, now);
    },
  };
}

const numbered = (i: number, size: number) => {
  const payload = new Uint8Array(size);
  new DataView(payload.buffer).setUint32(0, i, true);
  for (let k = 4; k < size; k++) payload[k] = (i + k) & 0xff;
  return payload;
};

describe('reliability over a lossy link', () => {
  for (const seed of [2024, 1, 77, 31337, 5]) it(`delivers 500 reliable messages each way exactly once, in order, large ones in fragments (seed ${seed})`, () => {
    const net = network(seed);
    const total = 500;
    const sizeOf = (i: number) => (i % 50 === 7 ? 3000 + i * 30 : 4 + (i % 40));
    const sent = new Map<EndpointType, number>([[net.a, 0], [net.b, 0]]);
    for (let t = 0; t < 10_000; t++) {
      for (const [side, count] of sent) {
        let n = count; // send bursts as the window allows
        for (let k = 0; k < 20 && n < total && side.sendWindowFree > 0; k++) side.send('reliable', numbered(n++, sizeOf(n - 1)));
        sent.set(side, n);
      }
      net.step();
      if ([...net.wires.values()].every((w) => w.got.length === total)) break;
    }
    for (const [side, { got }] of net.wires) {
      assert.equal(got.length, total, `${side === net.a ? 'a' : 'b'} received ${got.length}`);
      got.forEach((m, i) => {
        assert.equal(m.channel, 'reliable');
        assert.deepEqual(m.payload, numbered(i, sizeOf(i)), `message ${i}`);
      });
    }
    const { link } = net.wires.get(net.a)!;
    assert.ok(link.counts.dropped > link.counts.sent * 0.08 && link.counts.duplicated > link.counts.sent * 0.05, `the link really was bad: ${JSON.stringify(link.counts)}`);
    assert.ok(net.a.stats.fragmentsResent > 0 && net.b.stats.duplicates > 0);
    assert.ok(net.a.rttMs > TICK_MS && net.a.rttMs < 300, `rtt ${net.a.rttMs}`);
    assert.ok(net.a.packetLoss > 0.02 && net.a.packetLoss < 0.6, `loss ${net.a.packetLoss}`);
  });

  for (const seed of [99, 3, 4242]) it(`converges on the latest snapshot, and every delta decodes to what the sender had at that tick (seed ${seed})`, () => {
    const net = network(seed, 0.2);
    const serverHistory = new SnapshotHistory();
    const clientHistory = new SnapshotHistory();
    const sentByTick = new Map<number, Snapshot>();
    const decodedTicks: number[] = [];
    let snapshot: Snapshot = { tick: 0, entities: [] };
    let fullSnapshots = 0;
    for (let tick = 1; tick <= 400; tick++) {
      // Entities wander for 300 ticks, some come and go; then the world holds still.
      const moving = tick <= 300;
      const entities = snapshot.entities
        .filter((e) => !(moving && tick % 37 === 0 && e.id === tick % 10))
        .map((e) => (moving && (e.id + tick) % 3 === 0 ? { ...e, x: e.x + 7, yaw: (e.yaw + 300) & 0xffff } : e));
      if (moving && tick % 5 === 0 && entities.length < 30) entities.push({ id: 1000 + tick, x: tick, y: -tick, z: 5, yaw: 0, flags: tick & 3 });
      snapshot = { tick, entities: entities.sort((p, q) => p.id - q.id) };
      sentByTick.set(tick, snapshot);
      serverHistory.add(snapshot);
      const baseline = serverHistory.baselineFor(net.a.ackedTag, tick);
      if (!baseline) fullSnapshots++;
      const bytes = encodeDelta(snapshot, baseline);
      net.a.send('unreliable', bytes, tick);
      net.step((at, m) => {
        if (at !== net.b || m.channel !== 'unreliable') return;
        const decoded = decodeDelta(m.payload, (t) => clientHistory.get(t));
        assert.ok(!(decoded instanceof DecodeError), `tick ${tick}: ${String(decoded)}`);
        assert.deepEqual(decoded, sentByTick.get(decoded.tick), `snapshot ${decoded.tick} decoded to the sender's state`);
        if (decodedTicks.length > 0) assert.ok(decoded.tick > decodedTicks.at(-1)!, 'stale snapshots are not delivered');
        decodedTicks.push(decoded.tick);
        clientHistory.add(decoded);
      });
      // Whatever the sender believes acked, the receiver decoded: the next delta's baseline is sound.
      const acked = net.a.ackedTag;
      if (acked !== undefined) assert.ok(decodedTicks.includes(acked), `acked tick ${acked} was decoded`);
    }
    for (let k = 0; k < 20; k++) net.step(); // let the last datagrams land
    assert.deepEqual(clientHistory.get(decodedTicks.at(-1)!)?.entities, snapshot.entities, 'the client ends with the latest state');
    assert.ok(decodedTicks.length > 100 && decodedTicks.length < 400, `${decodedTicks.length} of 400 snapshots arrived`);
    assert.ok(fullSnapshots < 20, `${fullSnapshots} full snapshots`); // only until the first ack comes back
  });
});

describe('endpoint edges', () => {
  it('drops stale and duplicate datagrams for the unreliable channel', () => {
    const a = new Endpoint({ sessionId: 1 });
    const b = new Endpoint({ sessionId: 1 });
    a.send('unreliable', Uint8Array.of(1));
    const [first] = a.tick(0);
    a.send('unreliable', Uint8Array.of(2));
    const [second] = a.tick(16);
    assert.deepEqual(b.receive(second!, 20).map((m) => [...m.payload]), [[2]]);
    assert.deepEqual(b.receive(first!, 21), [], 'older than what was delivered');
    assert.deepEqual(b.receive(second!, 22), [], 'duplicate');
    assert.equal(b.stats.duplicates, 1);
    assert.deepEqual(b.receive(Uint8Array.of(1, 2, 3), 23), []);
    assert.equal(b.stats.malformed, 1);
    assert.deepEqual(new Endpoint({ sessionId: 2 }).receive(second!, 24), [], 'another session');
  });

  it('says clearly when the reliable window is full or a payload is too big', () => {
    const lonely = new Endpoint({ sessionId: 1, sendWindow: 256 });
    for (let i = 0; i < 256; i++) lonely.send('reliable', Uint8Array.of(i));
    assert.equal(lonely.sendWindowFree, 0);
    assert.throws(() => lonely.send('reliable', Uint8Array.of(0)), (e: unknown) => e instanceof SendWindowFullError && /256 messages await/.test(e.message));
    assert.throws(() => lonely.send('unreliable', new Uint8Array(MAX_UNRELIABLE_PAYLOAD + 1)), RangeError);
    assert.throws(() => lonely.send('reliable', new Uint8Array(64 * 1024 + 1)), RangeError);
  });

  it('packs within the MTU, caps datagrams per tick, and keeps quiet links alive', () => {
    const a = new Endpoint({ sessionId: 1, maxDatagramsPerTick: 4, keepaliveMs: 500 });
    for (let i = 0; i < 20; i++) a.send('reliable', new Uint8Array(600));
    const burst = a.tick(0);
    assert.equal(burst.length, 4);
    assert.ok(burst.every((d) => d.length <= 1200));
    assert.equal(a.tick(100).length, 4, 'the rest follows next tick');
    const idle = new Endpoint({ sessionId: 1, keepaliveMs: 500 });
    assert.equal(idle.tick(0).length, 1);
    assert.equal(idle.tick(400).length, 0);
    assert.equal(idle.tick(500).length, 1);
  });
});
