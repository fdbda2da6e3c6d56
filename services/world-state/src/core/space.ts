// Rooms in space (DESIGN.md §1): a room is a box with its floor at y = 0, centred on x = z = 0; north is -z.
// Exits have doorways in the walls their direction names; text players stand at the spawn point or just
// inside the doorway they came through, so 3D players see them where the story puts them.
import type { Components } from './ecs.ts';
import type { WorldObj } from './model.ts';

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export interface Transform extends Vec3 {
  /** Radians; 0 faces north (-z). */
  yaw: number;
}

export type Wall = 'north' | 'south' | 'east' | 'west';

export interface Doorway {
  wall: Wall;
  /** Centre of the gap along the wall, from the wall's middle (m). */
  offset: number;
  width: number;
  height: number;
}

export const defaultRoomSize: Vec3 = { x: 20, y: 4, z: 20 };
const doorwayWidth = 2;
const doorwayHeight = 3;

const wallOf: Record<string, Wall> = {
  north: 'north', n: 'north', south: 'south', s: 'south', east: 'east', e: 'east', west: 'west', w: 'west',
  northeast: 'north', ne: 'north', northwest: 'north', nw: 'north', southeast: 'south', se: 'south', southwest: 'south', sw: 'south',
};
const cornerOffset: Record<string, number> = { northeast: 1, ne: 1, southeast: 1, se: 1, northwest: -1, nw: -1, southwest: -1, sw: -1 };
const yawFacing: Record<Wall, number> = { north: 0, east: -Math.PI / 2, south: Math.PI, west: Math.PI / 2 };

function vec(value: unknown, fallback: Vec3): Vec3 {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((n) => typeof n === 'number' && Number.isFinite(n))) return fallback;
  return { x: value[0] as number, y: value[1] as number, z: value[2] as number };
}

/** A room's size (attribute `size`: [width, height, depth] in m, each 2 to 200) and spawn point (attribute `spawn`). */
export function roomGeometry(room: WorldObj): { size: Vec3; spawn: Vec3 } {
  const asked = vec(room.attributes.size, defaultRoomSize);
  const size = { x: clamp(asked.x, 2, 200), y: clamp(asked.y, 2, 50), z: clamp(asked.z, 2, 200) };
  const spawn = vec(room.attributes.spawn, { x: 0, y: 0, z: 0 });
  return { size, spawn: { x: clamp(spawn.x, -size.x / 2 + 0.5, size.x / 2 - 0.5), y: 0, z: clamp(spawn.z, -size.z / 2 + 0.5, size.z / 2 - 0.5) } };
}

/**
 * Where an exit's doorway is: the attribute `doorway` ({wall, offset}) when a builder set one, else the wall its
 * name says (north, ne...) at the middle or towards the named corner. up, down and other names have no wall;
 * they get doorways along the north wall's west end, one after another.
 */
export function doorwayOf(exit: WorldObj, room: WorldObj, exitsOfRoom: WorldObj[]): Doorway {
  const { size } = roomGeometry(room);
  const set = exit.attributes.doorway as { wall?: unknown; offset?: unknown } | undefined;
  const name = exit.name.toLowerCase();
  let wall: Wall = wallOf[name] ?? 'north';
  let offset = (cornerOffset[name] ?? 0) * (size.x / 4);
  if (!wallOf[name]) {
    const others = exitsOfRoom.filter((e) => !wallOf[e.name.toLowerCase()]);
    offset = -size.x / 2 + 2 + others.indexOf(exit) * (doorwayWidth + 1);
  }
  if (set && typeof set.wall === 'string' && set.wall in yawFacing) wall = set.wall as Wall;
  if (set && typeof set.offset === 'number' && Number.isFinite(set.offset)) offset = set.offset;
  const along = wall === 'north' || wall === 'south' ? size.x : size.z;
  return { wall, offset: clamp(offset, -along / 2 + doorwayWidth / 2, along / 2 - doorwayWidth / 2), width: doorwayWidth, height: doorwayHeight };
}

/** A point just inside a doorway, facing into the room. */
export function insideDoorway(room: WorldObj, doorway: Doorway): Transform {
  const { size } = roomGeometry(room);
  const inset = 1.5;
  switch (doorway.wall) {
    case 'north':
      return { x: doorway.offset, y: 0, z: -size.z / 2 + inset, yaw: Math.PI };
    case 'south':
      return { x: doorway.offset, y: 0, z: size.z / 2 - inset, yaw: 0 };
    case 'east':
      return { x: size.x / 2 - inset, y: 0, z: doorway.offset, yaw: Math.PI / 2 };
    case 'west':
      return { x: -size.x / 2 + inset, y: 0, z: doorway.offset, yaw: -Math.PI / 2 };
  }
}

/** Stands a character in a room: by the doorway of `arrivedBy` (the exit back where it came from), or at the spawn. */
export function standIn(components: Components, player: WorldObj, room: WorldObj, exitsOfRoom: WorldObj[], arrivedBy?: WorldObj): void {
  const transform = arrivedBy ? insideDoorway(room, doorwayOf(arrivedBy, room, exitsOfRoom)) : { ...roomGeometry(room).spawn, yaw: 0 };
  components.set(player, 'transform', transform);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
