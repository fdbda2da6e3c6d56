// A pool of worker threads, each running a Sandbox. The sandbox enforces the CPU deadline itself;
// the pool is the backstop for what it can't catch: a worker that crashes, or one stuck past a
// hard cap (a long native call that never reaches the interrupt handler). The cap is on the CPU the
// worker's thread used (thread-cpu.ts), so a busy machine's waits for a core do not count; where
// threads have no CPU clock, on wall-clock time. Such a worker
// is terminated and replaced; the run it was executing is answered with an error and the other
// runs of its batch are queued again. Runs queue while all workers are busy.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@loom/runtime/worker-thread.ts';
import { FairQueue, type Owner } from './fair-queue.ts';
import type { SandboxOptions } from './sandbox.ts';
import { ThreadCpuClock } from './thread-cpu.ts';
import { resolveLimits, type SandboxInput, type SandboxResult } from './view.ts';

export interface PoolOptions extends SandboxOptions {
  /** Worker threads (default: os.availableParallelism()). */
  size?: number;
  /** A run is killed after hardCapFactor x its CPU limit of CPU time (default 10)... */
  hardCapFactor?: number;
  /** ...but never sooner than this, so a busy machine isn't mistaken for a runaway (default 250 ms). */
  minHardCapMs?: number;
  /** Most runs sent to a worker in one message (default 32); batches form only when runs queue. */
  maxBatch?: number;
}

interface Job {
  id: number;
  owner: Owner;
  input: SandboxInput;
  resolve: (r: SandboxResult) => void;
  queuedAt: number;
  /** Times its worker died under it while it waited in a batch. */
  requeued: number;
}

interface Slot {
  /** Undefined while a replacement waits out its back-off delay. */
  worker?: Worker;
  ready: boolean;
  batch: Job[];
  /** Shared with the worker: [Int32 id of the run in progress (0: none), pad, Float64 its start time]. */
  progress: SharedArrayBuffer;
  /** Consecutive workers that died before becoming ready. */
  failures: number;
  /** The worker thread's CPU clock, once it is ready. */
  cpu?: ThreadCpuClock;
  /** The run the watchdog last saw executing, with the wall and CPU clocks when it first saw it. */
  seen?: { id: number; wallMs: number; cpuMs: number };
}

const WATCHDOG_MS = 10;
const now = (): number => performance.timeOrigin + performance.now();

function startWorker(workerData: SandboxOptions & { progress: SharedArrayBuffer }): Worker {
  // Workers get a big native stack: wasm frames live on it, and QuickJS's stack check (on its own,
  // smaller stack) must trip first even in recursive native paths (see sandbox.ts).
  return startModuleWorker(import.meta.url, 'worker', { resourceLimits: { stackSizeMb: 64, maxOldGenerationSizeMb: 256 }, workerData });
}

export class SandboxPool {
  private readonly slots: Slot[] = [];
  private readonly queue = new FairQueue<Job>();
  private readonly options: Required<Pick<PoolOptions, 'hardCapFactor' | 'minHardCapMs' | 'maxBatch'>>;
  private readonly sandboxOptions: SandboxOptions;
  private readonly watchdog: NodeJS.Timeout;
  private nextId = 1;
  private closed = false;
  /** Workers terminated or crashed and replaced, for tests and metrics. */
  restarts = 0;

  constructor(options: PoolOptions = {}) {
    this.options = { hardCapFactor: options.hardCapFactor ?? 10, minHardCapMs: options.minHardCapMs ?? 250, maxBatch: options.maxBatch ?? 32 };
    this.sandboxOptions = { memoryBytes: options.memoryBytes };
    for (let i = 0; i < Math.max(1, options.size ?? availableParallelism()); i++) {
      const slot: Slot = { ready: false, batch: [], progress: new SharedArrayBuffer(16), failures: 0 };
      this.slots.push(slot);
      this.start(slot);
    }
    this.watchdog = setInterval(() => this.watch(), WATCHDOG_MS).unref();
  }

  get size(): number {
    return this.slots.length;
  }

