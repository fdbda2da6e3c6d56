/** Work that must be done once (script runs, save batches): each job goes to one consumer, acknowledged when done. */
export interface Job {
  id: string;
  queue: string;
  payload: unknown;
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
export type JobHandler = (job: Job) => Promise<void>;

export interface Consumer {
  /** Stops taking new jobs and waits for those in flight. */
  stop(): Promise<void>;
}

export interface JobQueue {
  readonly kind: 'memory' | 'amqp';
  /** Resolves once the job is durably accepted (broker confirm). */
  enqueue(queue: string, payload: unknown, headers?: Record<string, string>): Promise<string>;
  consume(queue: string, handler: JobHandler, options?: ConsumeOptions): Promise<Consumer>;
  /** Jobs that failed maxAttempts times, oldest first; they are removed from the dead-letter queue. */
  drainDeadLetters(queue: string, max?: number): Promise<Job[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
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
