// 3D players in the same world: their rooms become physics regions, their inputs go to physics each tick
// (pipelined: this tick sends, a later tick applies), a doorway crossed is a `go`, and every tick they get a
// snapshot of what they can see (and, before it, how whatever in it is new or changed looks). Text players and
// things stand in the same space, so each side sees the other.
import { EntityKind, type EntityInfo, type EntityState, type StepResult } from '@loom/proto';
import type { Game } from './game.ts';
import type { WorldObj } from './model.ts';
import { walk } from './movement.ts';
import { doorwayOf, roomGeometry, type Transform, type Vec3 } from './space.ts';

/** What world-state asks of physics-service. */
export interface TriggerSpec {
  id: number;
  position: Vec3;
  halfExtents: Vec3;
}

export interface StaticBoxSpec {
  position: Vec3;
  halfExtents: Vec3;
}

export interface PhysicsPort {
  setRegion(room: WorldObj, exits: WorldObj[], triggers: TriggerSpec[], boxes: StaticBoxSpec[]): Promise<void>;
  addCharacter(regionId: number, entityId: number, position: Vec3): Promise<void>;
  removeCharacter(regionId: number, entityId: number): Promise<void>;
  /** A dynamic box for a thing flagged physical. */
  addBody(regionId: number, entityId: number, position: Vec3, halfExtents: Vec3): Promise<void>;
  /** One step covering `dt` seconds (0: one normal tick). */
  step(tick: number, dt: number, inputs: Map<number, Array<{ entityId: number; velocity: Vec3; jump: boolean }>>): Promise<StepResult>;
}

export interface MoveInput {
  clientTick: number;
  direction: Vec3;
  yaw: number;
  jump: boolean;
}

/** Walking speed a full-stick input asks for (physics clamps anything faster). */
const walkSpeed = 4;
/** How far a 3D player sees: things farther away are not in its snapshots. */
export const interestRadius = 40;

interface Body {
  regionId: number;
  input: MoveInput | undefined;
  /** The newest client tick applied, echoed in snapshots so the client can reconcile its prediction. */
  ackedClientTick: number;
  /** How each entity the player saw was last described to it (name, model, texture), by id. */
  described: Map<number, string>;
}

export class Embodiment {
  private readonly bodies = new Map<number, Body>();
  private readonly regions = new Set<number>();
  private pending: Promise<StepResult> | undefined;
  private finished: StepResult | undefined;
  private readonly spots = new Map<number, Map<number, number>>();
  /** When the last step was sent (ms): the next covers all the time since, however late the ticks were. */
  private steppedAt: number | undefined;

