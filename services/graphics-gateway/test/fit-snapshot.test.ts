// A crowded room's snapshot still fits a datagram: the nearest entities stay, the viewer always.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeDelta, MAX_UNRELIABLE_PAYLOAD, type EntityState } from '@loom/netcode';
import { fitSnapshot } from '../src/core/fit-snapshot.ts';

const encode = (entities: EntityState[]) => encodeDelta({ tick: 1, entities });

describe('fitting a snapshot into one datagram', () => {
  it('keeps a small snapshot whole', () => {
    const entities = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, x: i * 100, y: 0, z: 0, yaw: 0, flags: 2 }));
    assert.deepEqual(fitSnapshot(entities, 1, encode), encode(entities));
  });

  it('drops the farthest of 300 entities, keeps the viewer and its neighbours, and fits', () => {
    const entities = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, x: (i + 1) * 1000 + 7, y: 12, z: -(i + 1) * 333, yaw: i * 100, flags: 2 }));
    let kept: EntityState[] = [];
    const bytes = fitSnapshot(entities, 150, (chosen) => {
      kept = chosen;
      return encode(chosen);
    });
    assert.ok(bytes.length <= MAX_UNRELIABLE_PAYLOAD, `${bytes.length} bytes`);
    const ids = kept.map((e) => e.id);
    assert.ok(ids.includes(150) && ids.includes(149) && ids.includes(151));
    assert.ok(!ids.includes(1) && !ids.includes(300), 'the farthest are left out');
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'still in id order, as the delta encoding wants');
  });
});
