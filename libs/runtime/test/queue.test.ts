import { after, describe } from 'node:test';
import { connect } from 'amqplib';
import { AmqpQueue, amqpQueueNames } from '../src/queue/amqp-queue.ts';
import { MemoryQueue } from '../src/queue/memory-queue.ts';
import { queueContract } from '../src/queue/queue.contract.ts';
import type { JobQueue } from '../src/queue/queue.ts';
import { needServer, uniqueName } from '../src/testing/servers.ts';

const amqp = await needServer('rabbitmq');

queueContract('MemoryQueue', async () => new MemoryQueue(), { durable: false });

/** Notes every queue name the contract uses, so the broker queues behind them can be deleted afterwards. */
function recordingNames(queue: JobQueue, names: Set<string>): JobQueue {
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
});
