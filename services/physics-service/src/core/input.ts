// What a player's input may do to its character. Inputs come from clients through world-state, so they
// are untrusted: a speed hack is clamped, garbage is dropped, and nothing in an input sets a position
// (positions only ever come out of the simulation).
import type { CharacterInput, Vec3 } from '@loom/proto';

export const MAX_WALK_SPEED = 6;
export const JUMP_SPEED = 5;
export const GRAVITY = -9.81;
/** Fastest fall, so a long drop (or a huge dt) never tunnels through the floor. */
export const TERMINAL_SPEED = -40;
export const DEFAULT_DT = 1 / 20;
/** A late step covers at most this much time: slower motion beats a spiral of ever later steps. */
export const MAX_DT = 0.1;

export interface Held {
  vx: number;
  vz: number;
  jump: boolean;
}

/** The input to hold from now on, or undefined to keep the previous one (an input that isn't a number). */
export function sanitize(input: CharacterInput): Held | undefined {
  const v: Vec3 = input.desiredVelocity ?? { x: 0, y: 0, z: 0 };
  if (!Number.isFinite(v.x) || !Number.isFinite(v.y) || !Number.isFinite(v.z)) return undefined;
  const speed = Math.hypot(v.x, v.z);
  const k = speed > MAX_WALK_SPEED ? MAX_WALK_SPEED / speed : 1;
  return { vx: v.x * k, vz: v.z * k, jump: input.jump === true };
}

export function stepDt(dt: number): number {
  if (!Number.isFinite(dt) || dt <= 0) return DEFAULT_DT;
  return Math.min(dt, MAX_DT);
}
