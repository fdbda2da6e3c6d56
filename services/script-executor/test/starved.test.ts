// A script's CPU limit counts CPU, not the time its thread waited for a core. Under a neighbour's load
// (another `loom up`'s runaway scripts beside this one in CI) runs that needed a millisecond were
// stopped at the 50 ms deadline or the pool's 500 ms cap as if they had looped, and the player read
// "Nothing happens.". Here the pool's worker thread really waits: it is pinned to one CPU beside a
// busy loop, at the lowest priority, so it gets a small share of that core. Linux only (thread CPU
// clocks, and pinning and prioritizing one thread, are Linux's).
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { SandboxPool } from '../src/core/pool.ts';
import { input } from './fixtures.ts';

const linux = process.platform === 'linux';
/** Enough work to take a few ms of CPU, far below the default 50 ms limit. */
const work = 'let sum = 0; for (let i = 0; i < 20000; i++) sum += i % 7; emit(String(sum));';
const cpuMs = 50;

/** The first CPU this process may run on. */
function firstCpu(): string {
  const list = execFileSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' }).split(':').pop()!.trim();
  return list.split(/[,-]/)[0]!;
}

describe('script runs on a starved machine (Linux)', { skip: !linux && 'thread CPU clocks are read from Linux /proc' }, () => {
  let pool: SandboxPool;
  let burner: ChildProcess;
  before(async () => {
    const threadsBefore = new Set(readdirSync('/proc/self/task'));
    pool = new SandboxPool({ size: 1 });
    await pool.ready();
    // Compiled and warm before the starvation: the runs below pay only for running.
    assert.equal((await pool.run(input(work, { limits: { cpuMs } }))).error, undefined);
    const cpu = firstCpu();
    burner = spawn('taskset', ['-c', cpu, process.execPath, '-e', "process.stdout.write('on'); for (;;);"], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => burner.stdout!.once('data', resolve));
    // The threads the pool started (its worker among them) share that CPU, at the lowest priority.
    for (const tid of readdirSync('/proc/self/task').filter((t) => !threadsBefore.has(t))) {
      execFileSync('taskset', ['-p', '-c', cpu, tid], { stdio: 'ignore' });
      setPriority(Number(tid), 19);
    }
  });
  after(async () => {
    burner?.kill('SIGKILL');
    await pool?.close();
  });

  test('a run that needs little CPU completes though its thread waited past its limit for a core', async () => {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 3 }, () => pool.run(input(work, { limits: { cpuMs } }))));
    const waited = performance.now() - started;
    assert.ok(waited > cpuMs, `the runs waited for the CPU (${waited.toFixed(0)} ms): without that this test shows nothing`);
    for (const result of results) {
      assert.equal(result.error, undefined);
      assert.deepEqual(result.effects, [{ emit: { text: '59997' } }]);
      // Charged the CPU it used (the owner's budget and the fair queue's order read this), not its wait.
      assert.ok(result.cpuMs < waited, `charged ${result.cpuMs.toFixed(1)} ms of ${waited.toFixed(0)} ms waited`);
    }
    assert.equal(pool.restarts, 0, 'no worker was taken for a runaway');
  });

  test('a runaway is still stopped at its CPU limit, by the sandbox', async () => {
    const result = await pool.run(input('while (true) {}', { limits: { cpuMs: 10 } }));
    assert.equal(result.errorKind, 'timeout');
    assert.match(result.error!, /longer than its 10 ms limit/);
    assert.equal(pool.restarts, 0);
  });
});
