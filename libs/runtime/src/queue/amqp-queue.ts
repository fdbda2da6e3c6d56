// The job queue on RabbitMQ. Each job queue `q` is three durable queues, all reached through the default exchange:
//   q        the work, consumed with manual acks;
//   q.retry  failed jobs, republished with a per-message expiration; on expiry they dead-letter back to q;
//   q.dead   jobs that failed maxAttempts times, read back with basic.get.
// A retry is a new message, so the attempt number travels in a header rather than in the broker's x-death count.
// A single delay queue means a long retry can hold up a shorter one queued behind it: backoff is a floor, not a schedule.
// A lost connection is made again with backoff, the queues declared again and the consumers resumed; enqueues made
// while the broker is away wait for it. Delivery is at least once: a job cut off in a handler, or a publish whose
// confirm was lost with the connection, goes again.
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type Message, type Options } from 'amqplib';
import { rateLimitedWarn, silentLogger, type Logger, type WarnLine } from '../logger.ts';
import { UnavailableError } from '../transport/errors.ts';
import { consumeDefaults, retryDelayMs, type Consumer, type ConsumeOptions, type Job, type JobHandler, type ByteQueue } from './queue.ts';

export interface AmqpQueueOptions {
  url: string;
  /** Prefixes every queue name, e.g. 'loom.'. */
  prefix: string;
  logger?: Logger;
}

const attemptHeader = 'x-loom-attempt';
/** Enqueues that may wait for the broker at once; past that they fail rather than fill memory. */
const maxHeldWhileDown = 10_000;
/** Seconds of silence after which either side drops the connection, unless the URL says otherwise. */
const defaultHeartbeatS = 10;

/** Milliseconds before reconnect attempt `attempt` (1, 2, ...): doubling from 250 ms, at most 5 s, with jitter. */
export function amqpBackoffMs(attempt: number): number {
  const ceiling = Math.min(250 * 2 ** Math.min(attempt - 1, 5), 5000);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** A broker that stops answering without closing the connection (a cut cable) is noticed by heartbeats. */
function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(defaultHeartbeatS));
  return parsed.toString();
}

interface Subscriber {
  queue: string;
  handler: JobHandler;
  settings: Required<ConsumeOptions>;
  running: Set<Promise<void>>;
  channel?: Channel;
  tag?: string;
  stopping?: Promise<void>;
}
/** Headers RabbitMQ adds when it dead-letters a message; x-death itself is not a string and is dropped anyway. */
const brokerHeader = /^x-(first|last)-death-/;

/** The broker queues behind job queue `queue`. */
export function amqpQueueNames(prefix: string, queue: string): { main: string; retry: string; dead: string } {
  const main = prefix + queue;
  return { main, retry: `${main}.retry`, dead: `${main}.dead` };
}

function decode(queue: string, message: Message): Job {
  const raw = message.properties.headers ?? {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string' && !brokerHeader.test(name)) headers[name] = value;
  }
  return {
    id: String(message.properties.messageId),
    queue,
    payload: new Uint8Array(message.content),
    attempt: Number(raw[attemptHeader] ?? 1),
    headers,
  };
}

/** Acks and nacks on a channel that has since closed throw; the broker has already requeued those messages. */
function quietly(settle: () => void): void {
  try {
    settle();
  } catch {
    // nothing to undo
  }
}

export class AmqpQueue implements ByteQueue {
  readonly kind = 'amqp' as const;
  readonly #url: string;
  readonly #where: string;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #warn: WarnLine;
  /** Undefined while the broker is away. */
  #connection?: ChannelModel;
  readonly #waiting: Array<{ resolve: (connection: ChannelModel) => void; reject: (error: Error) => void }> = [];
  readonly #declared = new Map<string, Promise<void>>();
  readonly #subscribers = new Set<Subscriber>();
  #publisher?: Promise<ConfirmChannel>;
  #retry?: NodeJS.Timeout;
  #closing?: Promise<void>;

  /** Connects once and fails if the broker does not answer (tools, tests). */
  static async connect(options: AmqpQueueOptions): Promise<AmqpQueue> {
    const queue = new AmqpQueue(options);
    queue.#adopt(await connect(queue.#url));
    return queue;
  }

  /** Connects in the background, trying again with backoff until the broker answers; calls wait for it meanwhile. */
  static open(options: AmqpQueueOptions): AmqpQueue {
    const queue = new AmqpQueue(options);
    queue.#reconnect(1, 0);
    return queue;
  }

  private constructor(options: AmqpQueueOptions) {
    this.#url = withHeartbeat(options.url);
    this.#where = new URL(options.url).host;
    this.#prefix = options.prefix;
    this.#logger = options.logger ?? silentLogger;
    this.#warn = rateLimitedWarn(this.#logger, { lines: 3 });
  }

