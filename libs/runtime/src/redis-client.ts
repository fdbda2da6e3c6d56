// One way to open Redis for the adapters: ioredis reconnects by itself with capped backoff and resubscribes,
// and while the connection is down a command fails at once with UnavailableError instead of waiting in
// ioredis's offline queue (a login must answer "unavailable" promptly, not hang until Redis is back).
import { Redis, ReplyError } from 'ioredis';
import { rateLimitedWarn, type Logger } from './logger.ts';
import { UnavailableError } from './transport/errors.ts';

export interface RedisClient {
  redis: Redis;
  /** Throws UnavailableError while a connection that was up is down; before the first connect commands wait for it. */
  assertUp(): void;
  /** Runs commands on the connection when it is up; a lost connection or a timeout rejects with UnavailableError. */
  call<T>(commands: (redis: Redis) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Milliseconds before reconnect attempt `times` (1, 2, ...): doubling from 50 ms, at most 2 s, with jitter. */
export function redisBackoffMs(times: number): number {
  const ceiling = Math.min(50 * 2 ** Math.min(times, 6), 2000);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export function openRedis(url: string, logger: Logger, role: string): RedisClient {
  const redis = new Redis(url, {
    retryStrategy: redisBackoffMs,
    // Commands already sent when the connection drops are retried on one reconnect, then failed.
    maxRetriesPerRequest: 1,
    // A server that stops answering without closing the connection (a cut cable) fails the command too.
    commandTimeout: 5000,
    keepAlive: 10_000,
  });
  const where = new URL(url).host;
  const failed = rateLimitedWarn(logger, { lines: 3 });
  let wasUp = false;
  let lost = false;
  let closing = false;
  redis.on('error', (error: Error) => failed({ err: error, role, redis: where }, 'redis connection error'));
  redis.on('ready', () => {
    if (lost) logger.info({ role, redis: where }, 'redis connection restored');
    wasUp = true;
    lost = false;
  });
  redis.on('close', () => {
    if (wasUp && !lost && !closing) logger.warn({ role, redis: where }, 'redis connection lost; reconnecting');
    lost = wasUp;
  });
  const assertUp = () => {
    if (wasUp && redis.status !== 'ready') throw new UnavailableError(`redis at ${where} is unreachable; reconnecting`);
  };
  return {
    redis,
    assertUp,
    async call(commands) {
      assertUp();
      try {
        return await commands(redis);
      } catch (error) {
        // A reply error is Redis refusing the command; anything else is the connection failing under it.
        if (error instanceof ReplyError || !(error instanceof Error)) throw error;
        throw new UnavailableError(`redis at ${where} did not answer: ${error.message}`);
      }
    },
    async close() {
      closing = true;
      // QUIT needs the server; while it is away there is nothing to say goodbye to.
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
    },
  };
}
