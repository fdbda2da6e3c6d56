import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { kvContract } from '../src/kv/kv.contract.ts';
import { MemoryKeyValue } from '../src/kv/memory-kv.ts';
import { RedisKeyValue } from '../src/kv/redis-kv.ts';
import { needServer, uniqueName } from '../src/testing/servers.ts';

const redis = await needServer('redis');

kvContract('MemoryKeyValue', async () => new MemoryKeyValue());

describe('RedisKeyValue', { skip: redis.skip }, () => {
  const prefix = `${uniqueName('loom_test_kv')}:`;
  const raw = new Redis(redis.url, { lazyConnect: true });
  after(async () => {
    for await (const keys of raw.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await raw.del(...(keys as string[]));
    }
    await raw.quit();
  });

  kvContract('RedisKeyValue', async () => new RedisKeyValue({ url: redis.url, prefix }));

  it('stores every key under its prefix', async () => {
    const kv = new RedisKeyValue({ url: redis.url, prefix });
    await kv.set('placed', 'v', { ttlMs: 60_000 });
    assert.equal(await raw.get(`${prefix}placed`), 'v');
    await kv.close();
  });
});
