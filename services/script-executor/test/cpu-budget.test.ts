// The per-owner CPU bucket in Redis, as the distributed wiring keeps it: two script-executor replicas,
// each with its own connection, charge and read one bucket per owner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RedisKeyValue } from '@loom/runtime/kv/redis-kv.ts';
import { needServer, uniqueName } from '@loom/runtime/testing/servers.ts';
import { CpuBudget } from '../src/core/cpu-budget.ts';

const redis = await needServer('redis');

describe('CpuBudget in Redis, shared by two executor replicas', { skip: redis.skip }, () => {
  const prefix = `${uniqueName('loom_test_cpu')}:`;
  // One clock for both replicas, moved by the test: 10 s windows (1000 ms burst / 100 ms per second).
  let now = 1_000_000;
  const options = { perSecondMs: 100, burstMs: 1000, now: () => now };
  let kvA: RedisKeyValue, kvB: RedisKeyValue;
  let replicaA: CpuBudget, replicaB: CpuBudget;
  const owners = ['7', '8', '9'];
  before(() => {
    kvA = new RedisKeyValue({ url: redis.url, prefix });
    kvB = new RedisKeyValue({ url: redis.url, prefix });
    replicaA = new CpuBudget(kvA, options);
    replicaB = new CpuBudget(kvB, options);
  });
  after(async () => {
    // The bucket's keys also expire by themselves (twice the window); the test leaves none behind.
    for (const owner of owners) for (let w = 99; w <= 102; w++) await kvA.delete(`script-cpu:${owner}:${w}`);
    await kvA.close();
    await kvB.close();
  });

  test('what either replica charges empties the one bucket both read; other owners are untouched', async () => {
    for (let i = 0; i < 10; i++) await replicaA.charge('7', 50);
    for (let i = 0; i < 9; i++) await replicaB.charge('7', 50);
    assert.equal(await replicaA.spent('7'), 950);
    assert.ok((await replicaA.allows('7')) && (await replicaB.allows('7')), 'neither replica alone spent the bucket, nor both yet');
    await replicaB.charge('7', 50);
    assert.equal(await replicaA.allows('7'), false, 'replica A refuses what replica B spent');
    assert.equal(await replicaB.allows('7'), false);
    assert.ok((await replicaA.allows('8')) && (await replicaB.allows('8')), 'another owner has a bucket of its own');
  });

  test('charges racing from both replicas are all counted', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? replicaA : replicaB).charge('9', 7)));
    assert.equal(await replicaB.spent('9'), 420);
    assert.equal(await replicaA.spent('9'), 420);
  });

  test('the bucket refills for both replicas as the window slides', async () => {
    now += 15_000; // the next window is half gone: half of what was spent still counts
    assert.equal(await replicaA.spent('7'), 500);
    assert.ok((await replicaA.allows('7')) && (await replicaB.allows('7')));
    now += 10_000; // two windows on: nothing of it is left
    assert.equal(await replicaB.spent('7'), 0);
  });
});
