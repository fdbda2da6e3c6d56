// One room's Rapier world: static geometry, sensor triggers, players' capsules moved by Rapier's
// kinematic character controller, and dynamic bodies. Every region has its own world, so a crowd in
// one room costs nothing to the others; step() reports where the time went.
import RAPIER from '@dimforge/rapier3d-compat';
import type { AddBodyRequest, BodyState, DoorwayEvent, RegionTiming, TriggerEvent, Vec3 } from '@loom/proto';
import { PhysicsError } from './errors.ts';
import { doorwayBeyond, inside, type Layout } from './geometry.ts';
import { GRAVITY, JUMP_SPEED, TERMINAL_SPEED, type Held } from './input.ts';

export const CAPSULE_RADIUS = 0.3;
export const CHARACTER_HEIGHT = 1.7;
const HALF_SEGMENT = CHARACTER_HEIGHT / 2 - CAPSULE_RADIUS;
/** The controller keeps this gap to everything, so the capsule never starts a cast already touching. */
const SKIN = 0.01;
const FEET = CHARACTER_HEIGHT / 2 + SKIN;
/** Rapier hands out class instances; results cross a thread and a wire as plain data. */
const plain = (v: Vec3): Vec3 => ({ x: v.x, y: v.y, z: v.z });
// Players walk through one another (no blocking a doorway or a shop, and a crowd costs a third): a
// character's collider and its controller's casts are both in group 2 and filter it out. Interaction
// groups are memberships << 16 | filter.
const CHARACTERS = 0x0002_fffd;

interface Character {
  body: RAPIER.RigidBody;
  collider: RAPIER.Collider;
  held: Held;
  vy: number;
  grounded: boolean;
  /** The doorway it last went out through, until it comes back inside (one event per crossing). */
  outThrough: number;
}
interface Body {
  body: RAPIER.RigidBody;
  awake: boolean;
}

/** Where a character's move left it. */
interface Moved {
  feet: Vec3;
  velocity: Vec3;
  grounded: boolean;
}

export interface StepOut {
  bodies: BodyState[];
  triggers: TriggerEvent[];
  doorways: DoorwayEvent[];
  regions: RegionTiming[];
}

export class Region {
  private readonly world = new RAPIER.World({ x: 0, y: GRAVITY, z: 0 });
  private readonly controller: RAPIER.KinematicCharacterController;
  private readonly events = new RAPIER.EventQueue(true);
  private readonly characters = new Map<number, Character>();
  private readonly dynamics = new Map<number, Body>();
  /** Collider handle -> entity id, for sensor events; trigger sensors by handle -> trigger id. */
  private readonly entityOf = new Map<number, number>();
  private readonly triggerOf = new Map<number, number>();
  private statics: RAPIER.Collider[] = [];

  constructor(
    readonly id: number,
    private layout: Layout,
  ) {
    const c = this.world.createCharacterController(SKIN);
    c.enableAutostep(0.3, 0.15, false); // steps up to 0.3 m, at least 0.15 m deep
    c.setMaxSlopeClimbAngle(Math.PI / 4);
    c.setMinSlopeSlideAngle(Math.PI / 4);
    c.enableSnapToGround(0.3); // walking down a step stays grounded instead of falling off it
    c.setApplyImpulsesToDynamicBodies(true); // players push crates
    c.setCharacterMass(80);
    this.controller = c;
    this.build();
  }

  setLayout(layout: Layout): void {
    for (const collider of this.statics) this.world.removeCollider(collider, true);
    this.triggerOf.clear();
    this.layout = layout;
    this.build();
  }

  private build(): void {
    const { solids, triggers } = this.layout;
    this.statics = solids.map((b) => this.world.createCollider(RAPIER.ColliderDesc.cuboid(b.half.x, b.half.y, b.half.z).setTranslation(b.center.x, b.center.y, b.center.z)));
    for (const t of triggers) {
      const desc = RAPIER.ColliderDesc.cuboid(t.half.x, t.half.y, t.half.z)
        .setTranslation(t.center.x, t.center.y, t.center.z)
        .setSensor(true)
        .setActiveEvents(RAPIER.ActiveEvents.COLLISION_EVENTS)
        // Characters are kinematic and sensors fixed: that pair is off by default.
        .setActiveCollisionTypes(RAPIER.ActiveCollisionTypes.DEFAULT | RAPIER.ActiveCollisionTypes.KINEMATIC_FIXED);
      const collider = this.world.createCollider(desc);
      this.statics.push(collider);
      this.triggerOf.set(collider.handle, t.id);
    }
    // Character moves query the broad phase, which only a world step updates: without this the first
    // tick's moves would not see the new floor and walls. A zero-length step moves nothing, and the
    // sensor events it may raise stay queued for the next real step.
    this.world.timestep = 0;
    this.world.step(this.events);
  }

  get characterCount(): number {
    return this.characters.size;
  }

  /** True while a dynamic body moves: the region then steps even when nobody is listed in it. */
  get active(): boolean {
    for (const b of this.dynamics.values()) if (!b.body.isSleeping()) return true;
    return false;
  }

  addCharacter(entityId: number, feet: Vec3): void {
    this.removeEntity(entityId);
    const body = this.world.createRigidBody(RAPIER.RigidBodyDesc.kinematicPositionBased().setCanSleep(false).setTranslation(feet.x, feet.y + FEET, feet.z));
    const collider = this.world.createCollider(RAPIER.ColliderDesc.capsule(HALF_SEGMENT, CAPSULE_RADIUS).setCollisionGroups(CHARACTERS), body);
    this.entityOf.set(collider.handle, entityId);
    this.characters.set(entityId, { body, collider, held: { vx: 0, vz: 0, jump: false }, vy: 0, grounded: false, outThrough: -1 });
  }

