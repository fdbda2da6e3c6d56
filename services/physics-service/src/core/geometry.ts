// A room's static geometry from its RegionSpec: floor, four walls cut by doorway gaps, lintels above
// the gaps, the builder's boxes and the trigger volumes. Pure and Rapier-free, so it is checked
// without a physics world; region.ts turns each box into a collider.
import type { RegionSpec, Vec3 } from '@loom/proto';
import { PhysicsError } from './errors.ts';

export type Wall = 'north' | 'south' | 'east' | 'west';
export interface Box {
  center: Vec3;
  half: Vec3;
}
export interface Gap {
  wall: Wall;
  /** Middle of the gap along the wall's axis (x for north/south, z for east/west). */
  along: number;
  halfWidth: number;
  height: number;
}
export interface Layout {
  size: Vec3;
  solids: Box[];
  gaps: Gap[];
  triggers: Array<Box & { id: number }>;
}

export const WALL_THICKNESS = 0.2;
/** Floor beyond the walls, so a character stepping out through a doorway lands on something. */
export const APRON = 1.5;
const DEFAULT_SIZE = { x: 20, y: 4, z: 20 };
const MAX_SIZE = 1000;
const MAX_BOXES = 20_000;
const WALLS: readonly Wall[] = ['north', 'south', 'east', 'west'];

const finite = (v: Vec3 | undefined): v is Vec3 => !!v && Number.isFinite(v.x) && Number.isFinite(v.y) && Number.isFinite(v.z);

function box(what: string, center: Vec3 | undefined, half: Vec3 | undefined): Box {
  if (!finite(center) || !finite(half) || !(half.x > 0 && half.y > 0 && half.z > 0)) {
    throw new PhysicsError('INVALID_ARGUMENT', `${what} needs a finite position and positive half-extents`);
  }
  return { center: { ...center }, half: { ...half } };
}

export function layoutOf(spec: RegionSpec): Layout {
  const s = spec.size;
  const size = { x: s?.x || DEFAULT_SIZE.x, y: s?.y || DEFAULT_SIZE.y, z: s?.z || DEFAULT_SIZE.z };
  if (![size.x, size.y, size.z].every((v) => Number.isFinite(v) && v > 0 && v <= MAX_SIZE)) {
    throw new PhysicsError('INVALID_ARGUMENT', `room size must be between 0 and ${MAX_SIZE} m on each axis`);
  }
  if (spec.boxes.length + spec.triggers.length > MAX_BOXES) throw new PhysicsError('INVALID_ARGUMENT', `at most ${MAX_BOXES} boxes and triggers per region`);
  const gaps = spec.doorways.map((d, i): Gap => {
    const wall = d.wall as Wall;
    if (!WALLS.includes(wall)) throw new PhysicsError('INVALID_ARGUMENT', `doorway ${i}: wall must be one of ${WALLS.join(', ')}`);
    const halfWidth = (d.width || 2) / 2;
    const height = Math.min(d.height || 3, size.y);
    const halfLength = (wall === 'north' || wall === 'south' ? size.x : size.z) / 2;
    if (!Number.isFinite(d.offset) || !(halfWidth > 0) || !(height > 0) || Math.abs(d.offset) + halfWidth > halfLength) {
      throw new PhysicsError('INVALID_ARGUMENT', `doorway ${i} does not fit in the ${wall} wall`);
    }
    return { wall, along: d.offset, halfWidth, height };
  });
  const hx = size.x / 2;
  const hz = size.z / 2;
  const t = WALL_THICKNESS;
  const solids: Box[] = [{ center: { x: 0, y: -0.25, z: 0 }, half: { x: hx + t + APRON, y: 0.25, z: hz + t + APRON } }];
  for (const wall of WALLS) solids.push(...wallBoxes(wall, size, gaps.filter((g) => g.wall === wall)));
  solids.push(...spec.boxes.map((b, i) => box(`box ${i}`, b.position, b.halfExtents)));
  const triggers = spec.triggers.map((v) => ({ id: v.triggerId, ...box(`trigger ${v.triggerId}`, v.position, v.halfExtents) }));
  return { size, solids, gaps, triggers };
}

/** A wall's solid pieces: the runs between its gaps, plus a lintel over each gap lower than the wall. */
function wallBoxes(wall: Wall, size: Vec3, gaps: Gap[]): Box[] {
  const t = WALL_THICKNESS;
  const alongX = wall === 'north' || wall === 'south';
  // Walls along x run over the corners so that the room is closed where two walls meet.
  const half = (alongX ? size.x / 2 : size.z / 2) + (alongX ? t : 0);
  const across = (alongX ? size.z / 2 : size.x / 2) + t / 2;
  const plane = wall === 'north' || wall === 'west' ? -across : across;
  const piece = (from: number, to: number, y0: number, y1: number): Box => {
    const mid = (from + to) / 2;
    const len = (to - from) / 2;
    const center = alongX ? { x: mid, y: (y0 + y1) / 2, z: plane } : { x: plane, y: (y0 + y1) / 2, z: mid };
    const halfExt = alongX ? { x: len, y: (y1 - y0) / 2, z: t / 2 } : { x: t / 2, y: (y1 - y0) / 2, z: len };
    return { center, half: halfExt };
  };
  const out: Box[] = [];
  let cursor = -half;
  for (const g of [...gaps].sort((a, b) => a.along - b.along)) {
    if (g.along - g.halfWidth > cursor) out.push(piece(cursor, g.along - g.halfWidth, 0, size.y));
    cursor = Math.max(cursor, g.along + g.halfWidth);
    if (g.height < size.y) out.push(piece(g.along - g.halfWidth, g.along + g.halfWidth, g.height, size.y));
  }
  if (cursor < half) out.push(piece(cursor, half, 0, size.y));
  return out;
}

/**
 * The doorway a point stands beyond (past the wall's outer face, within the gap), or -1. Walls block
 * everywhere else, so being past a wall's face inside a gap means the character went through it.
 */
export function doorwayBeyond(layout: Layout, p: Vec3): number {
  const hx = layout.size.x / 2 + WALL_THICKNESS;
  const hz = layout.size.z / 2 + WALL_THICKNESS;
  return layout.gaps.findIndex((g) => {
    const beyond = g.wall === 'north' ? p.z < -hz : g.wall === 'south' ? p.z > hz : g.wall === 'west' ? p.x < -hx : p.x > hx;
    const along = g.wall === 'north' || g.wall === 'south' ? p.x : p.z;
    return beyond && Math.abs(along - g.along) <= g.halfWidth;
  });
}

/** Inside the walls' inner faces: a character that went out through a doorway is re-armed here. */
export function inside(layout: Layout, p: Vec3): boolean {
  return Math.abs(p.x) < layout.size.x / 2 && Math.abs(p.z) < layout.size.z / 2;
}
