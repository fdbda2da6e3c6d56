// Runs per owner per second (DESIGN.md §6): a token bucket per owner, so a builder whose scripts
// fire in a burst is slowed down without affecting anyone else. Runs over it are never started.

export interface RunBudgetOptions {
  /** Sustained runs per owner per second (default 20). */
  perSecond?: number;
  /** How many runs an idle owner may make at once (default: perSecond). */
  burst?: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** Above this many tracked owners, owners whose bucket is full again are forgotten. */
  maxOwners?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RunBudget {
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly maxOwners: number;
  private readonly buckets = new Map<string | number, Bucket>();

  constructor(options: RunBudgetOptions = {}) {
    this.perSecond = options.perSecond ?? 20;
    this.burst = options.burst ?? this.perSecond;
    this.now = options.now ?? (() => performance.now());
    this.maxOwners = options.maxOwners ?? 100_000;
  }

  /** Takes one run from the owner's budget; false means "over budget, don't run". */
  tryTake(owner: string | number): boolean {
    const b = this.refill(owner);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Whole runs the owner could start right now. */
  remaining(owner: string | number): number {
    return Math.floor(this.refill(owner).tokens);
  }

  private refill(owner: string | number): Bucket {
    const t = this.now();
    let b = this.buckets.get(owner);
    if (!b) {
      if (this.buckets.size >= this.maxOwners) this.prune(t);
      b = { tokens: this.burst, at: t };
      this.buckets.set(owner, b);
      return b;
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    return b;
  }

  private prune(t: number): void {
    for (const [owner, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(owner);
    }
  }
}
