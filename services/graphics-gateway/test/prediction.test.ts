// The client library's motion: prediction of one's own avatar with reconciliation, interpolation of others.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Interpolator, Predictor, type SeenEntity } from '@loom/netcode';

const entity = (id: number, x: number, yaw = 0): SeenEntity => ({ id, name: `e${id}`, kind: 'player', model: '', texture: '', x, y: 0, z: 0, yaw, flags: 2 });

describe('client-side prediction', () => {
  it('moves at once from inputs, inside the room', () => {
    const me = new Predictor();
    me.snap({ x: 0, z: 0 });
    me.bound = (x, z) => ({ x: Math.min(x, 0.5), z });
    me.step(1, 1, 0, 0.1);
    assert.equal(me.x, 0.4);
    me.step(2, 1, 0, 0.1);
    assert.equal(me.x, 0.5, 'a wall stops the prediction as it stops the server');
  });

  it('eases a small disagreement away and snaps a large one', () => {
    const me = new Predictor();
    me.snap({ x: 0, z: 0 });
    me.step(1, 0, -1, 0.1); // predicted z = -0.4 after input 1
    me.reconcile({ x: 0, z: -0.3 }, 1); // the server had -0.3: a small error, eased by a fifth
    assert.ok(Math.abs(me.z - -0.38) < 1e-9, `z ${me.z}`);
    me.reconcile({ x: 3, z: 0 }, 1); // far off: the difference is taken at once
    assert.ok(Math.abs(me.x - 3) < 1e-9, `x ${me.x}`);
  });
});

describe('interpolation of others', () => {
  it('draws entities a little in the past, between the snapshots around that moment', () => {
    const others = new Interpolator();
    // Two snapshots 50 ms apart (20 Hz), each arriving as it is sent.
    others.push(20, 20, [entity(7, 0)], 1000);
    others.push(21, 20, [entity(7, 2)], 1050);
    // 100 ms behind the newest arrival: between the two frames.
    const [e] = others.sample(1125);
    assert.ok(e && e.x > 0 && e.x < 2, `x ${e?.x}`);
  });

  it('turns the short way round', () => {
    const others = new Interpolator();
    others.push(20, 20, [entity(7, 0, 3)], 1000);
    others.push(21, 20, [entity(7, 0, -3)], 1050);
    const [e] = others.sample(1125);
    assert.ok(Math.abs(Math.abs(e!.yaw) - Math.PI) < 0.2, `yaw ${e!.yaw}`);
  });
});