  constructor(
    private readonly game: Game,
    private readonly physics: PhysicsPort,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A 3D session's character gets a body in its room. */
  async join(player: WorldObj): Promise<void> {
    const room = this.game.room(player);
    if (!room) return;
    this.bodies.set(player.id, { regionId: 0, input: undefined, ackedClientTick: 0, described: new Map() });
    await this.enterRegion(player, room);
  }

  async leave(player: WorldObj): Promise<void> {
    const body = this.bodies.get(player.id);
    if (!body) return;
    this.bodies.delete(player.id);
    await this.physics.removeCharacter(body.regionId, player.id).catch(this.onError);
  }

  isEmbodied(playerId: number): boolean {
    return this.bodies.has(playerId);
  }

  input(player: WorldObj, move: MoveInput): void {
    const body = this.bodies.get(player.id);
    if (body && move.clientTick >= (body.input?.clientTick ?? 0)) body.input = move;
  }

  /**
   * Once per world tick: apply the last finished step, start the next, send snapshots. A tick that finds
   * the previous step still running sends none; the next step covers its time, so 3D players walk as far
   * per second on a busy server (late ticks, a slow physics call) as on an idle one.
   */
  tick(tick: number, nowMs: number): void {
    this.spots.clear();
    if (this.finished) this.apply(this.finished);
    this.finished = undefined;
    this.followRoomChanges();
    if (this.bodies.size === 0) this.steppedAt = undefined;
    else if (!this.pending) {
      const dt = this.steppedAt === undefined ? 0 : (nowMs - this.steppedAt) / 1000;
      this.steppedAt = nowMs;
      this.pending = this.physics.step(tick, dt, this.inputs()).then(
        (result) => void (this.finished = result),
        (error: unknown) => this.onError(error),
      ).finally(() => (this.pending = undefined)) as Promise<never>;
    }
    for (const [playerId, body] of this.bodies) this.sendView(playerId, body, tick);
  }

  /**
   * Everything the player can see from where it stands (same room, within the interest radius): first how
   * what is new or changed looks, then the snapshot of where everything is.
   */
  private sendView(playerId: number, body: Body, tick: number): void {
    const player = this.game.world.get(playerId)!;
    const room = this.game.room(player);
    const here = this.game.components.get(player, 'transform') ?? { x: 0, y: 0, z: 0, yaw: 0 };
    const entities: EntityState[] = [];
    if (room) {
      for (const object of this.game.visibleIn(room.id, player).concat(player)) {
        const at = this.positionOf(object, room);
        if (Math.hypot(at.x - here.x, at.z - here.z) > interestRadius) continue;
        const kind = object.kind === 'player' ? EntityKind.ENTITY_KIND_PLAYER : EntityKind.ENTITY_KIND_THING;
        const info = entityInfo(object, kind);
        const described = `${info.name}\u0000${info.model}\u0000${info.texture}`;
        if (body.described.get(object.id) !== described) {
          body.described.set(object.id, described);
          this.game.send(playerId, { entity: info });
        }
        entities.push({ id: object.id, kind, position: { x: at.x, y: at.y, z: at.z }, yaw: at.yaw, embodied: this.bodies.has(object.id) });
      }
    }
    this.game.send(playerId, { snapshot: { tick, roomId: room?.id ?? 0, viewerEntityId: playerId, ackedClientTick: body.ackedClientTick, entities } });
  }

  /**
   * Where an object stands: its transform (characters), the attribute `position` [x, y, z] a builder set,
   * or for things nobody placed, a spot on a ring around the room's centre (by id, so everyone agrees).
   */
  positionOf(object: WorldObj, room: WorldObj): Transform {
    const placed = this.game.components.get(object, 'transform');
    if (placed) return placed;
    const set = object.attributes.position;
    if (Array.isArray(set) && set.length === 3 && set.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      return { x: set[0] as number, y: set[1] as number, z: set[2] as number, yaw: 0 };
    }
    const index = this.spotIndex(room).get(object.id) ?? 0;
    const { size } = roomGeometry(room);
    const angle = (index * 2.39996) % (2 * Math.PI); // the golden angle: spots spread without lining up
    const radius = Math.min(size.x, size.z) / 3;
    return { x: Math.cos(angle) * radius, y: 0, z: Math.sin(angle) * radius, yaw: 0 };
  }

  /** Each unplaced thing's place in its room's ring, computed once per room per tick (snapshots ask per player). */
  private spotIndex(room: WorldObj): Map<number, number> {
    let spots = this.spots.get(room.id);
    if (!spots) {
      const things = this.game.world.contentsOf(room.id).filter((o) => o.kind === 'thing').sort((a, b) => a.id - b.id);
      spots = new Map(things.map((thing, i) => [thing.id, i]));
      this.spots.set(room.id, spots);
    }
    return spots;
  }

  private inputs(): Map<number, Array<{ entityId: number; velocity: Vec3; jump: boolean }>> {
    const byRegion = new Map<number, Array<{ entityId: number; velocity: Vec3; jump: boolean }>>();
    for (const [entityId, body] of this.bodies) {
      const move = body.input;
      if (!byRegion.has(body.regionId)) byRegion.set(body.regionId, []);
      if (!move) continue;
      const length = Math.hypot(move.direction.x, move.direction.z) || 1;
      const scale = Math.min(1, length) / length;
      const velocity = { x: move.direction.x * scale * walkSpeed, y: 0, z: move.direction.z * scale * walkSpeed };
      byRegion.get(body.regionId)!.push({ entityId, velocity, jump: move.jump });
      body.ackedClientTick = move.clientTick;
      move.jump = false;
    }
    return byRegion;
  }

  private apply(result: StepResult): void {
    for (const state of result.bodies) {
      const thing = this.game.world.get(state.entityId);
      if (thing?.kind === 'thing' && thing.locationId === state.regionId && state.position) {
        // A physical thing moved (fell, was pushed): it stands where physics says, facing as it turned.
        const q = state.rotation ?? { x: 0, y: 0, z: 0, w: 1 };
        const yaw = Math.atan2(2 * (q.w * q.y + q.x * q.z), 1 - 2 * (q.y * q.y + q.x * q.x));
        this.game.components.set(thing, 'transform', { x: state.position.x, y: state.position.y, z: state.position.z, yaw });
        continue;
      }
      const player = thing;
      const body = this.bodies.get(state.entityId);
      if (!player || !body || body.regionId !== state.regionId || !state.position) continue;
      const yaw = body.input?.yaw ?? this.game.components.get(player, 'transform')?.yaw ?? 0;
      this.game.components.set(player, 'transform', { x: state.position.x, y: state.position.y, z: state.position.z, yaw });
    }
    for (const trigger of result.triggers) {
      const object = this.game.world.get(trigger.triggerId);
      const actor = this.game.world.get(trigger.entityId);
      if (object && actor && trigger.phase === 'enter') this.game.scripting?.fire('on_step', object, { actor });
    }
    for (const crossed of result.doorways) {
      const player = this.game.world.get(crossed.entityId);
      const body = this.bodies.get(crossed.entityId);
      if (!player || !body || player.locationId !== crossed.regionId) continue;
      const exit = this.game.exitsOf(crossed.regionId)[crossed.doorwayIndex];
      // The same exit a text player takes with `go`: messages, locks, on_leave/on_enter.
      if (exit) walk(this.game, player, exit);
    }
    for (const regionId of result.missingRegions) this.regions.delete(regionId);
  }

  /** Things flagged fixed (a fountain, a statue) stand in the way: static boxes a metre wide. */
  private obstaclesIn(room: WorldObj): StaticBoxSpec[] {
    return this.game.world
      .contentsOf(room.id)
      .filter((o) => o.kind === 'thing' && o.flags.has('fixed') && !o.flags.has('physical'))
      .map((thing) => {
        const at = this.positionOf(thing, room);
        return { position: { x: at.x, y: fixedHalfExtents.y, z: at.z }, halfExtents: fixedHalfExtents };
      });
  }

  private triggersIn(room: WorldObj): TriggerSpec[] {
    const things = this.game.world.contentsOf(room.id).filter((o) => o.kind === 'thing');
    return (this.game.scripting?.handlers.handling('on_step', things.map((t) => t.id)) ?? []).map((id) => {
      const at = this.positionOf(this.game.world.get(id)!, room);
      return { id, position: { x: at.x, y: at.y + triggerHalfExtents.y, z: at.z }, halfExtents: triggerHalfExtents };
    });
  }

  /** A room whose triggers or geometry changed is sent to physics again (the next tick re-creates it). */
  refresh(room: WorldObj | undefined): void {
    if (room && this.regions.delete(room.id)) {
      for (const body of this.bodies.values()) if (body.regionId === room.id) body.regionId = 0;
    }
  }

  /** A 3D player moved by `go`, a teleport or a script gets its body into its new room. */
  private followRoomChanges(): void {
    for (const [playerId, body] of this.bodies) {
      const player = this.game.world.get(playerId);
      const room = player && this.game.room(player);
      if (room && (body.regionId !== room.id || !this.regions.has(room.id))) void this.enterRegion(player, room).catch(this.onError);
    }
  }

  private async enterRegion(player: WorldObj, room: WorldObj): Promise<void> {
    const body = this.bodies.get(player.id);
    if (!body) return;
    const previous = body.regionId;
    body.regionId = room.id;
    if (previous && previous !== room.id) await this.physics.removeCharacter(previous, player.id);
    if (!this.regions.has(room.id)) {
      this.regions.add(room.id);
      await this.physics.setRegion(room, this.game.exitsOf(room.id), this.triggersIn(room), this.obstaclesIn(room));
      for (const thing of this.game.world.contentsOf(room.id)) {
        if (thing.kind !== 'thing' || !thing.flags.has('physical')) continue;
        const at = this.positionOf(thing, room);
        await this.physics.addBody(room.id, thing.id, { x: at.x, y: Math.max(at.y, physicalHalfExtents.y), z: at.z }, physicalHalfExtents);
      }
    }
    const at = this.game.components.get(player, 'transform') ?? { ...roomGeometry(room).spawn, yaw: 0 };
    await this.physics.addCharacter(room.id, player.id, { x: at.x, y: at.y, z: at.z });
  }
}

/** How an entity looks to 3D players. */
function entityInfo(object: WorldObj, kind: EntityKind): EntityInfo {
  // A model is an asset name (asset-service resolves it to its newest upload); none = a primitive.
  const model = typeof object.attributes.model === 'string' ? object.attributes.model : '';
  // A texture (an image asset) covers the primitive drawn when there is no model.
  const texture = typeof object.attributes.texture === 'string' ? object.attributes.texture : '';
  return { id: object.id, name: object.name, kind, model, texture };
}

/** Things flagged fixed are obstacles a metre wide and high. */
export const fixedHalfExtents: Vec3 = { x: 0.5, y: 0.5, z: 0.5 };

/** Things flagged physical are boxes of half a metre a side. */
export const physicalHalfExtents: Vec3 = { x: 0.25, y: 0.25, z: 0.25 };

/** Things with an on_step script are trigger volumes (a metre around where they stand). */
export const triggerHalfExtents: Vec3 = { x: 0.75, y: 1, z: 0.75 };
/** The region spec of a room: its size and one doorway per exit, in the order of the room's exits. */
export function regionOf(room: WorldObj, exits: WorldObj[]): { size: Vec3; doorways: Array<{ wall: string; offset: number; width: number; height: number }> } {
  return { size: roomGeometry(room).size, doorways: exits.map((exit) => doorwayOf(exit, room, exits)) };
}
