// The physics worker thread as the service uses it: Step never waits on a running step, late ticks
// are merged instead of queued, and no trigger or doorway event is lost in between.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StepResult } from '@loom/proto';
import { PhysicsThread } from '../src/core/physics-thread.ts';
import { go, room, v3 } from './fixture.ts';

const HEAVY = 1;
const LIGHT = 2;
let thread: PhysicsThread;
let tick = 0;

before(async () => {
  thread = await PhysicsThread.start();
  // 1,000 characters among 1,000 boxes: tens of milliseconds per step on one core.
  const boxes = Array.from({ length: 1000 }, (_, i) => ({ position: v3((i % 40) * 2 - 39, 0.5, Math.floor(i / 40) * 2 - 24.5), halfExtents: v3(0.3, 0.5, 0.3) }));
  await thread.call('setRegion', room(HEAVY, { size: v3(80, 4, 52), boxes }));
  for (let i = 0; i < 1000; i++) await thread.call('addCharacter', { regionId: HEAVY, entityId: 10_000 + i, position: v3((i % 40) * 2 - 38, 0, Math.floor(i / 40) * 2 - 24) });
  await thread.call('setRegion', room(LIGHT, { doorways: [{ wall: 'north', offset: 0, width: 2, height: 3 }] }));
});
after(() => thread.close());

const crowdInputs = () => Array.from({ length: 1000 }, (_, i) => go(10_000 + i, Math.sin(tick + i) * 4, Math.cos(tick + i) * 4));

describe('the physics thread', () => {
  it('keeps answering Step while a heavy region steps', async () => {
    let heavyDone = false;
    const heavy = thread.step({ tick: ++tick, dt: 0.05, regions: [{ regionId: HEAVY, inputs: crowdInputs() }], wait: true }).then((r) => {
      heavyDone = true;
      return r;
    });
    // The service's main thread is free meanwhile: timers run and the next Step answers at once.
    await new Promise((resolve) => setImmediate(resolve));
    const meanwhile = await thread.step({ tick: ++tick, dt: 0.05, regions: [{ regionId: LIGHT, inputs: [] }], wait: false });
    assert.equal(heavyDone, false, 'answered before the heavy step finished');
    assert.ok(meanwhile.tick < tick, 'says it is an older result (or none)');
    assert.equal(meanwhile.bodies.length, 0);
    const done = await heavy;
    assert.ok(done.tick >= tick - 1);
    const region = done.regions.find((r) => r.regionId === HEAVY)!;
    assert.equal(region.characters, 1000);
    assert.ok(region.moveMs > 0 && region.stepMs > 0 && done.stepMs >= region.moveMs + region.stepMs, 'says where the time went');
  });

  it('merges ticks that arrive while it is busy into one step', async () => {
    const before = thread.coalesced;
    const answers: StepResult[] = [];
    for (let i = 0; i < 5; i++) answers.push(await thread.step({ tick: ++tick, dt: 0.05, regions: [{ regionId: HEAVY, inputs: crowdInputs() }], wait: false }));
    const last = await thread.step({ tick: ++tick, dt: 0.05, regions: [], wait: true });
    assert.ok(thread.coalesced > before, 'some ticks were merged');
    assert.equal(last.tick, tick, 'the merged step carries the newest tick');
    assert.ok(answers.every((a, i) => i === 0 || a.tick <= tick - 1), 'earlier answers said which tick they were');
  });

  it('loses neither time nor a doorway event between merged ticks and pipelined answers', async () => {
    await thread.call('addCharacter', { regionId: LIGHT, entityId: 7, position: v3(0, 0, 0) });
    const doorways = [];
    let z = 0;
    let asked = 0;
    // Rounds of five ticks: the first starts a step (the heavy region rides along, so it is slow), the
    // other four arrive while it runs and are merged into one. What merges depends on no clock.
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < 5; i++) {
        const inputs = round === 0 && i === 0 ? [go(7, 0, -4)] : [];
        const regions = i === 0 ? [{ regionId: LIGHT, inputs }, { regionId: HEAVY, inputs: [] }] : [{ regionId: LIGHT, inputs }];
        const answer = await thread.step({ tick: ++tick, dt: 0.05, regions, wait: false });
        asked += 0.05;
        doorways.push(...answer.doorways);
        z = answer.bodies.find((b) => b.entityId === 7)?.position?.z ?? z;
      }
      const settled = await thread.step({ tick: ++tick, dt: 0.05, regions: [{ regionId: LIGHT, inputs: [] }], wait: true });
      asked += 0.05;
      doorways.push(...settled.doorways);
      z = settled.bodies.find((b) => b.entityId === 7)?.position?.z ?? z;
    }
    assert.ok(thread.coalesced > 0, 'ticks were merged');
    // 16 rounds of 6 ticks: 4.8 s at 4 m/s is 19.2 m north, out of a 20 m room through its doorway.
    assert.ok(Math.abs(z + 4 * asked) < 0.01, `walked as far as the ticks' time: z=${z}, ${asked.toFixed(2)} s asked`);
    assert.deepEqual(doorways, [{ entityId: 7, regionId: LIGHT, doorwayIndex: 0 }]);
  });

  it('answers a bad region spec with a clear error and keeps its regions', async () => {
    await assert.rejects(thread.call('setRegion', room(LIGHT, { size: v3(-1, 4, 20) })), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(thread.call('addBody', { regionId: 99, entityId: 1, position: undefined, sphereRadius: 1, mass: 1 }), { code: 'NOT_FOUND' });
    const r = await thread.step({ tick: ++tick, dt: 0.05, regions: [{ regionId: LIGHT, inputs: [] }], wait: true });
    assert.deepEqual(r.missingRegions, []);
  });
});
