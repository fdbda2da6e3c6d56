// The job queue without RabbitMQ: an in-process worker pool. Jobs, retries and dead letters live only as long as the instance.
import { randomUUID } from 'node:crypto';
import { silentLogger, type Logger } from '../logger.ts';
import { consumeDefaults, retryDelayMs, type Consumer, type ConsumeOptions, type Job, type JobHandler, type ByteQueue } from './queue.ts';

type Stored = Omit<Job, 'queue'>;

interface Worker {
  handler: JobHandler;
  options: Required<ConsumeOptions>;
  running: Set<Promise<void>>;
}

interface Lane {
  name: string;
  ready: Stored[];
  workers: Worker[];
  /** Round-robin cursor into workers, so competing consumers share the work. */
  next: number;
  retries: Set<NodeJS.Timeout>;
  dead: Stored[];
}

export class MemoryQueue implements ByteQueue {
  readonly kind = 'memory' as const;
  readonly #lanes = new Map<string, Lane>();
  readonly #logger: Logger;
  #closing?: Promise<void>;

  constructor(options: { logger?: Logger } = {}) {
    this.#logger = options.logger ?? silentLogger;
  }

  async enqueue(queue: string, payload: Uint8Array, headers: Record<string, string> = {}): Promise<string> {
    this.#assertOpen();
    const id = randomUUID();
    const lane = this.#lane(queue);
    lane.ready.push({ id, payload: payload.slice(), attempt: 1, headers: { ...headers } });
    this.#dispatch(lane);
    return id;
  }

  async consume(queue: string, handler: JobHandler, options?: ConsumeOptions): Promise<Consumer> {
    this.#assertOpen();
    const worker: Worker = { handler, options: consumeDefaults(options), running: new Set() };
    const lane = this.#lane(queue);
    lane.workers.push(worker);
    this.#refRetries(lane);
    this.#dispatch(lane);
    let stopping: Promise<void> | undefined;
    return { stop: () => (stopping ??= this.#stop(lane, worker)) };
  }

  async drainDeadLetters(queue: string, max = Infinity): Promise<Job[]> {
    const dead = this.#lanes.get(queue)?.dead.splice(0, max) ?? [];
    return dead.map((job) => ({ ...job, queue, payload: job.payload.slice(), headers: { ...job.headers } }));
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  /** Waits for running handlers, since a job cut off here could never be redelivered; queued jobs are dropped. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#lanes.values()].flatMap((lane) => [...lane.workers].map((worker) => this.#stop(lane, worker))));
      for (const lane of this.#lanes.values()) lane.retries.forEach((timer) => clearTimeout(timer));
      this.#lanes.clear();
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('MemoryQueue is closed');
  }

  #lane(name: string): Lane {
    let lane = this.#lanes.get(name);
    if (!lane) {
      lane = { name, ready: [], workers: [], next: 0, retries: new Set(), dead: [] };
      this.#lanes.set(name, lane);
    }
    return lane;
  }

  async #stop(lane: Lane, worker: Worker): Promise<void> {
    const index = lane.workers.indexOf(worker);
    if (index >= 0) lane.workers.splice(index, 1);
    this.#refRetries(lane);
    await Promise.all(worker.running);
  }

  #dispatch(lane: Lane): void {
    while (lane.ready.length > 0) {
      const worker = this.#idleWorker(lane);
      if (!worker) return;
      this.#run(lane, worker, lane.ready.shift()!);
    }
  }

  #idleWorker(lane: Lane): Worker | undefined {
    const count = lane.workers.length;
    for (let step = 0; step < count; step++) {
      const index = (lane.next + step) % count;
      const worker = lane.workers[index]!;
      if (worker.running.size < worker.options.prefetch) {
        lane.next = (index + 1) % count;
        return worker;
      }
    }
    return undefined;
  }

  #run(lane: Lane, worker: Worker, job: Stored): void {
    const delivery: Job = { ...job, queue: lane.name, payload: job.payload.slice(), headers: { ...job.headers } };
    // Started on a microtask so the job counts against prefetch before the handler can enqueue more work.
    const run: Promise<void> = Promise.resolve()
      .then(() => worker.handler(delivery))
      .catch((error: unknown) => this.#failed(lane, worker.options, job, error))
      .finally(() => {
        worker.running.delete(run);
        this.#dispatch(lane);
      });
    worker.running.add(run);
  }

  #failed(lane: Lane, options: Required<ConsumeOptions>, job: Stored, error: unknown): void {
    const context = { err: error, queue: lane.name, jobId: job.id, attempt: job.attempt };
    if (job.attempt >= options.maxAttempts) {
      this.#logger.error(context, 'job failed for the last time; dead-lettered');
      lane.dead.push(job);
      return;
    }
    this.#logger.warn(context, 'job failed; will retry');
    const timer = setTimeout(() => {
      lane.retries.delete(timer);
      lane.ready.push({ ...job, attempt: job.attempt + 1 });
      this.#dispatch(lane);
    }, retryDelayMs(options.backoffMs, job.attempt));
    lane.retries.add(timer);
    this.#refRetries(lane);
  }

  /** A pending retry keeps the process alive only while someone is consuming the queue it returns to. */
  #refRetries(lane: Lane): void {
    for (const timer of lane.retries) {
      if (lane.workers.length > 0) timer.ref();
      else timer.unref();
    }
  }
}
