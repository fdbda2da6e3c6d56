// The in-memory shape of a world object (DESIGN.md §1) and its conversion to and from the stored record.
import type { WorldObject } from '@loom/proto';
import type { ObjectKind } from '@loom/world';

export interface WorldObj {
  readonly id: number;
  name: string;
  aliases: string[];
  description: string;
  ownerId: number;
  kind: ObjectKind;
  locationId: number;
  /** For exits: the room the exit leads to; 0 = unlinked. */
  destinationId: number;
  flags: Set<string>;
  attributes: Record<string, unknown>;
  /** ECS components kept with the object (Transform, Renderable...); per-tick ones are not saved. */
  components: Record<string, unknown>;
  createdAtMs: number;
  updatedAtMs: number;
}

export function fromRecord(record: WorldObject): WorldObj {
  return {
    id: record.id,
    name: record.name,
    aliases: [...record.aliases],
    description: record.description,
    ownerId: record.ownerId,
    kind: record.kind as ObjectKind,
    locationId: record.locationId,
    destinationId: record.destinationId,
    flags: new Set(record.flags),
    attributes: { ...(record.attributes ?? {}) },
    components: { ...(record.components ?? {}) },
    createdAtMs: record.createdAtMs,
    updatedAtMs: record.updatedAtMs,
  };
}

export function toRecord(object: WorldObj): WorldObject {
  return {
    id: object.id,
    name: object.name,
    aliases: [...object.aliases],
    description: object.description,
    ownerId: object.ownerId,
    kind: object.kind,
    locationId: object.locationId,
    destinationId: object.destinationId,
    flags: [...object.flags].sort(),
    attributes: structuredClone(object.attributes),
    components: structuredClone(object.components),
    createdAtMs: object.createdAtMs,
    updatedAtMs: object.updatedAtMs,
  };
}

/** `Ada (#12)` for people who may see ids, `Ada` for the others. */
export function label(object: WorldObj, withId: boolean): string {
  return withId ? `${object.name} (#${object.id})` : object.name;
}
