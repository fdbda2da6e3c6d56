// Bus over Redis pub/sub. A subscribed connection is reserved for pushes, so publishing has its own.
import { Redis } from 'ioredis';
import { silentLogger, type Logger } from '../logger.ts';
import type { Bus, BusHandler, BusMessage, Subscription } from './bus.ts';
import { invokeHandler, logHandlerError, type HandlerErrorReporter } from './deliver.ts';

export interface RedisBusOptions {
  url: string;
  /** Prepended to every channel (`loom:bus:`), so deployments and test runs can share a server. */
  prefix: string;
  logger?: Logger;
}

type Wire = Omit<BusMessage, 'topic'>;

/** Anything on our channels may have been published by something else; only well-formed messages reach handlers. */
function decode(raw: string): Wire | null {
  let wire: unknown;
  try {
    wire = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof wire !== 'object' || wire === null) return null;
  const { payload, headers } = wire as Record<string, unknown>;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return null;
  if (Object.values(headers).some((value) => typeof value !== 'string')) return null;
  return { payload, headers: headers as Record<string, string> };
}

/** Only the trailing `*` of a pattern is a wildcard, as in MemoryBus; Redis would also read `?`, `[` and `\`. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function connect(url: string, logger: Logger, role: string): Redis {
  return new Redis(url).on('error', (error: unknown) => logger.warn({ err: error, role }, 'redis bus connection error'));
}

export class RedisBus implements Bus {
  readonly kind = 'redis';
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #onError: HandlerErrorReporter;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  /** Keyed by the Redis channel or pattern: one Redis subscription serves every local handler on it. */
  readonly #handlers = new Map<string, Set<{ handler: BusHandler }>>();
  #closing?: Promise<void>;

  constructor({ url, prefix, logger = silentLogger }: RedisBusOptions) {
    this.#prefix = prefix;
    this.#logger = logger;
    this.#onError = logHandlerError(logger);
    this.#publisher = connect(url, logger, 'publisher');
    this.#subscriber = connect(url, logger, 'subscriber');
    this.#subscriber.on('message', (channel: string, raw: string) => this.#dispatch(channel, channel, raw));
    this.#subscriber.on('pmessage', (pattern: string, channel: string, raw: string) => this.#dispatch(pattern, channel, raw));
  }

  async publish(topic: string, payload: unknown, headers: Record<string, string> = {}): Promise<void> {
    this.#assertOpen();
    await this.#publisher.publish(this.#prefix + topic, JSON.stringify({ payload, headers }));
  }

  async subscribe(pattern: string, handler: BusHandler): Promise<Subscription> {
    this.#assertOpen();
    const isPattern = pattern.endsWith('*');
    const key = isPattern ? `${escapeGlob(this.#prefix + pattern.slice(0, -1))}*` : this.#prefix + pattern;
    const entries = this.#handlers.get(key) ?? new Set();
    this.#handlers.set(key, entries);
    const entry = { handler };
    entries.add(entry);
    const unsubscribe = async () => {
      if (!entries.delete(entry) || entries.size > 0 || this.#closing) return;
      this.#handlers.delete(key);
      await (isPattern ? this.#subscriber.punsubscribe(key) : this.#subscriber.unsubscribe(key));
    };
    // Sent even when the key is already subscribed, so this call resolves only once Redis has confirmed it.
    await (isPattern ? this.#subscriber.psubscribe(key) : this.#subscriber.subscribe(key)).catch(async (error: unknown) => {
      await unsubscribe().catch(() => undefined);
      throw error;
    });
    return { unsubscribe };
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    await Promise.all([this.#publisher.ping(), this.#subscriber.ping()]);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#handlers.clear();
      await Promise.all([this.#publisher.quit(), this.#subscriber.quit()]);
    })();
    return this.#closing;
  }

  #dispatch(subscribed: string, channel: string, raw: string): void {
    const entries = this.#handlers.get(subscribed);
    if (!entries) return;
    const wire = decode(raw);
    if (!wire) {
      this.#logger.warn({ channel, bytes: raw.length }, 'dropped a malformed bus message');
      return;
    }
    const topic = channel.slice(this.#prefix.length);
    for (const { handler } of [...entries]) {
      invokeHandler(handler, { topic, payload: structuredClone(wire.payload), headers: { ...wire.headers } }, this.#onError);
    }
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('bus is closed');
  }
}
