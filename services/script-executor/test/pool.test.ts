// The worker pool: runs in worker threads, isolates runaways, replaces dead workers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryKeyValue } from '@loom/runtime/kv/memory-kv.ts';
import { CpuBudget } from '../src/core/cpu-budget.ts';
import { SandboxPool } from '../src/core/pool.ts';
import { input } from './fixtures.ts';

describe('SandboxPool', () => {
  let pool: SandboxPool;
  before(async () => {
    pool = new SandboxPool({ size: 2 });
    await pool.ready();
  });
  after(() => pool.close());

  test('runs scripts in workers (tsx-loaded TypeScript) and returns their effects', async () => {
    const r = await pool.run(input('emitRoom(`${self.name} squawks: ${event.text}!`);'));
    assert.deepEqual(r.effects, [{ emitRoom: { text: 'Polly squawks: hello!' } }]);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => pool.run(input(`emit(${i})`))));
    assert.deepEqual(many.map((m) => m.effects[0]?.emit?.text), Array.from({ length: 50 }, (_, i) => String(i)));
  });

  test('a runaway ties up one worker; the other runs complete while it still runs', async () => {
    // How long the quick runs take behind a runaway is measured in bench/script-sandbox.bench.ts.
    let runawayDone = false;
    const runaway = pool.run(input('while (true) {}', { limits: { cpuMs: 10_000 } })).finally(() => (runawayDone = true));
    await new Promise((r) => setTimeout(r, 20)); // let it start
    const quick = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(input(`emit(${i})`))));
    assert.ok(quick.every((q) => q.error === undefined));
    assert.equal(runawayDone, false, 'all twenty answered before the runaway was stopped');
    const r = await runaway;
    assert.equal(r.errorKind, 'timeout');
    assert.equal(pool.restarts, 0, 'the sandbox stopped it; no worker had to die');
  });

  test('deep native recursion is a stack error in a worker (its big native stack lets QuickJS catch it)', async () => {
    const r = await pool.run(input('let a = []; for (let i = 0; i < 100000; i++) a = [a]; String(a);', { limits: { cpuMs: 2000 } }));
    assert.equal(r.errorKind, 'stack');
    assert.equal(r.line, 1);
  });
});

describe('SandboxPool hard cap and crashes', () => {
  test('a worker stuck past the wall-clock cap is killed and replaced; its batch-mates still run', async () => {
    // A cap below the CPU limit stands in for a native call that never reaches the interrupt handler.
    const pool = new SandboxPool({ size: 1, hardCapFactor: 0.5, minHardCapMs: 0 });
    try {
      await pool.ready();
      const slow = { limits: { cpuMs: 4000 } }; // generous caps for the innocent runs on a cold worker
      const first = pool.run(input('emit("first")', slow));
      // These three queue behind `first` and go to the worker as one batch.
      const before = pool.run(input('emit("before")', slow));
      const stuck = pool.run(input('while (true) {}', { limits: { cpuMs: 400 } }));
      const afterIt = pool.run(input('emit("after")', slow));
      assert.deepEqual((await first).effects, [{ emit: { text: 'first' } }]);
      const r = await stuck;
      assert.equal(r.errorKind, 'timeout');
      assert.match(r.error ?? '', /stopped after 200 ms/);
      assert.deepEqual((await before).effects, [{ emit: { text: 'before' } }]);
      assert.deepEqual((await afterIt).effects, [{ emit: { text: 'after' } }]);
      assert.equal(pool.restarts, 1);
    } finally {
      await pool.close();
    }
  });

  test('a crashed worker answers its run with an error and is replaced', async () => {
    const pool = new SandboxPool({ size: 1 });
    try {
      await pool.ready();
      const inFlight = pool.run(input('while (true) {}', { limits: { cpuMs: 5000 } }));
      const slot = (pool as unknown as { slots: Array<{ progress: SharedArrayBuffer; worker?: { terminate(): Promise<number> } }> }).slots[0]!;
      // Wait until the worker has started the run (it publishes the run's id in shared memory)...
      while (Atomics.load(new Int32Array(slot.progress, 0, 1), 0) === 0) await new Promise((r) => setTimeout(r, 5));
      // ...then, standing in for a crash, kill the thread under the pool's feet.
      await slot.worker?.terminate();
      const r = await inFlight;
      assert.equal(r.errorKind, 'internal');
      assert.match(r.error ?? '', /crashed/);
      assert.deepEqual((await pool.run(input('emit("back")'))).effects, [{ emit: { text: 'back' } }]);
      assert.equal(pool.restarts, 1);
    } finally {
      await pool.close();
    }
  });

  test('close() answers queued runs and refuses new ones', async () => {
    const pool = new SandboxPool({ size: 1 });
    const queued = pool.run(input('emit(1)'));
    await pool.close();
    assert.equal((await queued).errorKind, 'internal');
    assert.match((await pool.run(input('emit(2)'))).error ?? '', /closed/);
  });
});

// Issue 11, attack 7: four accounts whose scripts loop must not starve a fifth.
describe('fairness across owners', () => {
  test('with four owners looping, a fifth owner\'s run goes first once a worker is free', async () => {
    const pool = new SandboxPool({ size: 1 });
    try {
      await pool.ready();
      const finished: string[] = [];
      const loop = { limits: { cpuMs: 30 } };
      const abusers = ['a1', 'a2', 'a3', 'a4'].flatMap((owner) =>
        Array.from({ length: 5 }, () => pool.run(input('while (true) {}', loop), owner).then((r) => (finished.push(owner), r))),
      );
      // Each abuser's first run has been costed (taken alone, at full limit) before the fifth owner asks.
      while (finished.length < 4) await new Promise((r) => setTimeout(r, 5));
      const innocent = await pool.run(input('emit("still here")'), 'bystander');
      finished.push('bystander');
      assert.deepEqual(innocent.effects, [{ emit: { text: 'still here' } }]);
      const results = await Promise.all(abusers);
      assert.ok(results.every((r) => r.errorKind === 'timeout'));
      // Served ahead of the 16 runs the abusers still had waiting, not behind them.
      assert.ok(finished.indexOf('bystander') <= 5, finished.join(' '));
      assert.equal(pool.restarts, 0);
    } finally {
      await pool.close();
    }
  });
});

describe('CpuBudget', () => {
  test('an owner who spent the bucket is refused until it refills; others are not affected', async () => {
    let now = 1_000_000;
    const kv = new MemoryKeyValue();
    const budget = new CpuBudget(kv, { perSecondMs: 100, burstMs: 1000, now: () => now });
    assert.ok(await budget.allows(7));
    for (let i = 0; i < 20; i++) await budget.charge(7, 50); // twenty runs at a 50 ms limit
    assert.equal(await budget.allows(7), false);
    assert.ok(await budget.allows(8), 'another owner has its own bucket');
    assert.match(budget.refusal, /100 ms per second, 1000 ms at once/);
    now += 15_000; // the window (burst / rate = 10 s) and half of the next have passed
    assert.ok(await budget.allows(7));
    await kv.close();
  });
});
