// Quantization and snapshot deltas: what the 3D client sees is exactly what the server encoded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DecodeError, NO_BASELINE, SnapshotHistory, decodeDelta, dequantizePosition, dequantizeYaw, encodeDelta, quantizePosition,
  quantizeYaw, type EntityState, type Snapshot,
} from '@loom/netcode';
import { mulberry32 } from '@loom/netcode/testing/prng.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const only = (s: Snapshot) => () => s;

describe('quantization', () => {
  it('keeps positions to the centimetre across ±83 km and clamps beyond', () => {
    assert.equal(quantizePosition(1.234), 123);
    assert.equal(quantizePosition(-0.001), 0);
    assert.equal(Object.is(quantizePosition(-0.001), -0), false);
    assert.equal(dequantizePosition(quantizePosition(-2.5)), -2.5);
    assert.equal(quantizePosition(1e9), 0x7fffff);
    assert.equal(quantizePosition(-1e9), -0x800000);
    assert.throws(() => quantizePosition(NaN), RangeError);
  });

  it('wraps yaw into a u16 turn', () => {
    assert.equal(quantizeYaw(Math.PI / 2), 16384);
    assert.equal(quantizeYaw(-Math.PI / 2), 49152);
    assert.equal(quantizeYaw(2 * Math.PI), 0);
    assert.ok(Math.abs(dequantizeYaw(quantizeYaw(1)) - 1) < (Math.PI * 2) / 65536);
  });
});

describe('snapshot deltas', () => {
  const hero: EntityState = { id: 1, x: 150, y: 0, z: -250, yaw: 16384, flags: 1 };

  it('encodes a full snapshot exactly as docs/protocol.md shows', () => {
    const bytes = encodeDelta({ tick: 100, entities: [hero] });
    assert.equal(hex(bytes), '64000000' + 'ffffffff' + '0000' + '0100' + '01000000' + '1d' + '960000' + '06ffff' + '0040' + '0100');
    assert.deepEqual(decodeDelta(bytes, () => undefined), { tick: 100, entities: [hero] });
  });

  it('sends only changed fields, added and removed entities, and nothing for an idle world', () => {
    const base: Snapshot = { tick: 100, entities: [hero, { id: 5, x: 1, y: 2, z: 3, yaw: 4, flags: 0 }] };
    const next: Snapshot = { tick: 101, entities: [{ ...hero, x: 151 }, { id: 9, x: 0, y: 0, z: 0, yaw: 0, flags: 0 }] };
    const bytes = encodeDelta(next, base);
    // tick, baseline, 1 removed (5), 2 entities: 1 with mask x, 9 new and all zero (mask 0).
    assert.equal(hex(bytes), '65000000' + '64000000' + '0100' + '05000000' + '0200' + '01000000' + '01' + '970000' + '09000000' + '00');
    assert.deepEqual(decodeDelta(bytes, only(base)), next);
    assert.equal(encodeDelta({ ...base, tick: 102 }, base).length, 12);
  });

  it('round-trips random worlds byte for byte against random earlier baselines', () => {
    const random = mulberry32(7);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    let world = new Map<number, EntityState>();
    const history: Snapshot[] = [];
    for (let tick = 0; tick < 300; tick++) {
      world = new Map(world);
      for (let k = 0; k < 6; k++) {
        const id = int(0, 40);
        if (random() < 0.2) world.delete(id);
        else {
          const e = world.get(id) ?? { id, x: 0, y: 0, z: 0, yaw: 0, flags: 0 };
          const axis = (['x', 'y', 'z'] as const)[int(0, 2)]!;
          world.set(id, { ...e, [axis]: int(-0x800000, 0x7fffff), yaw: random() < 0.5 ? e.yaw : int(0, 65535), flags: int(0, 3) });
        }
      }
      const snapshot: Snapshot = { tick, entities: [...world.values()].sort((a, b) => a.id - b.id) };
      const baseline = history.length > 0 && random() < 0.8 ? history[int(Math.max(0, history.length - 20), history.length - 1)] : undefined;
      const bytes = encodeDelta(snapshot, baseline);
      const decoded = decodeDelta(bytes, (t) => history.find((s) => s.tick === t));
      assert.deepEqual(decoded, snapshot);
      assert.equal(hex(encodeDelta(decoded as Snapshot, baseline)), hex(bytes));
      history.push(snapshot);
    }
  });

  it('rejects deltas that do not fit their baseline', () => {
    const base: Snapshot = { tick: 1, entities: [hero] };
    const code = (b: Uint8Array, s?: Snapshot) => (decodeDelta(b, () => s) as DecodeError).code;
    assert.equal(code(encodeDelta({ tick: 2, entities: [] }, base)), 'no_baseline');
    assert.equal(code(encodeDelta({ tick: 2, entities: [] }, base), { tick: 1, entities: [] }), 'malformed'); // removes an unknown id
    const badMask = encodeDelta({ tick: 2, entities: [hero] });
    badMask[16] = 0x80;
    assert.equal(code(badMask), 'malformed');
    const twice = Uint8Array.of(...encodeDelta({ tick: 2, entities: [] }).subarray(0, 10), 2, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0);
    assert.equal(code(twice), 'malformed'); // ids must ascend
    assert.throws(() => encodeDelta({ tick: 2, entities: [hero, hero] }), RangeError);
    assert.throws(() => encodeDelta({ tick: 2, entities: [{ ...hero, x: 0x800000 }] }), RangeError);
  });

  it('keeps baselines only as long as a sender may name them', () => {
    const history = new SnapshotHistory(10);
    for (let tick = 0; tick <= 30; tick++) history.add({ tick, entities: [] });
    assert.equal(history.get(19), undefined);
    assert.equal(history.get(20)?.tick, 20);
    assert.equal(history.baselineFor(20, 30)?.tick, 20);
    assert.equal(history.baselineFor(20, 31), undefined); // too old: send a full snapshot
    assert.equal(history.baselineFor(undefined, 31), undefined);
    assert.equal(NO_BASELINE, 0xffffffff);
  });
});
