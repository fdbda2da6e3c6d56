// Per-owner CPU budgets, after Screeps' CPU bucket: an owner's scripts may use `burstMs` of CPU at
// once and `perSecondMs` on average; past that their runs are refused until the bucket refills.
// The bucket lives in the kv port (memory in the all-in-one, Redis when executors are replicas),
// so every executor replica charges the same bucket. It is kept as a sliding window of CPU spent
// (two fixed windows of burstMs/perSecondMs seconds, the older one weighted by how much of it is
// still inside the window): atomic increments only, no read-modify-write races between replicas.
// Runs in flight when the bucket empties still finish, so an owner can overdraw by at most the
// runs it has in flight times the per-run CPU limit.
import type { KeyValue } from '@loom/runtime';
import type { Owner } from './fair-queue.ts';

export interface CpuBudgetOptions {
  perSecondMs: number;
  burstMs: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
}

export class CpuBudget {
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly kv: KeyValue,
    private readonly options: CpuBudgetOptions,
  ) {
    this.windowMs = Math.max(1000, Math.round((options.burstMs / options.perSecondMs) * 1000));
    this.now = options.now ?? (() => Date.now());
  }

  /** CPU ms the owner's scripts used within the last window. */
  async spent(owner: Owner): Promise<number> {
    const t = this.now();
    const w = Math.floor(t / this.windowMs);
    const [current, previous] = await Promise.all([this.kv.get(this.key(owner, w)), this.kv.get(this.key(owner, w - 1))]);
    const stillIn = 1 - (t % this.windowMs) / this.windowMs;
    return Number(current ?? 0) + Number(previous ?? 0) * stillIn;
  }

  /** False while the owner's bucket is empty. */
  async allows(owner: Owner): Promise<boolean> {
    return (await this.spent(owner)) < this.options.burstMs;
  }

  async charge(owner: Owner, cpuMs: number): Promise<void> {
    const w = Math.floor(this.now() / this.windowMs);
    await this.kv.increment(this.key(owner, w), Math.max(1, Math.ceil(cpuMs)), { ttlMs: 2 * this.windowMs });
  }

  /** The sentence the owner reads when a run is refused. */
  get refusal(): string {
    return `your scripts used their CPU budget (${this.options.perSecondMs} ms per second, ${this.options.burstMs} ms at once); runs are refused until it refills`;
  }

  private key(owner: Owner, window: number): string {
    return `script-cpu:${owner}:${window}`;
  }
}
