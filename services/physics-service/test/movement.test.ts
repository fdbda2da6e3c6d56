// A 3D player's body in a room: walking, walls, doorways, gravity, steps, and what a cheating client
// cannot do. The engine runs in the test's thread here; physics-thread.test.ts covers the worker.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { PhysicsEngine } from '../src/core/engine.ts';
import { MAX_CATCHUP } from '../src/core/input.ts';
import { go, position, room, run, v3 } from './fixture.ts';

const R = 1;
const ME = 100;
let engine: PhysicsEngine;

beforeEach(async () => {
  engine = await PhysicsEngine.create();
});

describe('a character in a room', () => {
  it('walks across the room and is stopped by the east wall', () => {
    engine.setRegion(room(R));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    const r = run(engine, R, 100, [go(ME, 4, 0)]); // 5 s at 4 m/s: 20 m asked, 10 m of room
    const p = position(r, ME);
    assert.ok(p.x > 9.5 && p.x < 10, `stopped at the wall's inner face (10 m), not through it: x=${p.x}`);
    assert.ok(Math.abs(p.z) < 0.01 && Math.abs(p.y) < 0.05, `stayed on its line, on the floor: ${JSON.stringify(p)}`);
    assert.equal(r.doorways.length, 0);
  });

  it('walks out through a doorway gap and reports the doorway, once', () => {
    engine.setRegion(room(R, { doorways: [{ wall: 'east', offset: 0, width: 0, height: 0 }, { wall: 'north', offset: 0, width: 0, height: 0 }] }));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    const r = run(engine, R, 80, [go(ME, 0, -4)]); // north is -z
    assert.deepEqual(r.doorways, [{ entityId: ME, regionId: R, doorwayIndex: 1 }]);
    assert.ok(position(r, ME).z < -10.2, 'went past the wall');
  });

  it('is stopped by the wall beside a doorway it misses', () => {
    engine.setRegion(room(R, { doorways: [{ wall: 'north', offset: 5, width: 2, height: 3 }] }));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    const r = run(engine, R, 80, [go(ME, 0, -4)]);
    assert.equal(r.doorways.length, 0);
    assert.ok(position(r, ME).z > -10, 'the wall held');
  });

  it('falls from where it was put and lands on the floor', () => {
    engine.setRegion(room(R));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(2, 3, 2) });
    const first = run(engine, R, 1);
    assert.equal(first.last.get(ME)?.grounded, false);
    const r = run(engine, R, 40);
    const p = position(r, ME);
    assert.ok(Math.abs(p.y) < 0.05, `feet on the floor: y=${p.y}`);
    assert.equal(r.last.get(ME)?.grounded, true);
  });

  it('climbs a 0.2 m step but not a 0.6 m wall', () => {
    engine.setRegion(room(R, { boxes: [{ position: v3(3, 0.1, 0), halfExtents: v3(0.5, 0.1, 2) }, { position: v3(-3, 0.3, 0), halfExtents: v3(0.5, 0.3, 2) }] }));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    const east = position(run(engine, R, 30, [go(ME, 2, 0)]), ME); // 3 m east: on top of the step
    assert.ok(east.x > 2.6 && east.x < 3.5 && Math.abs(east.y - 0.2) < 0.05, `on the step: ${JSON.stringify(east)}`);
    const west = position(run(engine, R, 60, [go(ME, -3, 0)]), ME);
    assert.ok(west.x > -2.5 && Math.abs(west.y) < 0.05, `stopped in front of the 0.6 m box: ${JSON.stringify(west)}`);
  });

  it('jumps once from the ground, not again in the air', () => {
    engine.setRegion(room(R));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    run(engine, R, 5);
    const up = run(engine, R, 6, [go(ME, 0, 0, true)]);
    const rest = run(engine, R, 30, [go(ME, 0, 0, true)]); // asked again mid-air: dropped
    const heights = [...up.results, ...rest.results].map((s) => s.bodies[0]!.position!.y);
    const peak = Math.max(...heights);
    assert.ok(peak > 1.1 && peak < 1.4, `a ~1.27 m jump: ${peak}`);
    const landed = heights.findIndex((y, i) => i > 0 && y < 0.01);
    assert.ok(landed > 0 && heights.slice(landed).every((y) => y < 0.01), `one jump, then it stays down: ${heights.map((y) => y.toFixed(2))}`);
  });

  it('is clamped to walking speed however fast the client asks', () => {
    engine.setRegion(room(R, { size: v3(100, 4, 100) }));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    const r = run(engine, R, 20, [go(ME, 300, 400)]); // 1 s at "500 m/s"
    const p = position(r, ME);
    assert.ok(Math.hypot(p.x, p.z) <= 6.05, `at most 6 m in 1 s: ${Math.hypot(p.x, p.z)}`);
    assert.ok(Math.abs(p.x / p.z - 0.75) < 0.01, 'in the direction asked');
  });

  it('ignores NaN and infinite inputs and keeps the last good one', () => {
    engine.setRegion(room(R));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    run(engine, R, 1, [{ entityId: ME, desiredVelocity: v3(NaN, 0, 0), jump: true }]);
    assert.ok(Math.abs(position(run(engine, R, 10), ME).x) < 0.001, 'a NaN input from the start moves nothing');
    run(engine, R, 10, [go(ME, 2, 0)]); // 1 m east
    const r = run(engine, R, 10, [{ entityId: ME, desiredVelocity: v3(Infinity, 0, -Infinity), jump: false }]);
    const p = position(r, ME);
    assert.ok(Math.abs(p.x - 2) < 0.05 && Math.abs(p.z) < 0.01, `kept walking east at 2 m/s: ${JSON.stringify(p)}`);
    assert.ok(r.results.every((s) => s.bodies.every((b) => Number.isFinite(b.position!.x))));
  });

  it('walks through another player instead of being blocked by them', () => {
    engine.setRegion(room(R));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(-2, 0, 0) });
    engine.addCharacter({ regionId: R, entityId: ME + 1, position: v3(2, 0, 0) });
    const r = run(engine, R, 30, [go(ME, 2, 0), go(ME + 1, -2, 0)]);
    assert.ok(position(r, ME).x > 0.9 && position(r, ME + 1).x < -0.9, 'they passed each other');
  });

  it('reports entering and leaving a trigger volume', () => {
    engine.setRegion(room(R, { triggers: [{ triggerId: 77, position: v3(0, 1, 4), halfExtents: v3(1, 1, 1) }] }));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    const r = run(engine, R, 60, [go(ME, 0, 3)]); // through z 3..5, then on
    assert.deepEqual(r.triggers, [
      { triggerId: 77, entityId: ME, phase: 'enter' },
      { triggerId: 77, entityId: ME, phase: 'leave' },
    ]);
  });

  it('a character in an unknown region, or an unknown region, is refused clearly', () => {
    assert.throws(() => engine.addCharacter({ regionId: 9, entityId: ME, position: undefined }), { code: 'NOT_FOUND' });
    assert.throws(() => engine.setRegion(room(R, { doorways: [{ wall: 'up', offset: 0, width: 0, height: 0 }] })), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => engine.setRegion(room(R, { doorways: [{ wall: 'north', offset: 9.5, width: 2, height: 3 }] })), /does not fit/);
    assert.throws(() => engine.setRegion(room(R, { boxes: [{ position: v3(0, NaN, 0), halfExtents: v3(1, 1, 1) }] })), { code: 'INVALID_ARGUMENT' });
    assert.deepEqual(engine.step({ tick: 1, dt: 0.05, regions: [{ regionId: 9, inputs: [] }], wait: false }).missingRegions, [9]);
  });
});

