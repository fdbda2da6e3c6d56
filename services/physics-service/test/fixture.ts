// Shared by the physics tests: rooms described as RegionSpec, and ticks run on an engine directly.
import type { BodyState, CharacterInput, DoorwayEvent, RegionSpec, StepResult, TriggerEvent, Vec3 } from '@loom/proto';
import type { PhysicsEngine } from '../src/core/engine.ts';

export const DT = 1 / 20;

export function room(regionId: number, extra: Partial<RegionSpec> = {}): RegionSpec {
  return { regionId, size: undefined, doorways: [], boxes: [], triggers: [], ...extra };
}

export const v3 = (x: number, y: number, z: number): Vec3 => ({ x, y, z });

export interface Run {
  results: StepResult[];
  /** Each entity's newest state. */
  last: Map<number, BodyState>;
  triggers: TriggerEvent[];
  doorways: DoorwayEvent[];
}

let tick = 0;

/** `ticks` steps of one region; `inputs` are sent on the first tick only (an input holds). */
export function run(engine: PhysicsEngine, regionId: number, ticks: number, inputs: CharacterInput[] = []): Run {
  const out: Run = { results: [], last: new Map(), triggers: [], doorways: [] };
  for (let i = 0; i < ticks; i++) {
    const result = engine.step({ tick: ++tick, dt: DT, regions: [{ regionId, inputs: i === 0 ? inputs : [] }], wait: false });
    out.results.push(result);
    for (const b of result.bodies) out.last.set(b.entityId, b);
    out.triggers.push(...result.triggers);
    out.doorways.push(...result.doorways);
  }
  return out;
}

export const go = (entityId: number, x: number, z: number, jump = false): CharacterInput => ({ entityId, desiredVelocity: v3(x, 0, z), jump });

export function position(r: Run, entityId: number): Vec3 {
  const b = r.last.get(entityId);
  if (!b?.position) throw new Error(`entity ${entityId} was never reported`);
  return b.position;
}
