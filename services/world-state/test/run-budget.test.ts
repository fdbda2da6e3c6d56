// Runs per owner per second: the token bucket world-state's scripting starts runs through.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunBudget } from '../src/core/scripting/run-budget.ts';

describe('RunBudget', () => {
  test('allows perSecond runs per owner, refills over time, owners independent', () => {
    let now = 0;
    const budget = new RunBudget({ perSecond: 20, now: () => now });
    for (let i = 0; i < 20; i++) assert.ok(budget.tryTake(1), `run ${i}`);
    assert.equal(budget.tryTake(1), false);
    assert.ok(budget.tryTake(2), 'another owner has its own budget');
    now += 100; // 0.1 s -> 2 runs
    assert.equal(budget.remaining(1), 2);
    assert.ok(budget.tryTake(1) && budget.tryTake(1));
    assert.equal(budget.tryTake(1), false);
    now += 60_000;
    assert.equal(budget.remaining(1), 20, 'never more than the burst');
  });

  test('forgets idle owners when it tracks too many', () => {
    let now = 0;
    const budget = new RunBudget({ perSecond: 1, maxOwners: 3, now: () => now });
    for (const o of [1, 2, 3]) budget.tryTake(o);
    now += 5000;
    budget.tryTake(4);
    const size = (budget as unknown as { buckets: Map<number, unknown> }).buckets.size;
    assert.equal(size, 1);
  });
});