describe('late steps (the test is the clock: each step says how much time it covers)', () => {
  const walk = async (dts: number[]) => {
    const e = await PhysicsEngine.create();
    e.setRegion(room(1, { size: v3(100, 4, 100), triggers: [{ triggerId: 77, position: v3(0, 1, -3), halfExtents: v3(1, 1, 0.2) }] }));
    e.addCharacter({ regionId: 1, entityId: ME, position: v3(0, 0, 0) });
    const triggers = [];
    let last;
    for (const [i, dt] of dts.entries()) {
      const result = e.step({ tick: i + 1, dt, regions: [{ regionId: 1, inputs: i === 0 ? [go(ME, 0, -4)] : [] }], wait: false });
      triggers.push(...result.triggers);
      last = result.bodies.find((b) => b.entityId === ME)!.position!;
    }
    e.close();
    return { z: last!.z, triggers };
  };

  it('a step covering ten ticks moves a character as far as ten ticks do, through the same triggers', async () => {
    const ticked = await walk(Array.from({ length: 20 }, () => 0.05)); // 1 s at 4 m/s
    const merged = await walk([0.05, 0.5, 0.45]); // the same second, mostly in two late steps
    assert.ok(Math.abs(ticked.z + 4) < 0.01, `1 s at 4 m/s north: z=${ticked.z}`);
    assert.ok(Math.abs(merged.z - ticked.z) < 1e-3, `as far as the ticks: ${merged.z} vs ${ticked.z}`);
    assert.deepEqual(merged.triggers.map((t) => t.phase), ['enter', 'leave'], 'a thin trigger is not stepped over');
  });

  it('catches up at most MAX_CATCHUP of a hopelessly late step', async () => {
    const late = await walk([0.05, 30]);
    assert.ok(Math.abs(late.z + 4 * (0.05 + MAX_CATCHUP)) < 0.01, `30 s asked, ${MAX_CATCHUP} s simulated: z=${late.z}`);
  });
});

