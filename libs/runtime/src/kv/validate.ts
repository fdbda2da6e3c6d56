// Both stores refuse the same arguments up front. Redis would reject some only halfway through a
// transaction (after creating the key), and the memory store would silently accept them.
import type { SetOptions } from './kv.ts';

/** The TTL in ms, or undefined for none. */
export function ttlOf(options: SetOptions | undefined): number | undefined {
  const ttlMs = options?.ttlMs;
  if (ttlMs !== undefined && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  return ttlMs;
}

export function checkStep(by: number): number {
  if (!Number.isSafeInteger(by)) throw new RangeError(`increment must be an integer, got ${by}`);
  return by;
}
