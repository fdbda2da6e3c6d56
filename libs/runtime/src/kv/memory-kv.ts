// In-process KeyValue. Reads ignore expired keys; the sweep only frees memory held by keys nobody reads again.
import type { KeyValue, SetOptions } from './kv.ts';
import { checkStep, ttlOf } from './validate.ts';

interface Entry {
  value: string;
  /** performance.now() time; Infinity when the key never expires. Monotonic, so clock changes cannot expire keys. */
  expiresAt: number;
}

export interface MemoryKeyValueOptions {
  sweepIntervalMs?: number;
}

function expiryOf(options: SetOptions | undefined): number {
  const ttlMs = ttlOf(options);
  return ttlMs === undefined ? Infinity : performance.now() + ttlMs;
}

export class MemoryKeyValue implements KeyValue {
  readonly kind = 'memory';
  readonly #entries = new Map<string, Entry>();
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor({ sweepIntervalMs = 30_000 }: MemoryKeyValueOptions = {}) {
    // unref: a cache must never be what keeps the process alive.
    this.#sweeper = setInterval(() => {
      const now = performance.now();
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    }, sweepIntervalMs).unref();
  }

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, options?: SetOptions): Promise<void> {
    const expiresAt = expiryOf(options);
    this.#assertOpen();
    this.#entries.set(key, { value, expiresAt });
  }

  async setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean> {
    const expiresAt = expiryOf(options);
    if (this.#live(key)) return false;
    this.#entries.set(key, { value, expiresAt });
    return true;
  }

  async increment(key: string, by = 1, options?: SetOptions): Promise<number> {
    const expiresAt = expiryOf(options);
    checkStep(by);
    const entry = this.#live(key);
    if (entry && !/^-?\d+$/.test(entry.value)) throw new Error(`value of ${key} is not an integer`);
    const next = Number(entry?.value ?? 0) + by;
    if (!Number.isSafeInteger(next)) throw new RangeError(`increment of ${key} overflows`);
    if (entry) entry.value = String(next);
    else this.#entries.set(key, { value: String(next), expiresAt });
    return next;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.#live(key) !== undefined;
    this.#entries.delete(key);
    return existed;
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.#live(key);
    return entry && entry.expiresAt !== Infinity ? Math.ceil(entry.expiresAt - performance.now()) : null;
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }

  #live(key: string): Entry | undefined {
    this.#assertOpen();
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= performance.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('key-value store is closed');
  }
}
