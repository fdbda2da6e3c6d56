// Bus over Redis pub/sub. A subscribed connection is reserved for pushes, so publishing has its own.
// Both reconnect by themselves and the subscriber resubscribes; messages published while it was away are
// lost, as pub/sub promises. While Redis is unreachable, publish and subscribe fail at once (UnavailableError).
import { silentLogger, type Logger } from '../logger.ts';
import { openRedis, type RedisClient } from '../redis-client.ts';
import { UnavailableError } from '../transport/errors.ts';
import type { BusHandler, BusMessage, ByteBus, Subscription } from './bus.ts';
import { invokeHandler, logHandlerError, type HandlerErrorReporter } from './deliver.ts';

export interface RedisBusOptions {
  url: string;
  /** Prepended to every channel (`loom:bus:`), so deployments and test runs can share a server. */
  prefix: string;
  logger?: Logger;
}

type Wire = Omit<BusMessage, 'topic'>;

/** On the wire: the headers as one line of JSON, a newline, then the payload's bytes. */
function encode(payload: Uint8Array, headers: Record<string, string>): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(headers)}\n`), payload]);
}

/** Anything on our channels may have been published by something else; only well-formed messages reach handlers. */
function decode(raw: Buffer): Wire | null {
  const end = raw.indexOf(0x0a);
  if (end < 0) return null;
  let headers: unknown;
  try {
    headers = JSON.parse(raw.subarray(0, end).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return null;
  if (Object.values(headers).some((value) => typeof value !== 'string')) return null;
  return { payload: raw.subarray(end + 1), headers: headers as Record<string, string> };
}

/** Only the trailing `*` of a pattern is a wildcard, as in MemoryBus; Redis would also read `?`, `[` and `\`. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

export class RedisBus implements ByteBus {
  readonly kind = 'redis';
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #onError: HandlerErrorReporter;
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  /** Keyed by the Redis channel or pattern: one Redis subscription serves every local handler on it. */
  readonly #handlers = new Map<string, Set<{ handler: BusHandler }>>();
  #closing?: Promise<void>;

  constructor({ url, prefix, logger = silentLogger }: RedisBusOptions) {
    this.#prefix = prefix;
    this.#logger = logger;
    this.#onError = logHandlerError(logger);
    this.#publisher = openRedis(url, logger, 'bus publisher');
    this.#subscriber = openRedis(url, logger, 'bus subscriber');
    // The Buffer events: payloads are bytes, not text.
    this.#subscriber.redis.on('messageBuffer', (channel: Buffer, raw: Buffer) => this.#dispatch(channel.toString(), channel.toString(), raw));
    this.#subscriber.redis.on('pmessageBuffer', (pattern: string, channel: Buffer, raw: Buffer) => this.#dispatch(pattern, channel.toString(), raw));
  }

  async publish(topic: string, payload: Uint8Array, headers: Record<string, string> = {}): Promise<void> {
    this.#assertOpen();
    await this.#publisher.call((redis) => redis.publish(this.#prefix + topic, encode(payload, headers)));
  }

  async subscribe(pattern: string, handler: BusHandler): Promise<Subscription> {
    this.#assertOpen();
    this.#subscriber.assertUp();
    const isPattern = pattern.endsWith('*');
    const key = isPattern ? `${escapeGlob(this.#prefix + pattern.slice(0, -1))}*` : this.#prefix + pattern;
    const entries = this.#handlers.get(key) ?? new Set();
    this.#handlers.set(key, entries);
    const entry = { handler };
    entries.add(entry);
    const unsubscribe = async () => {
      if (!entries.delete(entry) || entries.size > 0 || this.#closing) return;
      this.#handlers.delete(key);
      // With Redis away there is nothing to tell it: the handler is gone here, and a resubscription finds none.
      await this.#subscriber.call((redis) => (isPattern ? redis.punsubscribe(key) : redis.unsubscribe(key))).catch((error: unknown) => {
        if (!(error instanceof UnavailableError)) throw error;
      });
    };
    // Sent even when the key is already subscribed, so this call resolves only once Redis has confirmed it.
    await this.#subscriber.call((redis) => (isPattern ? redis.psubscribe(key) : redis.subscribe(key))).catch(async (error: unknown) => {
      await unsubscribe().catch(() => undefined);
      throw error;
    });
    return { unsubscribe };
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    await Promise.all([this.#publisher.call((redis) => redis.ping()), this.#subscriber.call((redis) => redis.ping())]);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#handlers.clear();
      await Promise.all([this.#publisher.close(), this.#subscriber.close()]);
    })();
    return this.#closing;
  }

  #dispatch(subscribed: string, channel: string, raw: Buffer): void {
    const entries = this.#handlers.get(subscribed);
    if (!entries) return;
    const wire = decode(raw);
    if (!wire) {
      this.#logger.warn({ channel, bytes: raw.length }, 'dropped a malformed bus message');
      return;
    }
    const topic = channel.slice(this.#prefix.length);
    for (const { handler } of [...entries]) {
      invokeHandler(handler, { topic, payload: new Uint8Array(wire.payload), headers: { ...wire.headers } }, this.#onError);
    }
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('bus is closed');
  }
}
