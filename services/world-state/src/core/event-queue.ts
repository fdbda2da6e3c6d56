// A session's outgoing events: pushed by the world as things happen, pulled by the gateway's stream.
// The queue outlives a stream: when one breaks, what is queued waits for the gateway's next one.
import type { WorldEvent } from '@loom/proto';

/** A gateway that stops reading must not make the world hold its events forever. */
export const maxQueuedEvents = 10_000;

export class EventQueue {
  private readonly events: WorldEvent[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  /** False when the queue is over (ended, or overflowed and ended now). */
  push(event: WorldEvent): boolean {
    if (this.ended) return false;
    if (this.events.length >= maxQueuedEvents) {
      this.end();
      return false;
    }
    this.events.push(event);
    this.wake?.();
    return true;
  }

  /** No more events after those already queued. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The events in order, until the queue ends or `signal` aborts; what is left then stays for the next reader. */
  async *read(signal: AbortSignal): AsyncGenerator<WorldEvent> {
    const stop = () => this.wake?.();
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted) {
        const next = this.events.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}
