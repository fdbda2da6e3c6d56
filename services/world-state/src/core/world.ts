// The authoritative object store: objects by id, contents by container, and what changed since the last save.
import type { WorldObject } from '@loom/proto';
import type { ObjectKind } from '@loom/world';
import { fromRecord, toRecord, type WorldObj } from './model.ts';

export interface NewObject {
  name: string;
  kind: ObjectKind;
  locationId?: number;
  ownerId?: number;
  description?: string;
  aliases?: string[];
  destinationId?: number;
  flags?: string[];
  attributes?: Record<string, unknown>;
}

export interface SaveBatch {
  objects: WorldObject[];
  deletedIds: number[];
}

export class World {
  private readonly objects = new Map<number, WorldObj>();
  private readonly contents = new Map<number, Set<number>>();
  private dirty = new Set<number>();
  private deleted = new Set<number>();

  /** `nextId` hands out ids reserved from the database, so none is ever reused. */
  constructor(
    private readonly nextId: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fills an empty world from stored records; nothing becomes dirty. */
  load(records: Iterable<WorldObject>): void {
    for (const record of records) this.index(fromRecord(record));
  }

  get size(): number {
    return this.objects.size;
  }

  get(id: number): WorldObj | undefined {
    return this.objects.get(id);
  }

  all(): IterableIterator<WorldObj> {
    return this.objects.values();
  }

  /** Where new players arrive and the displaced go: the room flagged `start`, else the first room. */
  startRoom(): WorldObj | undefined {
    let first: WorldObj | undefined;
    for (const object of this.objects.values()) {
      if (object.kind !== 'room') continue;
      if (object.flags.has('start')) return object;
      first ??= object;
    }
    return first;
  }

  contentsOf(id: number): WorldObj[] {
    return [...(this.contents.get(id) ?? [])].map((child) => this.objects.get(child)!);
  }

  create(spec: NewObject): WorldObj {
    const now = this.now();
    const object: WorldObj = {
      id: this.nextId(),
      name: spec.name,
      aliases: spec.aliases ?? [],
      description: spec.description ?? '',
      ownerId: spec.ownerId ?? 0,
      kind: spec.kind,
      locationId: spec.locationId ?? 0,
      destinationId: spec.destinationId ?? 0,
      flags: new Set(spec.flags ?? []),
      attributes: spec.attributes ?? {},
      components: {},
      createdAtMs: now,
      updatedAtMs: now,
    };
    this.index(object);
    this.touch(object);
    return object;
  }

  /** Moves an object into another; refuses to put a container inside itself. */
  move(object: WorldObj, destinationId: number): void {
    for (let at = destinationId; at !== 0; at = this.objects.get(at)?.locationId ?? 0) {
      if (at === object.id) throw new Error(`cannot move #${object.id} into itself`);
    }
    this.contents.get(object.locationId)?.delete(object.id);
    object.locationId = destinationId;
    this.contentsSet(destinationId).add(object.id);
    this.touch(object);
  }

  /** Records that an object changed, for the next save. */
  touch(object: WorldObj): void {
    object.updatedAtMs = this.now();
    this.dirty.add(object.id);
  }

  destroy(object: WorldObj): void {
    this.contents.get(object.locationId)?.delete(object.id);
    this.objects.delete(object.id);
    this.dirty.delete(object.id);
    this.deleted.add(object.id);
  }

  /** What changed since the last call: the batch to write behind. */
  takeChanges(): SaveBatch {
    const batch = {
      objects: [...this.dirty].map((id) => toRecord(this.objects.get(id)!)),
      deletedIds: [...this.deleted],
    };
    this.dirty = new Set();
    this.deleted = new Set();
    return batch;
  }

  /** Puts a batch that could not be saved back, unless newer changes superseded it. */
  restoreChanges(batch: SaveBatch): void {
    for (const record of batch.objects) if (this.objects.has(record.id)) this.dirty.add(record.id);
    for (const id of batch.deletedIds) if (!this.objects.has(id)) this.deleted.add(id);
  }

  get pendingChanges(): number {
    return this.dirty.size + this.deleted.size;
  }

  private index(object: WorldObj): void {
    this.objects.set(object.id, object);
    this.contentsSet(object.locationId).add(object.id);
  }

  private contentsSet(id: number): Set<number> {
    let set = this.contents.get(id);
    if (!set) this.contents.set(id, (set = new Set()));
    return set;
  }
}
