// Components: the per-tick data of objects (timers, transforms; bodies with the 3D world), kept in
// each object's `components` (so they are saved with it) and indexed by kind, so that a system visits
// only the objects that have its component, not the whole world, every tick.
import type { WorldObj } from './model.ts';
import type { Transform } from './space.ts';
import type { World } from './world.ts';

export interface TimerEntry {
  /** Wall-clock time it is due (ms), so a timer keeps its moment across a restart. */
  dueMs: number;
  event: string;
}

export interface ComponentTypes {
  timers: TimerEntry[];
  /** Where an object stands in its room (m, radians); see space.ts. */
  transform: Transform;
}

export type ComponentKind = keyof ComponentTypes;
const kinds: ComponentKind[] = ['timers', 'transform'];

export class Components {
  private readonly index = new Map<ComponentKind, Set<number>>(kinds.map((k) => [k, new Set()]));

  constructor(private readonly world: World) {
    this.indexAll();
  }

  /** Indexes every object's components: after the world is loaded, or timers and transforms saved with it go unseen. */
  indexAll(): void {
    for (const object of this.world.all()) for (const kind of kinds) if (object.components[kind] !== undefined) this.index.get(kind)!.add(object.id);
  }

  get<K extends ComponentKind>(object: WorldObj, kind: K): ComponentTypes[K] | undefined {
    return object.components[kind] as ComponentTypes[K] | undefined;
  }

  set<K extends ComponentKind>(object: WorldObj, kind: K, value: ComponentTypes[K]): void {
    object.components[kind] = value;
    this.index.get(kind)!.add(object.id);
    this.world.touch(object);
  }

  /** Puts back an object's components as they were (a script run undone), index included. */
  restore(object: WorldObj, saved: WorldObj['components']): void {
    object.components = saved;
    for (const kind of kinds) {
      if (saved[kind] === undefined) this.index.get(kind)!.delete(object.id);
      else this.index.get(kind)!.add(object.id);
    }
    this.world.touch(object);
  }

  remove(object: WorldObj, kind: ComponentKind): void {
    if (!(kind in object.components)) return;
    delete object.components[kind];
    this.index.get(kind)!.delete(object.id);
    this.world.touch(object);
  }

  /** The objects that have the component (destroyed ones are dropped from the index as they are met). */
  *with(kind: ComponentKind): Generator<WorldObj> {
    const ids = this.index.get(kind)!;
    for (const id of [...ids]) {
      const object = this.world.get(id);
      if (object) yield object;
      else ids.delete(id);
    }
  }
}
