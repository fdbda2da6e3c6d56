// Smooth motion for any client (the browser's, bots): other entities drawn ~100 ms in the past between two
// snapshots; one's own avatar predicted from one's inputs and reconciled with the server's position for the
// input it last applied.
import type { SeenEntity } from './client.ts';

export const SPEED = 4; // m/s at full stick, as the server walks a character
const DELAY_MS = 100;

interface Frame {
  time: number; // server time, ms (tick / tickRate)
  entities: Map<number, SeenEntity>;
}

export class Interpolator {
  private frames: Frame[] = [];
  private offset: number | undefined; // local clock minus server clock, smoothed

  push(tick: number, tickRate: number, entities: SeenEntity[], now: number): void {
    const time = (tick * 1000) / tickRate;
    // The smallest lag seen is the truest; drift back up slowly so a pause does not freeze it.
    const lag = now - time;
    this.offset = this.offset === undefined || lag < this.offset ? lag : this.offset + (lag - this.offset) * 0.01;
    this.frames.push({ time, entities: new Map(entities.map((e) => [e.id, e])) });
    if (this.frames.length > 30) this.frames.shift();
  }

  clear(): void {
    this.frames = [];
  }

  /** Every entity as it stood DELAY_MS ago, blended between the snapshots either side. */
  sample(now: number): SeenEntity[] {
    if (this.frames.length === 0 || this.offset === undefined) return [];
    const t = now - this.offset - DELAY_MS;
    let i = this.frames.findIndex((f) => f.time > t);
    if (i === -1) i = this.frames.length - 1; // late: hold the newest
    const b = this.frames[i]!;
    const a = this.frames[Math.max(0, i - 1)]!;
    const k = a === b ? 1 : Math.min(1, Math.max(0, (t - a.time) / (b.time - a.time)));
    return [...b.entities.values()].map((e) => {
      const from = a.entities.get(e.id);
      if (!from) return e;
      return { ...e, x: lerp(from.x, e.x, k), y: lerp(from.y, e.y, k), z: lerp(from.z, e.z, k), yaw: lerpAngle(from.yaw, e.yaw, k) };
    });
  }
}

export class Predictor {
  x = 0;
  z = 0;
  known = false;
  /** Keeps a predicted step inside the room (walls stop the server's body too). */
  bound: (x: number, z: number) => { x: number; z: number } = (x, z) => ({ x, z });
  private readonly history = new Map<number, { x: number; z: number }>();

  /** Moves by one input for dt seconds and remembers where that left us, by client tick. */
  step(clientTick: number, dx: number, dz: number, dt: number): void {
    ({ x: this.x, z: this.z } = this.bound(this.x + dx * SPEED * dt, this.z + dz * SPEED * dt));
    this.history.set(clientTick, { x: this.x, z: this.z });
    this.history.delete(clientTick - 120);
  }

  /** The server's position after our input `ackedTick`: far off snaps, close eases the difference away. */
  reconcile(server: { x: number; z: number }, ackedTick: number): void {
    const then = this.history.get(ackedTick);
    if (!this.known || !then) {
      // Nothing to compare with (just arrived, or standing still): the server is the truth.
      const dist = Math.hypot(server.x - this.x, server.z - this.z);
      if (!this.known || dist > 0.5) this.snap(server);
      else this.ease(server.x - this.x, server.z - this.z);
      return;
    }
    const ex = server.x - then.x;
    const ez = server.z - then.z;
    if (Math.hypot(ex, ez) > 0.5) {
      this.x += ex;
      this.z += ez;
      this.shiftHistory(ex, ez);
    } else this.ease(ex, ez);
  }

  snap(at: { x: number; z: number }): void {
    this.x = at.x;
    this.z = at.z;
    this.known = true;
    this.history.clear();
  }

  private ease(ex: number, ez: number): void {
    this.x += ex * 0.2;
    this.z += ez * 0.2;
    this.shiftHistory(ex * 0.2, ez * 0.2);
  }

  private shiftHistory(ex: number, ez: number): void {
    for (const p of this.history.values()) {
      p.x += ex;
      p.z += ez;
    }
  }
}

const lerp = (a: number, b: number, k: number) => a + (b - a) * k;
function lerpAngle(a: number, b: number, k: number): number {
  const d = Math.atan2(Math.sin(b - a), Math.cos(b - a));
  return a + d * k;
}
