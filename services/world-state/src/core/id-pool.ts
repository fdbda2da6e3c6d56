// Object ids reserved from the database in blocks, so creating an object never waits on a round trip.
import { UnavailableError } from '@loom/runtime/transport/errors.ts';

export class IdPool {
  private ids: number[] = [];
  private refilling: Promise<void> | undefined;

  constructor(
    private readonly reserve: (count: number) => Promise<number[]>,
    private readonly blockSize = 200,
  ) {}

  async fill(): Promise<void> {
    if (this.ids.length < this.blockSize / 2) await this.refill();
  }

  /** The next id; starts a refill in the background when running low. */
  next(): number {
    const id = this.ids.shift();
    if (this.ids.length < this.blockSize / 2) void this.refill().catch(() => undefined);
    if (id === undefined) throw new UnavailableError('the world is creating objects faster than ids arrive; try again in a moment');
    return id;
  }

  private refill(): Promise<void> {
    this.refilling ??= this.reserve(this.blockSize)
      .then((ids) => void this.ids.push(...ids))
      .finally(() => (this.refilling = undefined));
    return this.refilling;
  }
}
