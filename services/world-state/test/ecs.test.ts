// Components of a loaded world: what was saved with an object is seen by the systems after a restart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Components } from '../src/core/ecs.ts';
import { World } from '../src/core/world.ts';

describe('components after a load', () => {
  it('indexes the timers and transforms of objects loaded after the index was made (the engine loads after it starts)', () => {
    let id = 0;
    const saved = new World(() => ++id);
    const clock = saved.create({ name: 'clock', kind: 'thing' });
    clock.components.timers = [{ dueMs: 1000, event: 'on_timer' }];
    const statue = saved.create({ name: 'statue', kind: 'thing' });
    statue.components.transform = { x: 1, y: 0, z: 2, yaw: 0 };
    const records = saved.takeChanges().objects;

    const world = new World(() => ++id);
    const components = new Components(world);
    world.load(records);
    components.indexAll();
    assert.deepEqual([...components.with('timers')].map((o) => o.name), ['clock']);
    assert.deepEqual([...components.with('transform')].map((o) => o.name), ['statue']);
  });
});