describe('regions and bodies', () => {
  it('two regions are independent: a crowd in one does not change the other', async () => {
    const path = async (crowd: number) => {
      const e = await PhysicsEngine.create();
      e.setRegion(room(1, { boxes: [{ position: v3(2, 0.1, 0), halfExtents: v3(0.5, 0.1, 0.5) }] }));
      e.addCharacter({ regionId: 1, entityId: ME, position: v3(0, 0, 0) });
      e.setRegion(room(2));
      for (let i = 0; i < crowd; i++) e.addCharacter({ regionId: 2, entityId: 1000 + i, position: v3((i % 15) - 7, 0, Math.floor(i / 15) - 7) });
      const steps = [];
      for (let t = 1; t <= 40; t++) {
        const result = e.step({ tick: t, dt: 0.05, wait: false, regions: [
          { regionId: 1, inputs: t === 1 ? [go(ME, 3, 1)] : [] },
          { regionId: 2, inputs: Array.from({ length: crowd }, (_, i) => go(1000 + i, Math.sin(t + i) * 5, Math.cos(t * i) * 5)) },
        ] });
        steps.push(result.bodies.filter((b) => b.regionId === 1));
      }
      e.close();
      return steps;
    };
    assert.deepEqual(await path(200), await path(0));
  });

  it('a dynamic box falls, comes to rest on the floor, and stops being reported', () => {
    engine.setRegion(room(R));
    engine.addBody({ regionId: R, entityId: 5, position: v3(1, 3, 1), boxHalfExtents: v3(0.25, 0.25, 0.25), mass: 10 });
    engine.addBody({ regionId: R, entityId: 6, position: v3(-1, 2, -1), sphereRadius: 0.2, mass: 0 });
    // Nobody is listed: the region still steps while its bodies move.
    const results = Array.from({ length: 200 }, (_, t) => engine.step({ tick: t + 1, dt: 0.05, regions: [], wait: false }));
    const boxes = results.flatMap((s) => s.bodies.filter((b) => b.entityId === 5));
    const rest = boxes.at(-1)!;
    assert.ok(Math.abs(rest.position!.y - 0.25) < 0.02, `resting on the floor: y=${rest.position!.y}`);
    assert.ok(Math.hypot(rest.velocity!.x, rest.velocity!.y, rest.velocity!.z) < 0.05);
    assert.ok(boxes.length < 200, 'asleep bodies are not reported every tick');
    assert.equal(results.at(-1)!.bodies.length, 0);
  });

  it('replacing a room\'s geometry keeps the players and bodies in it', () => {
    engine.setRegion(room(R));
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    engine.addBody({ regionId: R, entityId: 5, position: v3(2, 2, 3), sphereRadius: 0.2, mass: 1 });
    run(engine, R, 5, [go(ME, 1, 0)]);
    engine.setRegion(room(R, { boxes: [{ position: v3(3, 0.5, 0), halfExtents: v3(0.5, 0.5, 2) }] }));
    const r = run(engine, R, 60);
    assert.ok(position(r, ME).x > 2 && position(r, ME).x < 2.5, `walks on, into the new box: ${position(r, ME).x}`);
    assert.ok(Number.isFinite(position(r, 5).y) && Math.abs(position(r, 5).y - 0.2) < 0.05, 'the ball landed');
  });

  it('a character walking into a box pushes it', () => {
    engine.setRegion(room(R));
    engine.addBody({ regionId: R, entityId: 5, position: v3(2, 0.25, 0), boxHalfExtents: v3(0.25, 0.25, 0.25), mass: 5 });
    engine.addCharacter({ regionId: R, entityId: ME, position: v3(0, 0, 0) });
    const r = run(engine, R, 40, [go(ME, 3, 0)]);
    assert.ok(position(r, 5).x > 2.5, `the box moved east: x=${position(r, 5).x}`);
  });
});
