import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { busContract } from '../src/bus/bus.contract.ts';
import type { BusMessage } from '../src/bus/bus.ts';
import { MemoryBus, MemoryBusHub } from '../src/bus/memory-bus.ts';
import { RedisBus } from '../src/bus/redis-bus.ts';
import { startOutageProxy } from '../src/testing/outage-proxy.ts';
import { needServer, uniqueName } from '../src/testing/servers.ts';
import { UnavailableError } from '../src/transport/errors.ts';
import { eventually } from '../src/testing/patience.ts';

const redis = await needServer('redis');

function capturingLogger() {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const text = (words: string): Uint8Array => new TextEncoder().encode(words);
const words = (payload: Uint8Array): string => new TextDecoder().decode(payload);

async function until(condition: () => boolean): Promise<void> {
  await eventually(condition, 'the expected messages');
}

describe('MemoryBus', () => {
  const hub = new MemoryBusHub();
  busContract('MemoryBus', async () => new MemoryBus({ hub }));

  it('reports handler failures to onError with the message', async () => {
    const failures: [unknown, BusMessage][] = [];
    const bus = new MemoryBus({ onError: (error, message) => failures.push([error, message]) });
    const boom = new Error('boom');
    await bus.subscribe('t', () => Promise.reject(boom));
    await bus.publish('t', text('1'));
    await until(() => failures.length > 0);
    assert.deepEqual(failures, [[boom, { topic: 't', payload: text('1'), headers: {} }]]);
    await bus.close();
  });

  it('logs handler failures when no onError is given', async () => {
    const { logger, lines } = capturingLogger();
    const bus = new MemoryBus({ logger });
    await bus.subscribe('t', () => {
      throw new Error('boom');
    });
    await bus.publish('t', text('1'));
    await until(() => lines.length > 0);
    assert.equal(lines[0]?.err?.message, 'boom');
    await bus.close();
  });

  it('keeps instances apart unless they share a hub', async () => {
    const [a, b] = [new MemoryBus(), new MemoryBus()];
    let heard = false;
    await b.subscribe('t', () => {
      heard = true;
    });
    await a.publish('t', text('1'));
    await sleep(20);
    assert.equal(heard, false);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('RedisBus', { skip: redis.skip }, () => {
  const prefix = `${uniqueName('loom_test_bus')}:`;
  busContract('RedisBus', async () => new RedisBus({ url: redis.url, prefix }));

  it('logs and drops malformed messages', async () => {
    const { logger, lines } = capturingLogger();
    const bus = new RedisBus({ url: redis.url, prefix, logger });
    const raw = new Redis(redis.url);
    const received: unknown[] = [];
    await bus.subscribe('t', (message) => {
      received.push(words(message.payload));
    });
    for (const junk of ['no headers line', 'not json\n', 'null\npayload', '["a"]\npayload', '{"a":2}\npayload']) await raw.publish(`${prefix}t`, junk);
    await bus.publish('t', text('good'));
    await until(() => received.length > 0);
    assert.deepEqual(received, ['good']);
    assert.equal(lines.filter((line) => line.msg === 'dropped a malformed bus message').length, 5);
    await Promise.all([bus.close(), raw.quit()]);
  });

  it('logs handler failures', async () => {
    const { logger, lines } = capturingLogger();
    const bus = new RedisBus({ url: redis.url, prefix, logger });
    await bus.subscribe('t', async () => {
      throw new Error('boom');
    });
    await bus.publish('t', text('1'));
    await until(() => lines.length > 0);
    assert.equal(lines[0]?.err?.message, 'boom');
    await bus.close();
  });

  it('keeps prefixes apart', async () => {
    const [a, b] = [new RedisBus({ url: redis.url, prefix }), new RedisBus({ url: redis.url, prefix: `${uniqueName('loom_test_bus')}:` })];
    const heard: string[] = [];
    await a.subscribe('*', (message) => {
      heard.push(message.topic);
    });
    await b.publish('t', text('1'));
    await a.publish('fence', text('null'));
    await until(() => heard.length > 0);
    assert.deepEqual(heard, ['fence']);
    await Promise.all([a.close(), b.close()]);
  });

  it('resubscribes by itself after Redis was cut off, and refuses to publish while it is', async () => {
    const proxy = await startOutageProxy(redis.url);
    const bus = new RedisBus({ url: proxy.url, prefix });
    const direct = new RedisBus({ url: redis.url, prefix });
    const heard: unknown[] = [];
    try {
      await bus.subscribe('weather', (message) => {
        heard.push(words(message.payload));
      });
      await direct.publish('weather', text('before'));
      await until(() => heard.includes('before'));
      proxy.cut();
      await eventually(() => bus.ping().then(() => false, (error: unknown) => error instanceof UnavailableError), 'an UnavailableError from ping');
      await assert.rejects(bus.publish('weather', text('during')), UnavailableError);
      proxy.heal();
      // Until the subscriber is back, what is published goes nowhere (pub/sub keeps nothing): publish until one arrives.
      await eventually(async () => {
        await direct.publish('weather', text('after'));
        return heard.includes('after');
      }, 'a message after the outage');
      await eventually(() => bus.ping().then(() => true, () => false), 'the publisher back too');
      await bus.publish('weather', text('from the healed publisher'));
      await until(() => heard.includes('from the healed publisher'));
      assert.deepEqual(heard.filter((payload) => payload === 'before' || payload === 'during'), ['before']);
    } finally {
      await Promise.all([bus.close(), direct.close()]);
      await proxy.close();
    }
  });
});
