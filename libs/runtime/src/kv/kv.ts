/** Cache and session storage with expiry. Values are strings; callers encode JSON themselves. */
export interface SetOptions {
  /** Time to live in milliseconds; absent = no expiry. */
  ttlMs?: number;
}

export interface KeyValue {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: SetOptions): Promise<void>;
  /** Sets only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** Atomically adds `by` (default 1); the TTL applies when the key is created by this call. */
  increment(key: string, by?: number, options?: SetOptions): Promise<number>;
  /** true when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Remaining time to live in ms; null when the key is absent or never expires. */
  ttl(key: string): Promise<number | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
