import type { Route } from '@loom/proto';

/** Work that must be done once (script runs): each job goes to one consumer, acknowledged when done. A backend
 * carries the payload as bytes (an encoded protobuf message); services see it decoded. */
export interface Job<T = Uint8Array> {
  id: string;
  queue: string;
  payload: T;
  /** 1 on the first delivery. */
  attempt: number;
  headers: Record<string, string>;
}

export interface ConsumeOptions {
  /** Jobs in flight at once for this consumer (AMQP prefetch). Default 8. */
  prefetch?: number;
  /** Deliveries before a failing job goes to the dead-letter queue. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt. Default 200 ms. */
  backoffMs?: number;
}

/** Resolving acknowledges the job; throwing schedules a retry, or dead-letters it after maxAttempts. */
export type JobHandler<T = Uint8Array> = (job: Job<T>) => Promise<void>;

export interface Consumer {
  /** Stops taking new jobs and waits for those in flight. */
  stop(): Promise<void>;
}

/** What a queue backend does (MemoryQueue, AmqpQueue), with payloads as bytes. */
export interface ByteQueue {
  readonly kind: 'memory' | 'amqp';
  /** Resolves once the job is durably accepted (broker confirm). */
  enqueue(queue: string, payload: Uint8Array, headers?: Record<string, string>): Promise<string>;
  consume(queue: string, handler: JobHandler, options?: ConsumeOptions): Promise<Consumer>;
  /** Jobs that failed maxAttempts times, oldest first; they are removed from the dead-letter queue. */
  drainDeadLetters(queue: string, max?: number): Promise<Job[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The job queues of libs/proto's registry (`jobQueues.scriptRun`, ...), each job carried encoded. */
export interface JobQueue {
  readonly kind: ByteQueue['kind'];
  enqueue<T>(queue: Route<T>, payload: T, headers?: Record<string, string>): Promise<string>;
  /** A job that does not decode as the queue's type fails like one whose handler threw. */
  consume<T>(queue: Route<T>, handler: JobHandler<T>, options?: ConsumeOptions): Promise<Consumer>;
  drainDeadLetters<T>(queue: Route<T>, max?: number): Promise<Array<Job<T>>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The queue services use, over a backend: jobs are encoded and decoded here, by their queue's codec. */
export function typedQueue(bytes: ByteQueue): JobQueue {
  const decoded = <T>(queue: Route<T>, job: Job): Job<T> => ({ ...job, payload: queue.codec.decode(job.payload) });
  return {
    kind: bytes.kind,
    enqueue: (queue, payload, headers) => bytes.enqueue(queue.name, queue.codec.encode(payload).finish(), headers),
    consume: (queue, handler, options) => bytes.consume(queue.name, (job) => handler(decoded(queue, job)), options),
    drainDeadLetters: async (queue, max) => (await bytes.drainDeadLetters(queue.name, max)).map((job) => decoded(queue, job)),
    ping: () => bytes.ping(),
    close: () => bytes.close(),
  };
}

/** The options with their documented defaults filled in; rejects values that would stall or spin a consumer. */
export function consumeDefaults(options: ConsumeOptions = {}): Required<ConsumeOptions> {
  const resolved = { prefetch: options.prefetch ?? 8, maxAttempts: options.maxAttempts ?? 5, backoffMs: options.backoffMs ?? 200 };
  if (!Number.isInteger(resolved.prefetch) || resolved.prefetch < 1) throw new RangeError(`prefetch must be a positive integer, got ${resolved.prefetch}`);
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${resolved.maxAttempts}`);
  if (!(resolved.backoffMs >= 0)) throw new RangeError(`backoffMs must be >= 0, got ${resolved.backoffMs}`);
  return resolved;
}

/** Delay before delivering `attempt + 1` after `attempt` failed. */
export function retryDelayMs(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** (attempt - 1);
}
