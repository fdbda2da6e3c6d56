// Client-side prediction with server reconciliation (own avatar), and interpolation (everyone else).
// The server is authoritative: the client moves its avatar at once from its own inputs, and when a
// snapshot says where the server had it after input N, it restarts from there and replays N+1...
// Others are drawn a little in the past, between two snapshots, so they move smoothly despite jitter.

export interface Planar {
  x: number;
  z: number;
}

/** The server's walking speed at full stick (docs/protocol.md: 4 m/s). */
export const WALK_SPEED = 4;

interface PendingInput {
  clientTick: number;
  dx: number;
  dz: number;
  dtS: number;
}

export class Predictor {
  private pending: PendingInput[] = [];
  private base: Planar = { x: 0, z: 0 };
  private current: Planar = { x: 0, z: 0 };

  constructor(private readonly speed = WALK_SPEED) {}

  /** Applies an input the client just sent, for `dtS` seconds until the next one. */
  apply(clientTick: number, dx: number, dz: number, dtS: number): void {
    this.pending.push({ clientTick, dx, dz, dtS });
    this.current = this.step(this.current, { clientTick, dx, dz, dtS });
  }

  /** A snapshot: the server had us at `server` after input `ackedClientTick`; replay what it had not seen yet. */
  reconcile(server: Planar, ackedClientTick: number): void {
    this.pending = this.pending.filter((input) => input.clientTick > ackedClientTick);
    this.base = { ...server };
    this.current = this.pending.reduce((at, input) => this.step(at, input), this.base);
  }

  get position(): Planar {
    return this.current;
  }

  /** How far prediction is from the last server position (for snapping when it is too far). */
  get error(): number {
    return Math.hypot(this.current.x - this.base.x, this.current.z - this.base.z);
  }

  private step(at: Planar, input: PendingInput): Planar {
    const length = Math.hypot(input.dx, input.dz);
    if (length === 0) return at;
    const scale = (Math.min(1, length) / length) * this.speed * input.dtS;
    return { x: at.x + input.dx * scale, z: at.z + input.dz * scale };
  }
}

export interface Pose {
  x: number;
  y: number;
  z: number;
  yaw: number;
}

/** Snapshots by arrival time; `sample` gives each entity's pose at a moment between two of them. */
export class Interpolator {
  private readonly frames: Array<{ atMs: number; poses: Map<number, Pose> }> = [];

  constructor(private readonly keepMs = 1000) {}

  push(atMs: number, poses: Map<number, Pose>): void {
    this.frames.push({ atMs, poses });
    while (this.frames.length > 2 && this.frames[0]!.atMs < atMs - this.keepMs) this.frames.shift();
  }

  /** Poses at `atMs` (render time, usually now minus ~100 ms): between the frames around it, or the nearest. */
  sample(atMs: number): Map<number, Pose> {
    const after = this.frames.findIndex((f) => f.atMs >= atMs);
    if (after <= 0) return new Map((after === 0 ? this.frames[0] : this.frames.at(-1))?.poses ?? []);
    const a = this.frames[after - 1]!;
    const b = this.frames[after]!;
    const t = (atMs - a.atMs) / (b.atMs - a.atMs || 1);
    const out = new Map<number, Pose>();
    for (const [id, to] of b.poses) {
      const from = a.poses.get(id);
      out.set(id, from ? lerpPose(from, to, t) : to);
    }
    return out;
  }
}

export function lerpPose(a: Pose, b: Pose, t: number): Pose {
  // Yaw turns the short way round.
  const turn = ((((b.yaw - a.yaw) % (2 * Math.PI)) + 3 * Math.PI) % (2 * Math.PI)) - Math.PI;
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, z: a.z + (b.z - a.z) * t, yaw: a.yaw + turn * t };
}
