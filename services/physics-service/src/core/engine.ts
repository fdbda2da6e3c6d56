// All the regions of one physics thread, and the operations the contract offers on them. Synchronous
// and thread-agnostic: the worker runs it, and so can a test or a benchmark directly.
import RAPIER from '@dimforge/rapier3d-compat';
import type { AddBodyRequest, AddCharacterRequest, EntityRef, RegionRef, RegionSpec, StepRequest, StepResult } from '@loom/proto';
import { PhysicsError } from './errors.ts';
import { layoutOf } from './geometry.ts';
import { sanitize, substeps } from './input.ts';
import { Region, type StepOut } from './region.ts';

let loaded: Promise<void> | undefined;
/** Rapier's WASM instantiates once per thread (about 100 ms). */
export function loadRapier(): Promise<void> {
  loaded ??= RAPIER.init();
  return loaded;
}

export class PhysicsEngine {
  private readonly regions = new Map<number, Region>();

  static async create(): Promise<PhysicsEngine> {
    await loadRapier();
    return new PhysicsEngine();
  }

  setRegion(spec: RegionSpec): void {
    const layout = layoutOf(spec); // validates before anything changes
    const region = this.regions.get(spec.regionId);
    if (region) region.setLayout(layout);
    else this.regions.set(spec.regionId, new Region(spec.regionId, layout));
  }

  removeRegion({ regionId }: RegionRef): void {
    this.regions.get(regionId)?.free();
    this.regions.delete(regionId);
  }

  addCharacter({ regionId, entityId, position }: AddCharacterRequest): void {
    const p = position ?? { x: 0, y: 0, z: 0 };
    if (![p.x, p.y, p.z].every(Number.isFinite)) throw new PhysicsError('INVALID_ARGUMENT', 'a character needs a finite position');
    this.region(regionId).addCharacter(entityId, p);
  }

  removeCharacter({ regionId, entityId }: EntityRef): void {
    this.regions.get(regionId)?.removeEntity(entityId);
  }

  addBody(request: AddBodyRequest): void {
    const p = request.position;
    if (p && ![p.x, p.y, p.z].every(Number.isFinite)) throw new PhysicsError('INVALID_ARGUMENT', 'a body needs a finite position');
    this.region(request.regionId).addBody(request);
  }

  removeBody({ regionId, entityId }: EntityRef): void {
    this.regions.get(regionId)?.removeEntity(entityId);
  }

  step(request: StepRequest): StepResult {
    const start = performance.now();
    const dts = substeps(request.dt);
    const out: StepOut = { bodies: [], triggers: [], doorways: [], regions: [] };
    const missing: number[] = [];
    const stepped = new Set<number>();
    for (const { regionId, inputs } of request.regions) {
      const region = this.regions.get(regionId);
      if (!region) {
        if (!missing.includes(regionId)) missing.push(regionId);
        continue;
      }
      for (const input of inputs) {
        const held = sanitize(input);
        if (held) region.hold(input.entityId, held);
      }
      stepped.add(regionId);
    }
    for (const region of this.regions.values()) {
      if (stepped.has(region.id) || region.active) region.step(dts, out);
    }
    return { tick: request.tick, ...out, stepMs: performance.now() - start, missingRegions: missing };
  }

  private region(regionId: number): Region {
    const region = this.regions.get(regionId);
    if (!region) throw new PhysicsError('NOT_FOUND', `no region ${regionId}: SetRegion first`);
    return region;
  }

  close(): void {
    for (const region of this.regions.values()) region.free();
    this.regions.clear();
  }
}

/** The operations a physics thread answers, by name: what crosses the worker boundary. */
export type PhysicsOps = Pick<PhysicsEngine, 'setRegion' | 'removeRegion' | 'addCharacter' | 'removeCharacter' | 'addBody' | 'removeBody' | 'step'>;
export type OpName = keyof PhysicsOps;