  /** Resolves when every worker has loaded its sandbox (runs queue until then anyway). */
  async ready(): Promise<void> {
    while (!this.closed && this.slots.some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 10));
  }

  /** Runs a script; runs wait in a queue fair across owners (see fair-queue.ts). */
  run(input: SandboxInput, owner: Owner = ''): Promise<SandboxResult> {
    if (this.closed) return Promise.resolve(failure('internal', 'the script pool is closed', 0));
    return new Promise((resolve) => {
      const done = (r: SandboxResult): void => {
        this.queue.done(owner, r.cpuMs);
        resolve(r);
      };
      this.queue.push({ id: this.nextId++, owner, input, resolve: done, queuedAt: performance.now(), requeued: 0 });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    const pending = [...this.queue.drain(), ...this.slots.flatMap((s) => s.batch.splice(0))];
    for (const job of pending) job.resolve(failure('internal', 'the script pool is closed', 0));
    await Promise.all(this.slots.map((s) => s.worker?.terminate()));
    for (const slot of this.slots) slot.cpu?.close();
  }

  private dispatch(): void {
    const idle = this.slots.filter((s) => s.worker && s.ready && s.batch.length === 0);
    for (const [i, slot] of idle.entries()) {
      if (this.queue.size === 0) return;
      // Share what is queued among the idle workers rather than handing it all to the first.
      const n = Math.min(this.options.maxBatch, Math.ceil(this.queue.size / (idle.length - i)));
      slot.batch = this.queue.take(n);
      slot.worker!.postMessage({ batch: slot.batch.map((j) => ({ id: j.id, input: j.input })) });
    }
  }

  /** Finds a worker stuck on one run past that run's hard cap. */
  private watch(): void {
    const t = now();
    for (const slot of this.slots) {
      if (slot.batch.length === 0) continue;
      const job = this.running(slot);
      if (!job) continue;
      const started = new Float64Array(slot.progress, 8, 1)[0]!;
      if (slot.seen?.id !== job.id) slot.seen = { id: job.id, wallMs: t, cpuMs: slot.cpu?.nowMs() ?? 0 };
      const cap = Math.max(this.options.minHardCapMs, resolveLimits(job.input.limits).cpuMs * this.options.hardCapFactor);
      if (this.running(slot) === job && t - started > cap && !(this.usedAtMost(slot, slot.seen, started, t) <= cap)) {
        this.replace(slot, 'timeout', `the script was stopped after ${cap} ms`);
      }
    }
  }

  /**
   * At most how much CPU (ms) the slot's run has used: its wall-clock time until the watchdog first
   * saw it, then what the thread's CPU clock says. Without a clock, its wall-clock time.
   */
  private usedAtMost(slot: Slot, seen: { wallMs: number; cpuMs: number }, started: number, t: number): number {
    return slot.cpu ? seen.wallMs - started + (slot.cpu.nowMs() - seen.cpuMs) : t - started;
  }

  /** The run a worker is executing right now, read from shared memory. */
  private running(slot: Slot): Job | undefined {
    const id = Atomics.load(new Int32Array(slot.progress, 0, 1), 0);
    return id === 0 ? undefined : slot.batch.find((j) => j.id === id);
  }

  private start(slot: Slot): void {
    Atomics.store(new Int32Array(slot.progress, 0, 1), 0, 0);
    const worker = startWorker({ ...this.sandboxOptions, progress: slot.progress });
    Object.assign(slot, { worker, ready: false });
    // Events of a worker that was already replaced are ignored.
    worker.on('message', (msg: { ready?: true; cpuFd?: number; results?: Array<{ id: number; result: SandboxResult }> }) => {
      if (slot.worker !== worker) return;
      if (msg.ready) Object.assign(slot, { ready: true, failures: 0, cpu: msg.cpuFd === undefined ? undefined : ThreadCpuClock.adopt(msg.cpuFd) });
      for (const { id, result } of msg.results ?? []) slot.batch.find((j) => j.id === id)?.resolve(result);
      if (msg.results) slot.batch = [];
      this.dispatch();
    });
    // 'error' (an uncaught exception in the worker) is always followed by 'exit'.
    worker.on('error', () => {});
    worker.on('exit', () => {
      if (slot.worker === worker) this.replace(slot, 'internal', 'the sandbox worker crashed');
    });
  }

  /** Terminates a slot's worker, answers the run it was executing, requeues the rest of its batch
   * (their results died with the worker; effects are only recorded, so running them again is safe),
   * and starts a new worker in its place. */
  private replace(slot: Slot, kind: 'timeout' | 'internal', message: string): void {
    const culprit = this.running(slot);
    const { worker, cpu } = slot;
    void worker?.terminate().then(() => cpu?.close());
    for (const job of slot.batch) {
      // A run whose workers keep dying outside any run's watch is given up on, not retried forever.
      if (job === culprit || ++job.requeued > 2) job.resolve(failure(kind, message, performance.now() - job.queuedAt));
    }
    this.queue.requeue(slot.batch.filter((j) => j !== culprit && j.requeued <= 2));
    if (!slot.ready) slot.failures++;
    Object.assign(slot, { worker: undefined, ready: false, batch: [], cpu: undefined, seen: undefined });
    if (this.closed) return;
    this.restarts++;
    // A worker that dies before it is even ready is retried with a growing delay, not in a hot loop.
    if (slot.failures === 0) this.start(slot);
    else setTimeout(() => this.closed || this.start(slot), Math.min(5000, 100 * 2 ** slot.failures)).unref();
    this.dispatch();
  }
}

function failure(kind: 'timeout' | 'internal', message: string, cpuMs: number): SandboxResult {
  return { effects: [], error: message, errorKind: kind, cpuMs };
}
