// The job queue on RabbitMQ. Each job queue `q` is three durable queues, all reached through the default exchange:
//   q        the work, consumed with manual acks;
//   q.retry  failed jobs, republished with a per-message expiration; on expiry they dead-letter back to q;
//   q.dead   jobs that failed maxAttempts times, read back with basic.get.
// A retry is a new message, so the attempt number travels in a header rather than in the broker's x-death count.
// A single delay queue means a long retry can hold up a shorter one queued behind it: backoff is a floor, not a schedule.
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type Message, type Options } from 'amqplib';
import { silentLogger, type Logger } from '../logger.ts';
import { consumeDefaults, retryDelayMs, type Consumer, type ConsumeOptions, type Job, type JobHandler, type JobQueue } from './queue.ts';

export interface AmqpQueueOptions {
  url: string;
  /** Prefixes every queue name, e.g. 'loom.'. */
  prefix: string;
  logger?: Logger;
}

const attemptHeader = 'x-loom-attempt';
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
    payload: JSON.parse(message.content.toString('utf8')),
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

export class AmqpQueue implements JobQueue {
  readonly kind = 'amqp' as const;
  readonly #connection: ChannelModel;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #declared = new Map<string, Promise<void>>();
  readonly #consumerChannels = new Set<Channel>();
  #publisher?: Promise<ConfirmChannel>;
  #closing?: Promise<void>;

  static async connect(options: AmqpQueueOptions): Promise<AmqpQueue> {
    return new AmqpQueue(await connect(options.url), options);
  }

  private constructor(connection: ChannelModel, options: AmqpQueueOptions) {
    this.#connection = connection;
    this.#prefix = options.prefix;
    this.#logger = options.logger ?? silentLogger;
    connection.on('error', (err: Error) => this.#logger.error({ err }, 'rabbitmq connection error'));
    connection.on('blocked', (reason: string) => this.#logger.warn({ reason }, 'rabbitmq blocked the connection'));
    connection.on('close', (err?: Error) => {
      if (!this.#closing) this.#logger.error({ err }, 'rabbitmq connection closed unexpectedly');
    });
  }

  async enqueue(queue: string, payload: unknown, headers: Record<string, string> = {}): Promise<string> {
    const json = JSON.stringify(payload);
    if (json === undefined) throw new TypeError('a job payload must be JSON-serialisable');
    const id = randomUUID();
    await this.#declare(queue);
    await this.#publish(amqpQueueNames(this.#prefix, queue).main, Buffer.from(json), { messageId: id, headers: { ...headers, [attemptHeader]: 1 } });
    return id;
  }

  async consume(queue: string, handler: JobHandler, options?: ConsumeOptions): Promise<Consumer> {
    const settings = consumeDefaults(options);
    await this.#declare(queue);
    const channel = await this.#connection.createChannel();
    channel.on('error', (err: Error) => this.#logger.error({ err, queue }, 'rabbitmq consumer channel error'));
    const running = new Set<Promise<void>>();
    let stopping: Promise<void> | undefined;
    try {
      await channel.prefetch(settings.prefetch);
      const { consumerTag } = await channel.consume(amqpQueueNames(this.#prefix, queue).main, (message) => {
        if (!message) {
          this.#logger.warn({ queue }, 'rabbitmq cancelled the consumer');
        } else if (stopping) {
          quietly(() => channel.nack(message, false, true));
        } else {
          const run = this.#handle(channel, queue, message, handler, settings).finally(() => running.delete(run));
          running.add(run);
        }
      });
      this.#consumerChannels.add(channel);
      const stop = async () => {
        // Fails only when the channel is already closed, and then nothing more can arrive either.
        await channel.cancel(consumerTag).catch(() => undefined);
        await Promise.all(running);
        this.#consumerChannels.delete(channel);
        await channel.close().catch(() => undefined);
      };
      return { stop: () => (stopping ??= stop()) };
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
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

  /** Opening and closing a channel takes a round trip to the broker. */
  ping(): Promise<void> {
    return this.#withChannel(async () => undefined);
  }

  /** Closing the channels hands every unacknowledged job back to the broker, so handlers cut off here run again elsewhere. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const channels: Array<Channel | Promise<Channel>> = [...this.#consumerChannels];
      if (this.#publisher) channels.push(this.#publisher);
      for (const channel of channels) await Promise.resolve(channel).then((open) => open.close()).catch(() => undefined);
      await this.#connection.close().catch((err: unknown) => this.#logger.warn({ err }, 'rabbitmq connection did not close cleanly'));
    })();
    return this.#closing;
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
      channel.sendToQueue(queueName, content, { ...options, persistent: true, contentType: 'application/json' }, (err: unknown) =>
        err ? reject(err instanceof Error ? err : new Error(`rabbitmq did not confirm the publish: ${String(err)}`)) : resolve(),
      );
    });
  }

  /** One confirm channel shared by all publishes, reopened on next use if the broker closes it. */
  #publishChannel(): Promise<ConfirmChannel> {
    if (!this.#publisher) {
      const opening = this.#connection.createConfirmChannel().then((channel) => {
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

  /** Declares the queues once per instance; a failed declaration is tried again on next use. */
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
    const channel = await this.#connection.createChannel();
    // The failing operation rejects too; that rejection is what reports the error.
    channel.on('error', () => undefined);
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}
