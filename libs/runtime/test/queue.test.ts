import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { connect } from 'amqplib';
import { AmqpQueue, amqpQueueNames } from '../src/queue/amqp-queue.ts';
import { MemoryQueue } from '../src/queue/memory-queue.ts';
import { queueContract } from '../src/queue/queue.contract.ts';
import type { ByteQueue } from '../src/queue/queue.ts';
import { startOutageProxy } from '../src/testing/outage-proxy.ts';
import { eventually } from '../src/testing/patience.ts';
import { needServer, uniqueName } from '../src/testing/servers.ts';
import { UnavailableError } from '../src/transport/errors.ts';

const amqp = await needServer('rabbitmq');

const text = (words: string): Uint8Array => new TextEncoder().encode(words);

queueContract('MemoryQueue', async () => new MemoryQueue(), { durable: false });

/** Notes every queue name the contract uses, so the broker queues behind them can be deleted afterwards. */
function recordingNames(queue: ByteQueue, names: Set<string>): ByteQueue {
  const note = (name: string) => {
    names.add(name);
    return name;
  };
  return {
    kind: queue.kind,
    enqueue: (name, payload, headers) => queue.enqueue(note(name), payload, headers),
    consume: (name, handler, options) => queue.consume(note(name), handler, options),
    drainDeadLetters: (name, max) => queue.drainDeadLetters(note(name), max),
    ping: () => queue.ping(),
    close: () => queue.close(),
  };
}

describe('AmqpQueue', { skip: amqp.skip }, () => {
  const prefix = `${uniqueName('loomtest')}.`;
  const used = new Set<string>();

  after(async () => {
    const connection = await connect(amqp.url);
    const channel = await connection.createChannel();
    for (const name of used) {
      for (const queue of Object.values(amqpQueueNames(prefix, name))) await channel.deleteQueue(queue);
    }
    await connection.close();
  });

  queueContract('AmqpQueue', async () => recordingNames(await AmqpQueue.connect({ url: amqp.url, prefix }), used), { durable: true });

  it('reconnects after the broker was cut off: jobs enqueued meanwhile are delivered once, and the consumer resumes', async () => {
    const proxy = await startOutageProxy(amqp.url);
    const queue = AmqpQueue.open({ url: proxy.url, prefix });
    used.add('outage');
    const delivered: unknown[] = [];
    try {
      // One job in flight at a time: the broker delivers the fence only once it has the ack of 'before',
      // which a cut could otherwise catch on the wire (and then rightly deliver 'before' again).
      const consumer = await queue.consume(
        'outage',
        async (job) => {
          delivered.push(new TextDecoder().decode(job.payload));
        },
        { prefetch: 1 },
      );
      await queue.enqueue('outage', text('before'));
      await queue.enqueue('outage', text('fence'));
      await eventually(() => delivered.includes('fence'), 'the jobs before the outage');
      proxy.cut();
      await eventually(() => queue.ping().then(() => false, (error: unknown) => error instanceof UnavailableError), 'an UnavailableError from ping');
      // Held until the broker is back: resolves once it has confirmed the job.
      const during = Promise.all([queue.enqueue('outage', text('during 1')), queue.enqueue('outage', text('during 2'))]);
      proxy.heal();
      await during;
      await queue.enqueue('outage', text('after'));
      await eventually(() => ['during 1', 'during 2', 'after'].every((job) => delivered.includes(job)), 'the jobs enqueued during and after the outage');
      await consumer.stop();
      assert.deepEqual(delivered.filter((job) => job !== 'fence').sort(), ['after', 'before', 'during 1', 'during 2']);
    } finally {
      await queue.close();
      await proxy.close();
    }
  });
});
