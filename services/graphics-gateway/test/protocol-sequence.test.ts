// u16 sequence arithmetic and acks across the wrap at 65535, and a long session that wraps both
// datagram sequences and reliable message ids without losing or reordering anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Endpoint, ReceiveWindow, ackedSequences, seqDiff, seqGreater } from '@loom/netcode';

describe('sequence numbers', () => {
  it('compare across the wrap', () => {
    assert.equal(seqDiff(0, 65535), 1);
    assert.equal(seqDiff(65535, 0), -1);
    assert.equal(seqDiff(100, 100), 0);
    assert.ok(seqGreater(5, 65530) && !seqGreater(65530, 5));
    assert.equal(seqDiff(32767, 0), 32767);
    assert.equal(seqDiff(32768, 0), -32768);
  });

  it('build and read ack bitfields, including across the wrap', () => {
    const w = new ReceiveWindow();
    for (const seq of [65534, 65535, 0, 2, 3]) w.record(seq);
    assert.deepEqual(ackedSequences(w.ack.ack, w.ack.ackBits).sort((a, b) => a - b), [0, 2, 3, 65534, 65535]);
    const far = new ReceiveWindow();
    far.record(8);
    far.record(40);
    assert.equal(far.ack.ackBits, 0x80000000); // 40 − 1 − 31
  });

  it('a receive window tells new from duplicate from too old', () => {
    const w = new ReceiveWindow();
    assert.deepEqual(w.ack, { ack: 0xffff, ackBits: 0 });
    assert.equal(w.record(65534), 'new');
    assert.equal(w.record(1), 'new'); // jumps 3 across the wrap
    assert.deepEqual(w.ack, { ack: 1, ackBits: 0b100 });
    assert.equal(w.record(0), 'new');
    assert.equal(w.record(0), 'duplicate');
    assert.equal(w.record(1), 'duplicate');
    assert.deepEqual(w.ack, { ack: 1, ackBits: 0b101 });
    assert.equal(w.record(33), 'new'); // the old newest lands on bit 31
    assert.deepEqual(w.ack, { ack: 33, ackBits: 0x80000000 });
    assert.equal(w.record(0), 'old');
    assert.equal(w.record(100), 'new');
    assert.deepEqual(w.ack, { ack: 100, ackBits: 0 });
  });
});

describe('a long session', () => {
  it('wraps message ids and datagram sequences and still delivers everything in order', () => {
    const a = new Endpoint({ sessionId: 3 });
    const b = new Endpoint({ sessionId: 3 });
    let now = 0;
    let dropped = 0;
    const got: number[] = [];
    let snapshots = 0;
    const pass = (from: Endpoint, to: Endpoint, collect: boolean) => {
      for (const d of from.tick(now)) {
        if (++dropped % 17 === 0) continue; // steady loss
        for (const m of to.receive(d, now)) {
          if (!collect) continue;
          if (m.channel === 'reliable') got.push(new DataView(m.payload.buffer, m.payload.byteOffset).getUint32(0, true));
          else snapshots++;
        }
      }
    };
    const total = 70_000;
    let next = 0;
    // Far more than 65 536 messages (ids wrap), then far more than 65 536 datagrams (sequences wrap).
    for (let tick = 0; got.length < total || tick < 70_000; tick++) {
      now += 16;
      while (next < total && a.sendWindowFree > 0) {
        const payload = new Uint8Array(4);
        new DataView(payload.buffer).setUint32(0, next++, true);
        a.send('reliable', payload);
      }
      a.send('unreliable', Uint8Array.of(tick & 0xff), tick);
      pass(a, b, true);
      pass(b, a, false);
      assert.ok(tick < 200_000, 'stalled');
    }
    assert.equal(got.length, total);
    assert.ok(got.every((v, i) => v === i), 'in order, exactly once');
    assert.ok(snapshots > 60_000);
    assert.ok(a.stats.datagramsSent > 65_536);
    assert.ok(a.ackedTag! > 69_000, 'acks keep flowing after the wrap');
  });
});
