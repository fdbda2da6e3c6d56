// The client library's prediction and interpolation: what a 3D client draws between snapshots.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Interpolator, Predictor, lerpPose, type Pose } from '@loom/netcode';

describe('client-side prediction', () => {
  it('moves at once, then replays what the server has not seen yet', () => {
    const predictor = new Predictor(4);
    predictor.apply(1, 0, -1, 0.1);
    predictor.apply(2, 0, -1, 0.1);
    predictor.apply(3, 1, 0, 0.1);
    assert.deepEqual(predictor.position, { x: 0.4, z: -0.8 });
    // The server applied inputs up to 2 and had us slightly elsewhere (a wall, say): restart there, replay 3.
    predictor.reconcile({ x: 0, z: -0.7 }, 2);
    assert.deepEqual(predictor.position, { x: 0.4, z: -0.7 });
    predictor.reconcile({ x: 0.4, z: -0.7 }, 3);
    assert.deepEqual(predictor.position, { x: 0.4, z: -0.7 });
    assert.equal(predictor.error, 0);
  });

  it('clamps a stick pushed past full to walking speed, as the server does', () => {
    const predictor = new Predictor(4);
    predictor.apply(1, 3, 4, 1);
    assert.ok(Math.abs(Math.hypot(predictor.position.x, predictor.position.z) - 4) < 1e-9);
  });
});

describe('interpolation of others', () => {
  const at = (x: number, yaw = 0): Map<number, Pose> => new Map([[7, { x, y: 0, z: 0, yaw }]]);

  it('draws an entity between the two snapshots around the render time', () => {
    const interpolator = new Interpolator();
    interpolator.push(1000, at(0));
    interpolator.push(1100, at(2));
    assert.equal(interpolator.sample(1050).get(7)!.x, 1);
    assert.equal(interpolator.sample(900).get(7)!.x, 0, 'before the first: the first');
    assert.equal(interpolator.sample(1200).get(7)!.x, 2, 'after the last: the last');
  });

  it('turns the short way round', () => {
    const pose = lerpPose({ x: 0, y: 0, z: 0, yaw: 3 }, { x: 0, y: 0, z: 0, yaw: -3 }, 0.5);
    assert.ok(Math.abs(Math.abs(pose.yaw) - Math.PI) < 0.01, `yaw ${pose.yaw}`);
  });
});
