// The pool's queue of runs, fair across owners: the next run is the one of the owner who used the
// least CPU lately (usage halves every second, like a scheduler's virtual runtime), so four owners
// whose scripts loop cannot starve a fifth: the fifth's run goes first as soon as a worker is free.
// An owner whose last run was expensive gets a batch of its own, so a quick run is never sent to a
// worker behind a run that will take its full CPU limit; an owner whose cost is not known yet
// gets one run per batch.

export type Owner = string | number;

export interface Queued {
  owner: Owner;
}

/** A run that took longer than this (ms) is not batched with others. */
const CHEAP_MS = 5;
const HALF_LIFE_MS = 1000;

export class FairQueue<J extends Queued> {
  private readonly waiting = new Map<Owner, J[]>();
  private readonly usage = new Map<Owner, { ms: number; at: number }>();
  private readonly lastCost = new Map<Owner, number>();
  private count = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  get size(): number {
    return this.count;
  }

  push(job: J): void {
    this.list(job.owner).push(job);
    this.count++;
  }

  /** Puts runs back at the head of their owners' lines (their worker died under them). */
  requeue(jobs: J[]): void {
    for (const job of [...jobs].reverse()) this.list(job.owner).unshift(job);
    this.count += jobs.length;
  }

  /** Up to `most` runs for one worker, least-used owners first. */
  take(most: number): J[] {
    const batch: J[] = [];
    const skip = new Set<Owner>();
    while (batch.length < most) {
      const owner = this.leastUsed(skip);
      if (owner === undefined) break;
      const cost = this.lastCost.get(owner);
      const expensive = (cost ?? 0) > CHEAP_MS;
      if (expensive && batch.length > 0) break;
      if (cost === undefined) skip.add(owner);
      batch.push(this.shift(owner));
      // Counted when sent, not only when done, so that one batch doesn't favour one owner.
      this.charge(owner, this.lastCost.get(owner) ?? 0);
      if (expensive) break;
    }
    return batch;
  }

  /** Records what a run cost: it decides its owner's place in line and its batching. */
  done(owner: Owner, cpuMs: number): void {
    const guessed = this.lastCost.get(owner) ?? 0;
    this.lastCost.set(owner, cpuMs);
    this.charge(owner, cpuMs - guessed);
  }

  drain(): J[] {
    const all = [...this.waiting.values()].flat();
    this.waiting.clear();
    this.count = 0;
    return all;
  }

  private list(owner: Owner): J[] {
    let l = this.waiting.get(owner);
    if (!l) this.waiting.set(owner, (l = []));
    return l;
  }

  private shift(owner: Owner): J {
    const l = this.waiting.get(owner)!;
    const job = l.shift()!;
    if (l.length === 0) this.waiting.delete(owner);
    this.count--;
    return job;
  }

  private used(owner: Owner, t: number): number {
    const u = this.usage.get(owner);
    return u ? u.ms * 0.5 ** ((t - u.at) / HALF_LIFE_MS) : 0;
  }

  private charge(owner: Owner, ms: number): void {
    const t = this.now();
    const total = Math.max(0, this.used(owner, t) + ms);
    // Forgotten once negligible, so the maps hold only owners active lately.
    if (total < 0.01 && !this.waiting.has(owner)) {
      this.usage.delete(owner);
      this.lastCost.delete(owner);
    } else this.usage.set(owner, { ms: total, at: t });
  }

  private leastUsed(skip: Set<Owner>): Owner | undefined {
    const t = this.now();
    let best: Owner | undefined;
    let least = Infinity;
    // Map order is the order owners started waiting: ties go to the one waiting longest.
    for (const owner of this.waiting.keys()) {
      const u = this.used(owner, t);
      if (u < least && !skip.has(owner)) [best, least] = [owner, u];
    }
    return best;
  }
}
