// One-shot reachability checks for `loom doctor`: connect, ask, disconnect.
import amqp from 'amqplib';
import { Redis } from 'ioredis';

export async function pingRedis(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return `redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
  } finally {
    redis.disconnect();
  }
}

export async function pingAmqp(url: string): Promise<string> {
  const connection = await amqp.connect(url, { timeout: 2000 });
  try {
    const product = connection.connection.serverProperties;
    return `${product.product ?? 'amqp'} ${product.version ?? ''}`.trim();
  } finally {
    await connection.close();
  }
}
