// Test support: what one run of the services leaves on the shared servers under its own names (a database,
// Redis keys under a prefix, durable broker queues under a prefix), removed again when the run stops.
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { jobQueues as registry } from '@loom/proto';
import { amqpQueueNames } from '../queue/amqp-queue.ts';
import { testServerUrls } from './servers.ts';

/** The job queues the services use, from libs/proto's registry: RabbitMQ cannot list queues by prefix. */
const jobQueues = Object.values(registry).map((queue) => queue.name);

export interface RunData {
  /** A database of its own on the PostgreSQL server, dropped. */
  database?: string;
  /** Every Redis key starting with it is deleted. */
  redisPrefix?: string;
  /** The broker queues behind every job queue under it are deleted. */
  queuePrefix?: string;
}

export async function removeRunData(run: RunData, urls = testServerUrls): Promise<void> {
  if (run.database) {
    const admin = new pg.Client({ connectionString: urls.postgres });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${run.database}" WITH (FORCE)`).finally(() => admin.end());
  }
  if (run.redisPrefix) {
    const redis = new Redis(urls.redis);
    try {
      const keys = await redis.keys(`${run.redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  }
  if (run.queuePrefix) {
    const connection = await connect(urls.rabbitmq);
    try {
      const channel = await connection.createChannel();
      for (const jobQueue of jobQueues) {
        for (const queue of Object.values(amqpQueueNames(run.queuePrefix, jobQueue))) await channel.deleteQueue(queue);
      }
    } finally {
      await connection.close();
    }
  }
}
