// Snapshot delta compression (Quake 3 style): the sender encodes a snapshot against the newest
// one the receiver acknowledged, sending only entities that changed, and per entity only the
// fields that changed (a bitmask says which). Values are already quantized integers, so the
// receiver rebuilds the sender's snapshot exactly.
import { DecodeError, Reader, Writer } from './bytes.ts';
import { POSITION_MAX, POSITION_MIN } from './quantize.ts';

export interface EntityState {
  id: number; // u32
  x: number; // i24 centimetres (see quantize.ts)
  y: number;
  z: number;
  yaw: number; // u16 turn steps
  flags: number; // u16, meaning defined by the game messages
}

export interface Snapshot {
  tick: number; // u32
  entities: EntityState[]; // ascending id
}

/** Baseline tick meaning "none: every entity is new". */
export const NO_BASELINE = 0xffffffff;
/** The sender deltas only against baselines at most this many ticks old; receivers keep that long. */
export const BASELINE_MAX_AGE_TICKS = 128;

const FIELDS = ['x', 'y', 'z', 'yaw', 'flags'] as const;
const ALL_FIELDS = (1 << FIELDS.length) - 1;
const ZERO = { x: 0, y: 0, z: 0, yaw: 0, flags: 0 };

/** Encodes `snapshot` against `baseline` (undefined: a full snapshot). Throws RangeError on bad values. */
export function encodeDelta(snapshot: Snapshot, baseline?: Snapshot): Uint8Array {
  const current = sortedById(snapshot.entities);
  const before = new Map((baseline?.entities ?? []).map((e) => [e.id, e]));
  const w = new Writer(512);
  w.u32(snapshot.tick).u32(baseline ? baseline.tick : NO_BASELINE);
  const currentIds = new Set(current.map((e) => e.id));
  const removed = [...before.keys()].filter((id) => !currentIds.has(id)).sort((a, b) => a - b);
  w.u16(removed.length);
  for (const id of removed) w.u32(id);
  const changed: { entity: EntityState; mask: number }[] = [];
  for (const entity of current) {
    const old = before.get(entity.id);
    const mask = changedFields(entity, old ?? ZERO);
    if (!old || mask !== 0) changed.push({ entity, mask });
  }
  w.u16(changed.length);
  for (const { entity, mask } of changed) {
    w.u32(entity.id).u8(mask);
    if (mask & 1) w.i24(position(entity.x));
    if (mask & 2) w.i24(position(entity.y));
    if (mask & 4) w.i24(position(entity.z));
    if (mask & 8) w.u16(entity.yaw);
    if (mask & 16) w.u16(entity.flags);
  }
  return w.finish();
}


/** Rebuilds a snapshot; `baselines` finds the one the delta names. Never throws on bad bytes. */
export function decodeDelta(bytes: Uint8Array, baselines: (tick: number) => Snapshot | undefined): Snapshot | DecodeError {
  try {
    return decodeOrThrow(bytes, baselines);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

function decodeOrThrow(bytes: Uint8Array, baselines: (tick: number) => Snapshot | undefined): Snapshot {
  const r = new Reader(bytes);
  const tick = r.u32('tick');
  const baselineTick = r.u32('baseline tick');
  const baseline = baselineTick === NO_BASELINE ? undefined : baselines(baselineTick);
  if (baselineTick !== NO_BASELINE && !baseline) throw new DecodeError('no_baseline', `baseline snapshot ${baselineTick} is not held`);
  const entities = new Map((baseline?.entities ?? []).map((e) => [e.id, e]));
  const removedCount = r.u16('removed count');
  let previous = -1;
  for (let i = 0; i < removedCount; i++) {
    const id = ascending(r.u32('removed id'), previous);
    if (!entities.delete(id)) throw new DecodeError('malformed', `removed entity ${id} is not in the baseline`);
    previous = id;
  }
  const changedCount = r.u16('entity count');
  previous = -1;
  for (let i = 0; i < changedCount; i++) {
    const id = ascending(r.u32('entity id'), previous);
    previous = id;
    const mask = r.u8('field mask');
    if (mask & ~ALL_FIELDS) throw new DecodeError('malformed', `entity ${id}: unknown field bits ${mask.toString(2)}`);
    const old = entities.get(id) ?? { id, ...ZERO };
    entities.set(id, {
      id,
      x: mask & 1 ? r.i24('x') : old.x,
      y: mask & 2 ? r.i24('y') : old.y,
      z: mask & 4 ? r.i24('z') : old.z,
      yaw: mask & 8 ? r.u16('yaw') : old.yaw,
      flags: mask & 16 ? r.u16('flags') : old.flags,
    });
  }
  r.end('snapshot delta');
  return { tick, entities: sortedById([...entities.values()]) };
}

function ascending(id: number, previous: number): number {
  if (id <= previous) throw new DecodeError('malformed', `entity ids must ascend (${id} after ${previous})`);
  return id;
}

function changedFields(now: Omit<EntityState, 'id'>, before: Omit<EntityState, 'id'>): number {
  let mask = 0;
  FIELDS.forEach((field, bit) => {
    if (now[field] !== before[field]) mask |= 1 << bit;
  });
  return mask;
}

function position(v: number): number {
  if (v < POSITION_MIN || v > POSITION_MAX) throw new RangeError(`position ${v} outside i24; quantize it first`);
  return v;
}

function sortedById(entities: EntityState[]): EntityState[] {
  const out = [...entities].sort((a, b) => a.id - b.id);
  for (let i = 1; i < out.length; i++) if (out[i]!.id === out[i - 1]!.id) throw new RangeError(`entity ${out[i]!.id} appears twice`);
  return out;
}

/**
 * Snapshots kept as possible baselines, by tick. The sender keeps what it sent and picks the
 * acked one; the receiver keeps what it decoded. Both drop ticks older than the age limit, and
 * the sender never names one that old, so a named baseline is always still held.
 */
export class SnapshotHistory {
  private readonly byTick = new Map<number, Snapshot>();
  private newest = -1;

  constructor(readonly maxAgeTicks = BASELINE_MAX_AGE_TICKS) {}

  add(snapshot: Snapshot): void {
    this.byTick.set(snapshot.tick, snapshot);
    if (snapshot.tick > this.newest) this.newest = snapshot.tick;
    for (const tick of this.byTick.keys()) if (tick < this.newest - this.maxAgeTicks) this.byTick.delete(tick);
  }

  get(tick: number): Snapshot | undefined {
    return this.byTick.get(tick);
  }

  /** The baseline to delta `currentTick` against, given the tick the peer last acked. */
  baselineFor(ackedTick: number | undefined, currentTick: number): Snapshot | undefined {
    if (ackedTick === undefined || currentTick - ackedTick > this.maxAgeTicks) return undefined;
    return this.byTick.get(ackedTick);
  }
}
