import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { kvContract } from '../src/kv/kv.contract.ts';
import { MemoryKeyValue } from '../src/kv/memory-kv.ts';
import { RedisKeyValue } from '../src/kv/redis-kv.ts';
import { startOutageProxy } from '../src/testing/outage-proxy.ts';
import { eventually } from '../src/testing/patience.ts';
import { UnavailableError } from '../src/transport/errors.ts';
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

  it('fails at once while Redis is cut off, and works again by itself when it is back', async () => {
    const proxy = await startOutageProxy(redis.url);
    const kv = new RedisKeyValue({ url: proxy.url, prefix });
    try {
      await kv.set('before', '1');
      proxy.cut();
      // Whether a call is refused up front or cut off on the wire, it is the same clear error.
      await eventually(() => kv.ping().then(() => false, (error: unknown) => error instanceof UnavailableError), 'an UnavailableError from ping');
      await assert.rejects(kv.set('during', '1'), UnavailableError);
      proxy.heal();
      await eventually(() => kv.ping().then(() => true, () => false), 'a ping after the outage');
      await kv.set('after', '2');
      assert.deepEqual([await kv.get('before'), await kv.get('during'), await kv.get('after')], ['1', null, '2']);
    } finally {
      await kv.close();
      await proxy.close();
    }
  });
});