  async enqueue(queue: string, payload: Uint8Array, headers: Record<string, string> = {}): Promise<string> {
    const id = randomUUID();
    const content = Buffer.from(payload);
    for (;;) {
      const connection = await this.#whenUp();
      try {
        await this.#declare(queue);
        await this.#publish(amqpQueueNames(this.#prefix, queue).main, content, { messageId: id, headers: { ...headers, [attemptHeader]: 1 } });
        return id;
      } catch (error) {
        // The close event that says the connection is gone may come just after the failure it caused.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.#closing || this.#connection === connection) throw error;
      }
    }
  }

  async consume(queue: string, handler: JobHandler, options?: ConsumeOptions): Promise<Consumer> {
    const subscriber: Subscriber = { queue, handler, settings: consumeDefaults(options), running: new Set() };
    await this.#whenUp();
    await this.#attach(subscriber);
    this.#subscribers.add(subscriber);
    return { stop: () => (subscriber.stopping ??= this.#detach(subscriber)) };
  }

  async drainDeadLetters(queue: string, max = Infinity): Promise<Job[]> {
    await this.#declare(queue);
    return this.#withChannel(async (channel) => {
      const jobs: Job[] = [];
      while (jobs.length < max) {
        const message = await channel.get(amqpQueueNames(this.#prefix, queue).dead, { noAck: true });
        if (!message) break;
        jobs.push(decode(queue, message));
      }
      return jobs;
    });
  }

  /** Opening and closing a channel takes a round trip to the broker; while it is away this fails at once. */
  ping(): Promise<void> {
    return this.#withChannel(async () => undefined);
  }

  /** Closing the channels hands every unacknowledged job back to the broker, so handlers cut off here run again elsewhere. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#retry);
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('the queue is closed'));
      const channels: Array<Channel | Promise<Channel> | undefined> = [...this.#subscribers].map((s) => s.channel);
      channels.push(this.#publisher);
      for (const channel of channels) await Promise.resolve(channel).then((open) => open?.close()).catch(() => undefined);
      await this.#connection?.close().catch((err: unknown) => this.#logger.warn({ err }, 'rabbitmq connection did not close cleanly'));
    })();
    return this.#closing;
  }

  #adopt(connection: ChannelModel): void {
    this.#connection = connection;
    connection.on('error', (err: Error) => this.#warn({ err, rabbitmq: this.#where }, 'rabbitmq connection error'));
    connection.on('blocked', (reason: string) => this.#logger.warn({ reason }, 'rabbitmq blocked the connection'));
    connection.once('close', () => this.#lost(connection));
  }

  #lost(connection: ChannelModel): void {
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    this.#publisher = undefined;
    this.#declared.clear();
    for (const subscriber of this.#subscribers) subscriber.channel = undefined;
    if (this.#closing) return;
    this.#logger.warn({ rabbitmq: this.#where }, 'rabbitmq connection lost; reconnecting');
    this.#reconnect(1);
  }

  #reconnect(attempt: number, delayMs = amqpBackoffMs(attempt)): void {
    this.#retry = setTimeout(async () => {
      let connection: ChannelModel;
      try {
        connection = await connect(this.#url);
      } catch (err) {
        this.#warn({ err, attempt, rabbitmq: this.#where }, 'rabbitmq unreachable; trying again');
        if (!this.#closing) this.#reconnect(attempt + 1);
        return;
      }
      if (this.#closing) {
        await connection.close().catch(() => undefined);
        return;
      }
      this.#adopt(connection);
      try {
        for (const subscriber of this.#subscribers) if (!subscriber.stopping) await this.#attach(subscriber);
      } catch (err) {
        // Consumers half resumed would leave work undone: start over on a fresh connection.
        this.#logger.error({ err }, 'could not resume the rabbitmq consumers; reconnecting');
        await connection.close().catch(() => undefined);
        return;
      }
      if (this.#connection !== connection) return;
      this.#logger.info({ rabbitmq: this.#where, attempt }, 'rabbitmq connected');
      for (const waiter of this.#waiting.splice(0)) waiter.resolve(connection);
    }, delayMs);
  }

  /** The connection; while the broker is away, waits for it to come back. */
  #whenUp(): Promise<ChannelModel> {
    if (this.#closing) return Promise.reject(new Error('the queue is closed'));
    if (this.#connection) return Promise.resolve(this.#connection);
    if (this.#waiting.length >= maxHeldWhileDown) {
      return Promise.reject(new UnavailableError(`rabbitmq at ${this.#where} is unreachable and ${maxHeldWhileDown} jobs already wait for it`));
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #current(): ChannelModel {
    if (this.#closing) throw new Error('the queue is closed');
    if (!this.#connection) throw new UnavailableError(`rabbitmq at ${this.#where} is unreachable; reconnecting`);
    return this.#connection;
  }

  /** Starts (or resumes, after a reconnect) delivering the subscriber's queue to its handler. */
  async #attach(subscriber: Subscriber): Promise<void> {
    const { queue, settings } = subscriber;
    const connection = this.#current();
    await this.#declare(queue);
    const channel = await connection.createChannel();
    channel.on('error', (err: Error) => this.#logger.error({ err, queue }, 'rabbitmq consumer channel error'));
    try {
      await channel.prefetch(settings.prefetch);
      const { consumerTag } = await channel.consume(amqpQueueNames(this.#prefix, queue).main, (message) => {
        if (!message) {
          this.#logger.warn({ queue }, 'rabbitmq cancelled the consumer');
        } else if (subscriber.stopping) {
          quietly(() => channel.nack(message, false, true));
        } else {
          const run = this.#handle(channel, queue, message, subscriber.handler, settings).finally(() => subscriber.running.delete(run));
          subscriber.running.add(run);
        }
      });
      Object.assign(subscriber, { channel, tag: consumerTag });
      if (subscriber.stopping) await channel.close().catch(() => undefined);
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  async #detach(subscriber: Subscriber): Promise<void> {
    const { channel, tag } = subscriber;
    // Fails only when the channel is already closed, and then nothing more can arrive either.
    if (channel && tag) await channel.cancel(tag).catch(() => undefined);
    await Promise.all(subscriber.running);
    this.#subscribers.delete(subscriber);
    await channel?.close().catch(() => undefined);
  }

  async #handle(channel: Channel, queue: string, message: Message, handler: JobHandler, settings: Required<ConsumeOptions>): Promise<void> {
    let job: Job | undefined;
    try {
      job = decode(queue, message);
      await handler(job);
    } catch (error) {
      const attempt = job?.attempt ?? 1;
      const last = attempt >= settings.maxAttempts;
      const names = amqpQueueNames(this.#prefix, queue);
      const context = { err: error, queue, jobId: message.properties.messageId, attempt };
      try {
        await this.#publish(last ? names.dead : names.retry, message.content, {
          messageId: message.properties.messageId,
          headers: { ...job?.headers, [attemptHeader]: last ? attempt : attempt + 1 },
          expiration: last ? undefined : String(retryDelayMs(settings.backoffMs, attempt)),
        });
        if (last) this.#logger.error(context, 'job failed for the last time; dead-lettered');
        else this.#logger.warn(context, 'job failed; will retry');
      } catch (publishError) {
        // Requeued as it was: redelivered at once with the same attempt number rather than lost.
        this.#logger.error({ ...context, err: publishError, handlerError: String(error) }, 'job failed and could not be rescheduled; requeued');
        quietly(() => channel.nack(message, false, true));
        return;
      }
    }
    quietly(() => channel.ack(message));
  }

  async #publish(queueName: string, content: Buffer, options: Options.Publish): Promise<void> {
    const channel = await this.#publishChannel();
    await new Promise<void>((resolve, reject) => {
      channel.sendToQueue(queueName, content, { ...options, persistent: true, contentType: 'application/octet-stream' }, (err: unknown) =>
        err ? reject(err instanceof Error ? err : new Error(`rabbitmq did not confirm the publish: ${String(err)}`)) : resolve(),
      );
    });
  }

  /** One confirm channel shared by all publishes, reopened on next use if the broker closes it. */
  #publishChannel(): Promise<ConfirmChannel> {
    if (!this.#publisher) {
      const opening = this.#current()
        .createConfirmChannel()
        .then((channel) => {
          channel.on('error', (err: Error) => this.#logger.error({ err }, 'rabbitmq publish channel error'));
          channel.on('close', () => {
            if (this.#publisher === opening) this.#publisher = undefined;
          });
          return channel;
        });
      opening.catch(() => {
        if (this.#publisher === opening) this.#publisher = undefined;
      });
      this.#publisher = opening;
    }
    return this.#publisher;
  }

  /** Declares the queues once per connection; a failed declaration is tried again on next use. */
  #declare(queue: string): Promise<void> {
    let declared = this.#declared.get(queue);
    if (!declared) {
      const names = amqpQueueNames(this.#prefix, queue);
      declared = this.#withChannel(async (channel) => {
        await channel.assertQueue(names.main, { durable: true });
        await channel.assertQueue(names.retry, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: names.main });
        await channel.assertQueue(names.dead, { durable: true });
      });
      declared.catch(() => this.#declared.delete(queue));
      this.#declared.set(queue, declared);
    }
    return declared;
  }

  /** A short-lived channel, so a failed operation (which makes the broker close its channel) harms nothing else. */
  async #withChannel<T>(use: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.#current().createChannel();
    // The failing operation rejects too; that rejection is what reports the error.
    channel.on('error', () => undefined);
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}
