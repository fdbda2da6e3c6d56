// Rooms in space: text players stand at the spawn point, or just inside the doorway they came through.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { doorwayOf, roomGeometry } from '../src/core/space.ts';
import { createTestWorld, type Player, type TestWorld } from './world-fixture.ts';

describe('space', () => {
  let world: TestWorld;
  let pip: Player;
  const room = (name: string) => [...world.game.world.all()].find((o) => o.kind === 'room' && o.name === name)!;
  const transform = () => world.game.components.get(pip.object, 'transform')!;

  beforeEach(() => {
    world = createTestWorld();
    pip = world.connect('Pip');
  });

  it('gives an old text-only room a default size, spawn and doorways on the walls its exits name', () => {
    const square = room('The Loom Square');
    assert.deepEqual(roomGeometry(square), { size: { x: 20, y: 4, z: 20 }, spawn: { x: 0, y: 0, z: 0 } });
    const exits = world.game.exitsOf(square.id);
    const walls = Object.fromEntries(exits.map((e) => [e.name, doorwayOf(e, square, exits).wall]));
    assert.deepEqual(walls, { north: 'north', east: 'east', south: 'south', west: 'west' });
  });

  it('stands a walker just inside the doorway it came through, facing into the room', async () => {
    await world.run(pip, 'north');
    // Weavers' Lane is entered through its south doorway (the way back to the square).
    const t = transform();
    assert.equal(t.x, 0);
    assert.equal(t.z, 20 / 2 - 1.5);
    assert.equal(t.yaw, 0);
    await world.run(pip, 'south');
    assert.equal(transform().z, -20 / 2 + 1.5, 'back in the square, by its north doorway');
  });

  it('follows what builders set: room size, spawn point and doorway places', async () => {
    const ada = world.connect('Ada', 'admin');
    await world.run(ada, '@dig Hall=east,west');
    const hall = room('Hall');
    hall.attributes.size = [40, 6, 10];
    hall.attributes.spawn = [5, 0, 2];
    const into = world.game.exitsOf(hall.id)[0]!;
    into.attributes.doorway = { wall: 'south', offset: -30 };
    assert.deepEqual(roomGeometry(hall).spawn, { x: 5, y: 0, z: 2 });
    assert.deepEqual(doorwayOf(into, hall, [into]), { wall: 'south', offset: -19, width: 2, height: 3 }, 'kept inside the wall');
    hall.attributes.size = ['wide', 1, null];
    assert.deepEqual(roomGeometry(hall).size, { x: 20, y: 4, z: 20 }, 'a nonsense size falls back to the default');
  });
});
