// What every KeyValue must do, run against each implementation so the in-memory one cannot drift from Redis.
// TTLs are short but waits are generous next to them, so a loaded machine does not make these flaky.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyValue } from './kv.ts';

export function kvContract(name: string, make: () => Promise<KeyValue>): void {
  describe(`${name} (KeyValue contract)`, () => {
    const opened: KeyValue[] = [];
    let keys = 0;
    // Stores made for Redis share one prefix, so no two tests use the same key.
    const fresh = (): string => `key${++keys}`;
    const open = async (): Promise<KeyValue> => {
      const store = await make();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('gets what was set, and null for an absent key', async () => {
      const kv = await open();
      const key = fresh();
      assert.equal(await kv.get(key), null);
      await kv.set(key, 'one');
      await kv.set(key, 'two');
      assert.equal(await kv.get(key), 'two');
    });

    it('expires a key after its TTL', async () => {
      const kv = await open();
      const key = fresh();
      await kv.set(key, 'v', { ttlMs: 80 });
      const ttl = await kv.ttl(key);
      assert.ok(ttl !== null && ttl > 0 && ttl <= 80, `ttl ${ttl}`);
      assert.equal(await kv.get(key), 'v');
      await sleep(200);
      assert.equal(await kv.get(key), null);
      assert.equal(await kv.ttl(key), null);
      assert.equal(await kv.delete(key), false);
    });

    it('reports no TTL for absent keys and keys without expiry; set without a TTL clears one', async () => {
      const kv = await open();
      const key = fresh();
      assert.equal(await kv.ttl(key), null);
      await kv.set(key, 'v', { ttlMs: 60_000 });
      assert.ok(((await kv.ttl(key)) ?? 0) > 59_000);
      await kv.set(key, 'v');
      assert.equal(await kv.ttl(key), null);
    });

    it('sets if absent only, and again once the key has expired', async () => {
      const kv = await open();
      const key = fresh();
      assert.equal(await kv.setIfAbsent(key, 'first', { ttlMs: 80 }), true);
      assert.equal(await kv.setIfAbsent(key, 'second'), false);
      assert.equal(await kv.get(key), 'first');
      await sleep(200);
      assert.equal(await kv.setIfAbsent(key, 'third'), true);
      assert.equal(await kv.get(key), 'third');
      assert.equal(await kv.ttl(key), null);
    });

    it('lets exactly one of many concurrent setIfAbsent calls win', async () => {
      const kv = await open();
      const key = fresh();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => kv.setIfAbsent(key, `v${i}`)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await kv.get(key), `v${results.indexOf(true)}`);
    });

    it('increments from zero, by any integer step', async () => {
      const kv = await open();
      const key = fresh();
      assert.equal(await kv.increment(key), 1);
      assert.equal(await kv.increment(key, 5), 6);
      assert.equal(await kv.increment(key, -10), -4);
      assert.equal(await kv.get(key), '-4');
    });

    it('increments atomically', async () => {
      const kv = await open();
      const key = fresh();
      const results = await Promise.all(Array.from({ length: 20 }, () => kv.increment(key, 1, { ttlMs: 60_000 })));
      assert.deepEqual([...results].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('applies an increment TTL only when the call creates the key', async () => {
      const kv = await open();
      const key = fresh();
      assert.equal(await kv.increment(key, 1, { ttlMs: 150 }), 1);
      await sleep(50);
      assert.equal(await kv.increment(key, 1, { ttlMs: 60_000 }), 2);
      assert.ok(((await kv.ttl(key)) ?? Infinity) <= 150, 'the second call must not reset the TTL');
      await sleep(250);
      assert.equal(await kv.increment(key), 1);
      assert.equal(await kv.ttl(key), null);

      const lasting = fresh();
      await kv.set(lasting, '10');
      assert.equal(await kv.increment(lasting, 1, { ttlMs: 100 }), 11);
      assert.equal(await kv.ttl(lasting), null);
    });

    it('refuses to increment a non-integer value, or by a non-integer', async () => {
      const kv = await open();
      const key = fresh();
      await kv.set(key, 'abc');
      await assert.rejects(kv.increment(key));
      await assert.rejects(kv.increment(fresh(), 1.5));
      assert.equal(await kv.get(key), 'abc');
    });

    it('refuses TTLs that are not positive integers, and stores nothing', async () => {
      const kv = await open();
      const key = fresh();
      for (const ttlMs of [0, -5, 1.5]) {
        await assert.rejects(kv.set(key, 'v', { ttlMs }), RangeError);
        await assert.rejects(kv.setIfAbsent(key, 'v', { ttlMs }), RangeError);
        await assert.rejects(kv.increment(key, 1, { ttlMs }), RangeError);
      }
      assert.equal(await kv.get(key), null);
    });

    it('deletes, saying whether the key existed', async () => {
      const kv = await open();
      const key = fresh();
      await kv.set(key, 'v');
      assert.equal(await kv.delete(key), true);
      assert.equal(await kv.delete(key), false);
      assert.equal(await kv.get(key), null);
    });

    it('answers ping', async () => {
      const kv = await open();
      await kv.ping();
    });

    it('refuses calls after close; closing again is harmless', async () => {
      const kv = await open();
      await kv.close();
      await assert.rejects(kv.get(fresh()));
      await assert.rejects(kv.set(fresh(), 'v'));
      await assert.rejects(kv.ping());
      await kv.close();
    });
  });
}
