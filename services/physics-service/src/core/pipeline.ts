// The two merges that make Step pipelined without losing anything:
// - ticks that arrive while the physics thread is still busy become one step (coalesce), so a slow
//   step never builds a queue: the newest input of each character wins, a jump asked in any of them
//   is kept, and the step covers their summed dt (simulated in substeps by the engine);
// - steps that finish between two Step calls are answered together (merge): every trigger and doorway
//   event of each, and each body's newest state.
import type { CharacterInput, StepRequest, StepResult } from '@loom/proto';
import { DEFAULT_DT, sanitize } from './input.ts';

export function coalesce(older: StepRequest, newer: StepRequest): StepRequest {
  const byRegion = new Map<number, Map<number, CharacterInput>>();
  for (const request of [older, newer]) {
    for (const { regionId, inputs } of request.regions) {
      let held = byRegion.get(regionId);
      if (!held) byRegion.set(regionId, (held = new Map()));
      for (const input of inputs) {
        if (!sanitize(input)) continue; // garbage must not hide the valid input before it
        const jump = input.jump || held.get(input.entityId)?.jump === true;
        held.set(input.entityId, { ...input, jump });
      }
    }
  }
  return {
    tick: newer.tick,
    dt: (older.dt || DEFAULT_DT) + (newer.dt || DEFAULT_DT),
    regions: [...byRegion].map(([regionId, held]) => ({ regionId, inputs: [...held.values()] })),
    wait: false,
  };
}

export function merge(older: StepResult, newer: StepResult): StepResult {
  const bodies = new Map<string, StepResult['bodies'][number]>();
  for (const b of [...older.bodies, ...newer.bodies]) bodies.set(`${b.regionId}:${b.entityId}`, b);
  return {
    ...newer,
    bodies: [...bodies.values()],
    triggers: [...older.triggers, ...newer.triggers],
    doorways: [...older.doorways, ...newer.doorways],
  };
}

export function nothingNew(tick: number): StepResult {
  return { tick, bodies: [], triggers: [], stepMs: 0, doorways: [], regions: [], missingRegions: [] };
}
