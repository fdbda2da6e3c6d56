// The service's side of the physics worker thread. The main thread never simulates, so it (and in the
// all-in-one, world-state's tick on the same event loop) never waits on a step.
//
// Step is pipelined: step() hands this tick's inputs to the thread and answers at once with what
// finished since the last call — at 20 Hz normally the previous tick, so world-state applies tick N-1's
// result while tick N simulates. When the thread is still busy, the new tick waits as the one queued
// step, and ticks arriving meanwhile are merged into it (pipeline.ts): the queue never grows, physics
// slows down instead of falling further behind, and the answer's `tick` shows how far behind it is.
// A request with `wait` set waits for that tick's own result instead (tools, tests, the benchmark).
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@loom/runtime/worker-thread.ts';
import type { StepRequest, StepResult } from '@loom/proto';
import type { OpName, PhysicsOps } from './engine.ts';
import { PhysicsError } from './errors.ts';
import { coalesce, merge, nothingNew } from './pipeline.ts';

interface Call {
  resolve(value: unknown): void;
  reject(error: Error): void;
}
interface Waiter extends Call {
  seq: number;
}

export class PhysicsThread {
  private worker!: Worker;
  private ready!: Promise<void>;
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private closed = false;
  private seq = 0;
  private running = false;
  private queued?: { seq: number; request: StepRequest };
  private unread?: StepResult;
  private lastTick = 0;
  private readonly waiters: Waiter[] = [];
  /** Each finished step's own result, before merging: where metrics are taken. */
  onStep?: (result: StepResult) => void;
  /** Ticks merged into a later step because the thread was still busy. */
  coalesced = 0;
  /** Threads that died (a Rapier panic) and were replaced, losing their regions. */
  restarts = 0;
  onRestart?: (why: Error) => void;

  static async start(): Promise<PhysicsThread> {
    const thread = new PhysicsThread();
    thread.spawn();
    await thread.ready;
    return thread;
  }

  private spawn(): void {
    const worker = startModuleWorker(import.meta.url, 'worker');
    this.worker = worker;
    let started = false;
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (message: { ready?: true; id: number; result?: unknown; error?: { code: PhysicsError['code']; message: string } }) => {
        if (message.ready) {
          started = true;
          return resolve();
        }
        const call = this.calls.get(message.id);
        this.calls.delete(message.id);
        if (message.error) call?.reject(new PhysicsError(message.error.code, message.error.message));
        else call?.resolve(message.result);
      });
      worker.on('error', (error) => reject(error));
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        const why = new PhysicsError('UNAVAILABLE', `the physics thread stopped (exit code ${code}); its regions are gone`);
        for (const call of this.calls.values()) call.reject(why);
        this.calls.clear();
        reject(why);
        // One that never started would fail again the same way: ready() reports it instead.
        if (!this.closed && started) {
          this.restarts++;
          this.onRestart?.(why);
          this.spawn();
        }
      });
    });
    this.ready.catch(() => undefined);
  }

  /** Throws while the thread is not running. */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** One operation on the thread; answered in the order sent, after the steps sent before it. */
  call<K extends OpName>(op: K, arg: Parameters<PhysicsOps[K]>[0]): Promise<ReturnType<PhysicsOps[K]>> {
    if (this.closed) return Promise.reject(new PhysicsError('UNAVAILABLE', 'the physics thread is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, op, arg });
    });
  }

  step(request: StepRequest): Promise<StepResult> {
    const seq = ++this.seq;
    if (!this.running) this.launch(seq, request);
    else {
      if (this.queued) this.coalesced++;
      this.queued = { seq, request: this.queued ? coalesce(this.queued.request, request) : request };
    }
    if (!request.wait) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve: resolve as (value: unknown) => void, reject }));
  }

  private launch(seq: number, request: StepRequest): void {
    this.running = true;
    this.call('step', request).then(
      (result) => {
        this.onStep?.(result);
        this.unread = this.unread ? merge(this.unread, result) : result;
        this.lastTick = result.tick;
        this.settle(seq);
      },
      (error: Error) => this.settle(seq, error),
    );
  }

  /** Step `seq` is over: answer whoever waits for it (or an earlier one), then start the queued step. */
  private settle(seq: number, error?: Error): void {
    this.running = false;
    for (const waiter of this.waiters.filter((w) => w.seq <= seq)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      if (error) waiter.reject(error);
      else waiter.resolve(this.take());
    }
    const next = this.queued;
    this.queued = undefined;
    if (next && !this.closed) this.launch(next.seq, next.request);
  }

  private take(): StepResult {
    const result = this.unread ?? nothingNew(this.lastTick);
    this.unread = undefined;
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const why = new PhysicsError('UNAVAILABLE', 'the physics thread is closed');
    for (const waiter of this.waiters.splice(0)) waiter.reject(why);
    await this.worker.terminate();
  }
}
