// A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; a datagram spends
// tokens or is dropped. Time comes from the caller so tests can drive it.
export class TokenBucket {
  private tokens: number;
  private last: number | undefined;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Whether `cost` tokens are available at `nowMs` (and if so, spends them). */
  take(cost: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Whether `cost` is available, without spending: lets two buckets be checked before either is charged. */
  has(cost: number, nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= cost;
  }

  private refill(nowMs: number): void {
    if (this.last !== undefined && nowMs > this.last) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) / 1000) * this.ratePerSecond);
    if (this.last === undefined || nowMs > this.last) this.last = nowMs;
  }
}
