// A pool worker: one Sandbox (two WebAssembly instances) per thread, runs one at a time.
// Protocol: parent -> { batch: [{ id, input }...] }; worker -> { ready: true, cpuFd } once, then
// { results: [{ id, result }...] } per batch. Batches amortise the per-message cost under load.
// Before each run the worker publishes (run id, start time) in shared memory, so the pool's
// watchdog knows exactly which run a stuck or dead worker was executing.
import { parentPort, workerData } from 'node:worker_threads';
import { Sandbox, type SandboxOptions } from './sandbox.ts';
import { ThreadCpuClock } from './thread-cpu.ts';
import type { SandboxInput, SandboxResult } from './view.ts';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
const { progress, ...options } = workerData as SandboxOptions & { progress: SharedArrayBuffer };
const runningId = new Int32Array(progress, 0, 1);
const startedAt = new Float64Array(progress, 8, 1);
const cpu = ThreadCpuClock.ofThisThread();
const sandbox = await Sandbox.create(options, cpu);

port.on('message', (msg: { batch: Array<{ id: number; input: SandboxInput }> }) => {
  const results: Array<{ id: number; result: SandboxResult }> = [];
  for (const { id, input } of msg.batch) {
    Atomics.store(runningId, 0, 0);
    startedAt[0] = performance.timeOrigin + performance.now();
    Atomics.store(runningId, 0, id);
    results.push({ id, result: sandbox.run(input) });
  }
  Atomics.store(runningId, 0, 0);
  port.postMessage({ results });
  // Rebuild a runtime dirtied by a run now, after answering, not on the next run's clock.
  setImmediate(() => sandbox.maintain());
});
// The pool's watchdog reads this thread's CPU clock too, and closes it once the thread is gone.
port.postMessage({ ready: true, cpuFd: cpu?.fd });
