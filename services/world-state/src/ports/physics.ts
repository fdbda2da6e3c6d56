// physics-service as world-state uses it: rooms as regions, 3D characters, one batched step per tick.
import type { ServiceClient } from '@loom/runtime';
import { regionOf, type PhysicsPort } from '../core/embodiment.ts';

export function physicsPort(physics: ServiceClient<'physics-service'>): PhysicsPort {
  return {
    async setRegion(room, exits, triggers, boxes) {
      const { size, doorways } = regionOf(room, exits);
      await physics.setRegion({
        regionId: room.id,
        size,
        doorways,
        boxes,
        triggers: triggers.map((t) => ({ triggerId: t.id, position: t.position, halfExtents: t.halfExtents })),
      });
    },
    async addCharacter(regionId, entityId, position) {
      await physics.addCharacter({ regionId, entityId, position });
    },
    async addBody(regionId, entityId, position, halfExtents) {
      await physics.addBody({ regionId, entityId, position, boxHalfExtents: halfExtents, mass: 10 });
    },
    async removeCharacter(regionId, entityId) {
      await physics.removeCharacter({ regionId, entityId });
    },
    step(tick, dt, inputs) {
      const regions = [...inputs].map(([regionId, moves]) => ({
        regionId,
        inputs: moves.map((m) => ({ entityId: m.entityId, desiredVelocity: m.velocity, jump: m.jump })),
      }));
      return physics.step({ tick, dt, regions, wait: false });
    },
  };
}
