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
/**
 * The most time one step catches up (ticks merged while the thread was busy, a late tick loop). It is
 * simulated in substeps of at most DEFAULT_DT, so a busy server moves characters as far per second as an
 * idle one. Past this the world runs slow instead: each catch-up costs substeps, and an unbounded one
 * would make the next step later still.
 */
export const MAX_CATCHUP = 0.5;

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

/** The substeps a step of `dt` seconds is simulated in: equal, none longer than a normal tick. */
export function substeps(dt: number): number[] {
  const total = !Number.isFinite(dt) || dt <= 0 ? DEFAULT_DT : Math.min(dt, MAX_CATCHUP);
  const count = Math.ceil(total / DEFAULT_DT - 1e-9);
  return Array.from({ length: count }, () => total / count);
}
