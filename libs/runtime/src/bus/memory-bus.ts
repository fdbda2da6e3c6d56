// In-process bus that mimics the Redis one (asynchronous delivery, copied payloads) so code tested
// against it does not come to depend on behaviour a real server would not give it.
import { silentLogger, type Logger } from '../logger.ts';
import type { BusHandler, ByteBus, Subscription } from './bus.ts';
import { invokeHandler, logHandlerError, type HandlerErrorReporter } from './deliver.ts';

interface Subscriber {
  pattern: string;
  handler: BusHandler;
  onError: HandlerErrorReporter;
}

/** Shared by MemoryBus instances that should see each other's messages, as processes share a Redis server. */
export class MemoryBusHub {
  readonly subscribers = new Set<Subscriber>();
}

export interface MemoryBusOptions {
  /** Defaults to a hub of this bus's own. */
  hub?: MemoryBusHub;
  logger?: Logger;
  /** Called when a handler throws or rejects; defaults to logging through `logger`. */
  onError?: HandlerErrorReporter;
}

function matches(pattern: string, topic: string): boolean {
  return pattern.endsWith('*') ? topic.startsWith(pattern.slice(0, -1)) : topic === pattern;
}

export class MemoryBus implements ByteBus {
  readonly kind = 'memory';
  readonly #hub: MemoryBusHub;
  readonly #onError: HandlerErrorReporter;
  readonly #own = new Set<Subscriber>();
  #closed = false;

  constructor({ hub = new MemoryBusHub(), logger = silentLogger, onError = logHandlerError(logger) }: MemoryBusOptions = {}) {
    this.#hub = hub;
    this.#onError = onError;
  }

  async publish(topic: string, payload: Uint8Array, headers: Record<string, string> = {}): Promise<void> {
    this.#assertOpen();
    // Routed and copied now, as a server would: later subscribers and later mutations do not count.
    const deliveries = [...this.#hub.subscribers]
      .filter((subscriber) => matches(subscriber.pattern, topic))
      .map((subscriber) => ({ subscriber, message: { topic, payload: payload.slice(), headers: { ...headers } } }));
    // setImmediate rather than a microtask: a handler that publishes in a loop must not starve I/O.
    setImmediate(() => {
      for (const { subscriber, message } of deliveries) {
        if (this.#hub.subscribers.has(subscriber)) invokeHandler(subscriber.handler, message, subscriber.onError);
      }
    });
  }

  async subscribe(pattern: string, handler: BusHandler): Promise<Subscription> {
    this.#assertOpen();
    const subscriber: Subscriber = { pattern, handler, onError: this.#onError };
    this.#hub.subscribers.add(subscriber);
    this.#own.add(subscriber);
    return {
      unsubscribe: async () => {
        this.#hub.subscribers.delete(subscriber);
        this.#own.delete(subscriber);
      },
    };
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const subscriber of this.#own) this.#hub.subscribers.delete(subscriber);
    this.#own.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('bus is closed');
  }
}
