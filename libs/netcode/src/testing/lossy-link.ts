// One direction of a simulated bad network for tests: drops, duplicates and delays datagrams by
// a random amount (which reorders them), driven by a seeded PRNG and the caller's fake clock.

export interface LossyLinkOptions {
  random: () => number;
  /** Probability a datagram is dropped. */
  drop: number;
  /** Probability a delivered datagram is delivered twice (each copy with its own delay). */
  duplicate: number;
  /** Each copy is delayed uniformly in [minDelayMs, maxDelayMs]. */
  minDelayMs?: number;
  maxDelayMs: number;
}

export class LossyLink {
  private inFlight: { at: number; order: number; bytes: Uint8Array }[] = [];
  private order = 0;
  readonly counts = { sent: 0, dropped: 0, duplicated: 0 };

  constructor(private readonly options: LossyLinkOptions) {}

  send(bytes: Uint8Array, nowMs: number): void {
    const { random, drop, duplicate, minDelayMs = 0, maxDelayMs } = this.options;
    this.counts.sent++;
    if (random() < drop) {
      this.counts.dropped++;
      return;
    }
    const copies = random() < duplicate ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    for (let i = 0; i < copies; i++) {
      // A copy, as a real network would hand over: the receiver must not share the sender's buffer.
      this.inFlight.push({ at: nowMs + minDelayMs + random() * (maxDelayMs - minDelayMs), order: this.order++, bytes: bytes.slice() });
    }
  }

  /** Datagrams whose delay has elapsed by `nowMs`, in arrival order. */
  deliver(nowMs: number): Uint8Array[] {
    const ready = this.inFlight.filter((d) => d.at <= nowMs).sort((a, b) => a.at - b.at || a.order - b.order);
    this.inFlight = this.inFlight.filter((d) => d.at > nowMs);
    return ready.map((d) => d.bytes);
  }
}
