// KeyValue over Redis. Every key carries `prefix`, so deployments and test runs can share a server.
// While Redis is unreachable every call fails at once with UnavailableError; the client reconnects by itself.
import { silentLogger, type Logger } from '../logger.ts';
import { openRedis, type RedisClient } from '../redis-client.ts';
import type { KeyValue, SetOptions } from './kv.ts';
import { checkStep, ttlOf } from './validate.ts';

export interface RedisKeyValueOptions {
  url: string;
  /** Prepended to every key, e.g. `loom:kv:`. */
  prefix: string;
  logger?: Logger;
}

export class RedisKeyValue implements KeyValue {
  readonly kind = 'redis';
  readonly #client: RedisClient;
  readonly #prefix: string;
  #closing?: Promise<void>;

  constructor({ url, prefix, logger = silentLogger }: RedisKeyValueOptions) {
    this.#prefix = prefix;
    this.#client = openRedis(url, logger, 'key-value');
  }

  get(key: string): Promise<string | null> {
    return this.#client.call((redis) => redis.get(this.#prefix + key));
  }

  async set(key: string, value: string, options?: SetOptions): Promise<void> {
    const ttlMs = ttlOf(options);
    const redisKey = this.#prefix + key;
    await this.#client.call((redis) => (ttlMs === undefined ? redis.set(redisKey, value) : redis.set(redisKey, value, 'PX', ttlMs)));
  }

  async setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean> {
    const ttlMs = ttlOf(options);
    const redisKey = this.#prefix + key;
    const reply = await this.#client.call((redis) => (ttlMs === undefined ? redis.set(redisKey, value, 'NX') : redis.set(redisKey, value, 'PX', ttlMs, 'NX')));
    return reply === 'OK';
  }

  async increment(key: string, by = 1, options?: SetOptions): Promise<number> {
    const [ttlMs, step] = [ttlOf(options), checkStep(by)];
    const redisKey = this.#prefix + key;
    if (ttlMs === undefined) return this.#client.call((redis) => redis.incrby(redisKey, step));
    // Creating the key (with its TTL) only when absent, in the same transaction, is what limits the TTL to creation.
    const replies = await this.#client.call((redis) => redis.multi().set(redisKey, '0', 'PX', ttlMs, 'NX').incrby(redisKey, step).exec());
    const [error, value] = replies?.[1] ?? [new Error('increment transaction was aborted')];
    if (error) throw error;
    return value as number;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#client.call((redis) => redis.del(this.#prefix + key))) > 0;
  }

  async ttl(key: string): Promise<number | null> {
    const ms = await this.#client.call((redis) => redis.pttl(this.#prefix + key));
    return ms < 0 ? null : ms;
  }

  async ping(): Promise<void> {
    await this.#client.call((redis) => redis.ping());
  }

  close(): Promise<void> {
    this.#closing ??= this.#client.close();
    return this.#closing;
  }
}
