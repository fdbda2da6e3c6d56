// Chooses each adapter from the configuration: a server when its URL is set, embedded otherwise.
// Opened on first use, so a process depends only on what its services actually use.
import { join } from 'node:path';
import { typedBus, type Bus } from './bus/bus.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { RedisBus } from './bus/redis-bus.ts';
import { tracedBus } from './bus/traced-bus.ts';
import type { LoomConfig } from './config.ts';
import type { KeyValue } from './kv/kv.ts';
import { MemoryKeyValue } from './kv/memory-kv.ts';
import { RedisKeyValue } from './kv/redis-kv.ts';
import type { Logger } from './logger.ts';
import { AmqpQueue } from './queue/amqp-queue.ts';
import { MemoryQueue } from './queue/memory-queue.ts';
import { typedQueue, type JobQueue } from './queue/queue.ts';
import { tracedQueue } from './queue/traced-queue.ts';
import { PgliteSql } from './sql/pglite-sql.ts';
import { PostgresSql } from './sql/postgres-sql.ts';
import type { Sql } from './sql/sql.ts';

interface Opened {
  name: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Adapters {
  bus(): Bus;
  queue(): JobQueue;
  kv(): KeyValue;
  /** The adapters opened so far, for /ready and shutdown. */
  opened(): Opened[];
  close(): Promise<void>;
}

export function openAdapters(config: LoomConfig, logger: Logger): Adapters {
  const opened = new Map<string, Opened & { value: unknown }>();
  const once = <T extends Omit<Opened, 'name'>>(name: string, open: () => T): T => {
    let entry = opened.get(name);
    if (!entry) {
      const value = open();
      entry = { name, value, ping: () => value.ping(), close: () => value.close() };
      opened.set(name, entry);
      logger.info({ adapter: name }, 'adapter opened');
    }
    return entry.value as T;
  };
  return {
    bus: () =>
      config.redisUrl
        ? once('bus (redis)', () => typedBus(tracedBus(new RedisBus({ url: config.redisUrl!, prefix: `${config.redisPrefix}bus:`, logger }))))
        : once('bus (memory)', () => typedBus(tracedBus(new MemoryBus({ logger })))),
    kv: () =>
      config.redisUrl
        ? once('kv (redis)', () => new RedisKeyValue({ url: config.redisUrl!, prefix: `${config.redisPrefix}kv:`, logger }))
        : once('kv (memory)', () => new MemoryKeyValue()),
    queue: () =>
      config.amqpUrl
        ? once('queue (rabbitmq)', () =>
            typedQueue(tracedQueue(AmqpQueue.open({ url: config.amqpUrl!, prefix: config.queuePrefix, logger }))),
          )
        : once('queue (memory)', () => typedQueue(tracedQueue(new MemoryQueue({ logger })))),
    opened: () => [...opened.values()],
    async close() {
      for (const entry of [...opened.values()].reverse()) {
        await entry.close().catch((error: unknown) => logger.warn({ err: error, adapter: entry.name }, 'adapter did not close cleanly'));
      }
      opened.clear();
    },
  };
}

/** PostgreSQL when DATABASE_URL is set, else PGlite in LOOM_DATA_DIR/pg. */
export function openSql(config: Pick<LoomConfig, 'databaseUrl' | 'dataDir'>): Promise<Sql> {
  return config.databaseUrl ? PostgresSql.open({ url: config.databaseUrl }) : PgliteSql.open({ dataDir: join(config.dataDir, 'pg') });
}
