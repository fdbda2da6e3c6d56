// What every bus backend (ByteBus) must do, run against each implementation so the in-memory one cannot drift from Redis.
// "Nothing arrived" is checked with a fence message: one publisher's messages arrive in order,
// so once the fence is in, anything published before it would have been delivered.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { BusMessage, ByteBus } from './bus.ts';
import { eventually } from '../testing/patience.ts';

/** Payloads are bytes; these tests send JSON text in them, and one message of every byte value. */
const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const read = (payload: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(payload));
const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);

class Inbox {
  readonly messages: BusMessage[] = [];
  readonly handler = (message: BusMessage): void => {
    this.messages.push(message);
  };

  get payloads(): unknown[] {
    return this.messages.map((message) => read(message.payload));
  }

  async until(count: number): Promise<BusMessage[]> {
    await eventually(() => this.messages.length >= count, `${count} messages`, () => `got ${this.messages.length}`);
    return this.messages;
  }
}

async function fence(publisher: ByteBus, subscriber: ByteBus): Promise<void> {
  const inbox = new Inbox();
  const subscription = await subscriber.subscribe('fence', inbox.handler);
  await publisher.publish('fence', bytes(null));
  await inbox.until(1);
  await subscription.unsubscribe();
}

export function busContract(name: string, make: () => Promise<ByteBus>): void {
  describe(`${name} (Bus contract)`, () => {
    const opened: ByteBus[] = [];
    const open = async (): Promise<ByteBus> => {
      const bus = await make();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it('delivers topic, payload and headers, any bytes and none', async () => {
      const bus = await open();
      const inbox = new Inbox();
      await bus.subscribe('player.entered', inbox.handler);
      await bus.publish('player.entered', everyByte, { traceparent: 'x' });
      await bus.publish('player.entered', new Uint8Array());
      assert.deepEqual(await inbox.until(2), [
        { topic: 'player.entered', payload: everyByte, headers: { traceparent: 'x' } },
        { topic: 'player.entered', payload: new Uint8Array(), headers: {} },
      ]);
    });

    it('never runs a handler inside publish', async () => {
      const bus = await open();
      const inbox = new Inbox();
      await bus.subscribe('t', inbox.handler);
      const publishing = bus.publish('t', bytes(1));
      assert.equal(inbox.messages.length, 0);
      await publishing;
      await inbox.until(1);
    });

    it('delivers to every subscriber, on this instance and on another', async () => {
      const [a, b] = [await open(), await open()];
      const inboxes = [new Inbox(), new Inbox(), new Inbox()];
      await a.subscribe('t', inboxes[0]!.handler);
      await a.subscribe('t', inboxes[1]!.handler);
      await b.subscribe('t', inboxes[2]!.handler);
      await a.publish('t', bytes('hello'));
      for (const inbox of inboxes) assert.deepEqual((await inbox.until(1)).map((m) => read(m.payload)), ['hello']);
    });

    it('lets instances on one backend hear each other both ways', async () => {
      const [a, b] = [await open(), await open()];
      const [atA, atB] = [new Inbox(), new Inbox()];
      await a.subscribe('t', atA.handler);
      await b.subscribe('t', atB.handler);
      await a.publish('t', bytes('from a'));
      await b.publish('t', bytes('from b'));
      await atA.until(2);
      await atB.until(2);
      assert.deepEqual(new Set(atA.payloads), new Set(['from a', 'from b']));
      assert.deepEqual(new Set(atB.payloads), new Set(['from a', 'from b']));
    });

    it('gives each subscriber its own copy of the payload', async () => {
      const bus = await open();
      const inbox = new Inbox();
      const seen: number[] = [];
      const mutate = (message: BusMessage) => {
        seen.push(message.payload[0]!);
        message.payload[0] = 99;
        inbox.handler(message);
      };
      await bus.subscribe('t', mutate);
      await bus.subscribe('t', mutate);
      const sent = Uint8Array.of(1);
      const publishing = bus.publish('t', sent);
      sent[0] = 2;
      await publishing;
      await inbox.until(2);
      assert.deepEqual(seen, [1, 1]);
      assert.deepEqual(sent, Uint8Array.of(2));
    });

    it('matches a trailing-* pattern as a prefix', async () => {
      const bus = await open();
      const [wild, exact] = [new Inbox(), new Inbox()];
      await bus.subscribe('chat.*', wild.handler);
      await bus.subscribe('chat.global', exact.handler);
      for (const topic of ['chatter', 'chat', 'chat.global', 'chat.zone.3', 'chat.global.x']) await bus.publish(topic, bytes(topic));
      await fence(bus, bus);
      assert.deepEqual(wild.payloads, ['chat.global', 'chat.zone.3', 'chat.global.x']);
      assert.deepEqual(wild.messages.map((m) => m.topic), wild.payloads);
      assert.deepEqual(exact.payloads, ['chat.global']);
    });

    it('treats every character but the trailing * literally', async () => {
      const bus = await open();
      const inbox = new Inbox();
      await bus.subscribe('a?[b]\\*', inbox.handler);
      for (const topic of ['ax[b]\\1', 'a?b\\1', 'a?[b]1', 'a?[b]\\1']) await bus.publish(topic, bytes(topic));
      await fence(bus, bus);
      assert.deepEqual(inbox.payloads, ['a?[b]\\1']);
    });

    it('stops delivering after unsubscribe, to that handler only', async () => {
      const [a, b] = [await open(), await open()];
      const [gone, stays] = [new Inbox(), new Inbox()];
      const subscription = await b.subscribe('t', gone.handler);
      await b.subscribe('t', stays.handler);
      await a.publish('t', bytes(1));
      await gone.until(1);
      await subscription.unsubscribe();
      await subscription.unsubscribe();
      await a.publish('t', bytes(2));
      await fence(a, b);
      assert.deepEqual(gone.payloads, [1]);
      assert.deepEqual(stays.payloads, [1, 2]);
    });

    it('keeps delivering when a handler throws or rejects', async () => {
      const bus = await open();
      const inbox = new Inbox();
      await bus.subscribe('t', () => {
        throw new Error('sync failure');
      });
      await bus.subscribe('t', async () => {
        throw new Error('async failure');
      });
      await bus.subscribe('t', inbox.handler);
      await bus.publish('t', bytes(1));
      await bus.publish('t', bytes(2));
      assert.deepEqual((await inbox.until(2)).map((m) => read(m.payload)), [1, 2]);
    });

    it("preserves one publisher's order", async () => {
      const [a, b] = [await open(), await open()];
      const [local, remote] = [new Inbox(), new Inbox()];
      await a.subscribe('seq', local.handler);
      await b.subscribe('seq', remote.handler);
      const sent = Array.from({ length: 200 }, (_, i) => i);
      await Promise.all(sent.map((i) => a.publish('seq', bytes(i))));
      await local.until(sent.length);
      await remote.until(sent.length);
      assert.deepEqual(local.payloads, sent);
      assert.deepEqual(remote.payloads, sent);
    });

    it('answers ping', async () => {
      await (await open()).ping();
    });

    it('after close, delivers nothing more and refuses calls; closing again is harmless', async () => {
      const [a, b] = [await open(), await open()];
      const [closed, live] = [new Inbox(), new Inbox()];
      const subscription = await a.subscribe('t', closed.handler);
      await b.subscribe('t', live.handler);
      await a.close();
      await b.publish('t', bytes(1));
      await fence(b, b);
      assert.deepEqual(closed.payloads, []);
      assert.deepEqual(live.payloads, [1]);
      await assert.rejects(a.publish('t', bytes(2)));
      await assert.rejects(a.subscribe('t', closed.handler));
      await assert.rejects(a.ping());
      await subscription.unsubscribe();
      await a.close();
    });
  });
}