  addBody(req: AddBodyRequest): void {
    const p = req.position ?? { x: 0, y: 1, z: 0 };
    const r = req.sphereRadius;
    const h = req.boxHalfExtents;
    let desc: RAPIER.ColliderDesc;
    if (h && [h.x, h.y, h.z].every((v) => Number.isFinite(v) && v > 0)) desc = RAPIER.ColliderDesc.cuboid(h.x, h.y, h.z);
    else if (r !== undefined && Number.isFinite(r) && r > 0) desc = RAPIER.ColliderDesc.ball(r);
    else throw new PhysicsError('INVALID_ARGUMENT', 'a body needs box half-extents or a sphere radius, positive');
    const mass = req.mass || 1;
    if (!Number.isFinite(mass) || mass <= 0) throw new PhysicsError('INVALID_ARGUMENT', 'a body needs a positive mass');
    this.removeEntity(req.entityId);
    const body = this.world.createRigidBody(RAPIER.RigidBodyDesc.dynamic().setTranslation(p.x, p.y, p.z));
    const collider = this.world.createCollider(desc.setMass(mass), body);
    this.entityOf.set(collider.handle, req.entityId);
    this.dynamics.set(req.entityId, { body, awake: true });
  }

  /** Removes a character or a body; false when the entity isn't here. */
  removeEntity(entityId: number): boolean {
    const found = this.characters.get(entityId) ?? this.dynamics.get(entityId);
    if (!found) return false;
    for (let i = 0; i < found.body.numColliders(); i++) this.entityOf.delete(found.body.collider(i).handle);
    this.world.removeRigidBody(found.body);
    this.characters.delete(entityId);
    this.dynamics.delete(entityId);
    return true;
  }

  hasCharacter(entityId: number): boolean {
    return this.characters.has(entityId);
  }

  /** Holds each character's newest input (an input holds until the next one; a jump is used once). */
  hold(entityId: number, held: Held): void {
    const c = this.characters.get(entityId);
    if (c) c.held = { vx: held.vx, vz: held.vz, jump: held.jump || c.held.jump };
  }

  /** Simulates the substeps in turn (triggers and doorways of each are kept), then reports where everything ended. */
  step(dts: number[], out: StepOut): void {
    let moveMs = 0;
    let stepMs = 0;
    const moved = new Map<number, Moved>();
    for (const dt of dts) {
      const t0 = performance.now();
      for (const [entityId, c] of this.characters) moved.set(entityId, this.move(entityId, c, dt, out));
      const t1 = performance.now();
      this.world.timestep = dt;
      this.world.step(this.events);
      this.events.drainCollisionEvents((h1, h2, started) => {
        const trigger = this.triggerOf.get(h1) ?? this.triggerOf.get(h2);
        const entity = this.entityOf.get(h1) ?? this.entityOf.get(h2);
        if (trigger !== undefined && entity !== undefined) out.triggers.push({ triggerId: trigger, entityId: entity, phase: started ? 'enter' : 'leave' });
      });
      moveMs += t1 - t0;
      stepMs += performance.now() - t1;
    }
    for (const [entityId, m] of moved) out.bodies.push({ entityId, regionId: this.id, position: m.feet, rotation: undefined, velocity: m.velocity, grounded: m.grounded });
    for (const [entityId, b] of this.dynamics) {
      const awake = !b.body.isSleeping();
      // A body is reported while it moves and once more when it comes to rest.
      if (awake || b.awake) {
        const q = b.body.rotation();
        out.bodies.push({ entityId, regionId: this.id, position: plain(b.body.translation()), rotation: { x: q.x, y: q.y, z: q.z, w: q.w }, velocity: plain(b.body.linvel()), grounded: false });
      }
      b.awake = awake;
    }
    out.regions.push({ regionId: this.id, stepMs, moveMs, characters: this.characters.size });
  }

  private move(entityId: number, c: Character, dt: number, out: StepOut): Moved {
    if (c.held.jump && c.grounded) c.vy = JUMP_SPEED;
    c.held.jump = false;
    const vy0 = c.vy;
    // Standing: no push into the floor (the controller would resolve it with sideways errors and snag);
    // snap-to-ground keeps the feet down when walking down a step or a slope.
    if (!c.grounded || c.vy > 0) c.vy = Math.max(TERMINAL_SPEED, c.vy + GRAVITY * dt);
    // The mean of the speeds at both ends of the tick: the jump height does not depend on the tick rate.
    const wanted = { x: c.held.vx * dt, y: ((vy0 + c.vy) / 2) * dt, z: c.held.vz * dt };
    this.controller.computeColliderMovement(c.collider, wanted, RAPIER.QueryFilterFlags.EXCLUDE_SENSORS, CHARACTERS);
    const moved = this.controller.computedMovement();
    c.grounded = this.controller.computedGrounded();
    // Standing, or head against a ceiling: the vertical speed is spent.
    if ((c.grounded && c.vy < 0) || (c.vy > 0 && moved.y < wanted.y * 0.5)) c.vy = 0;
    const p = c.body.translation();
    const next = { x: p.x + moved.x, y: p.y + moved.y, z: p.z + moved.z };
    c.body.setNextKinematicTranslation(next);
    const feet = { x: next.x, y: next.y - FEET, z: next.z };
    if (c.outThrough < 0) {
      c.outThrough = doorwayBeyond(this.layout, feet);
      if (c.outThrough >= 0) out.doorways.push({ entityId, regionId: this.id, doorwayIndex: c.outThrough });
    } else if (inside(this.layout, feet)) c.outThrough = -1;
    return { feet, velocity: { x: moved.x / dt, y: moved.y / dt, z: moved.z / dt }, grounded: c.grounded };
  }

  free(): void {
    this.events.free();
    this.world.free();
  }
}
