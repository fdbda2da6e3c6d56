// Undoing a script run's changes to the world: a run's effects are kept together or not at all.
import type { Components } from '../ecs.ts';
import type { WorldObj } from '../model.ts';
import type { World } from '../world.ts';

interface Before {
  name: string;
  description: string;
  locationId: number;
  flags: Set<string>;
  attributes: Record<string, unknown>;
  components: WorldObj['components'];
}

/**
 * What objects were before a run changed them. An effect keeps (`before`) every object it is about
 * to change and reports what it creates; `undo` puts the world back as it was.
 */
export class RunUndo {
  private readonly kept = new Map<WorldObj, Before>();
  private readonly created: WorldObj[] = [];

  constructor(
    private readonly world: World,
    private readonly components: Components,
  ) {}

  /** Call before changing `object`: the first call of a run keeps its state. */
  before(object: WorldObj): void {
    if (this.kept.has(object)) return;
    this.kept.set(object, {
      name: object.name,
      description: object.description,
      locationId: object.locationId,
      flags: new Set(object.flags),
      attributes: structuredClone(object.attributes),
      components: structuredClone(object.components),
    });
  }

  made(object: WorldObj): void {
    this.created.push(object);
  }

  undo(): void {
    for (const object of this.created.reverse()) this.world.destroy(object);
    for (const [object, before] of this.kept) {
      if (object.locationId !== before.locationId) this.world.move(object, before.locationId);
      object.name = before.name;
      object.description = before.description;
      object.flags = before.flags;
      object.attributes = before.attributes;
      this.components.restore(object, before.components);
    }
  }
}
