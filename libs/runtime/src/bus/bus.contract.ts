// What every Bus must do, run against each implementation so the in-memory one cannot drift from Redis.
// "Nothing arrived" is checked with a fence message: one publisher's messages arrive in order,
// so once the fence is in, anything published before it would have been delivered.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Bus, BusMessage } from './bus.ts';
import { eventually } from '../testing/patience.ts';

class Inbox {
  readonly messages: BusMessage[] = [];
  readonly handler = (message: BusMessage): void => {
    this.messages.push(message);
  };

  get payloads(): unknown[] {
    return this.messages.map((message) => message.payload);
  }

  async until(count: number): Promise<BusMessage[]> {
    await eventually(() => this.messages.length >= count, `${count} messages`, () => `got ${this.messages.length}`);
    return this.messages;
  }
}

async function fence(publisher: Bus, subscriber: Bus): Promise<void> {
  const inbox = new Inbox();
  const subscription = await subscriber.subscribe('fence', inbox.handler);
  await publisher.publish('fence', null);
  await inbox.until(1);
  await subscription.unsubscribe();
}

export function busContract(name: string, make: () => Promise<Bus>): void {
  describe(`${name} (Bus contract)`, () => {
    const opened: Bus[] = [];
    const open = async (): Promise<Bus> => {
      const bus = await make();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it('delivers topic, payload and headers', async () => {
      const bus = await open();
      const inbox = new Inbox();
      await bus.subscribe('player.entered', inbox.handler);
      await bus.publish('player.entered', { id: 7, tags: ['a'] }, { traceparent: 'x' });
      await bus.publish('player.entered', 'bare');
      assert.deepEqual(await inbox.until(2), [
        { topic: 'player.entered', payload: { id: 7, tags: ['a'] }, headers: { traceparent: 'x' } },
        { topic: 'player.entered', payload: 'bare', headers: {} },
      ]);
    });

    it('never runs a handler inside publish', async () => {
      const bus = await open();
      const inbox = new Inbox();
      await bus.subscribe('t', inbox.handler);
      const publishing = bus.publish('t', 1);
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
      await a.publish('t', 'hello');
      for (const inbox of inboxes) assert.deepEqual((await inbox.until(1)).map((m) => m.payload), ['hello']);
    });

    it('lets instances on one backend hear each other both ways', async () => {
      const [a, b] = [await open(), await open()];
      const [atA, atB] = [new Inbox(), new Inbox()];
      await a.subscribe('t', atA.handler);
      await b.subscribe('t', atB.handler);
      await a.publish('t', 'from a');
      await b.publish('t', 'from b');
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
        const payload = message.payload as { n: number };
        seen.push(payload.n);
        payload.n = 99;
        inbox.handler(message);
      };
      await bus.subscribe('t', mutate);
      await bus.subscribe('t', mutate);
      const sent = { n: 1 };
      const publishing = bus.publish('t', sent);
      sent.n = 2;
      await publishing;
      await inbox.until(2);
      assert.deepEqual(seen, [1, 1]);
      assert.deepEqual(sent, { n: 2 });
    });

    it('matches a trailing-* pattern as a prefix', async () => {
      const bus = await open();
      const [wild, exact] = [new Inbox(), new Inbox()];
      await bus.subscribe('chat.*', wild.handler);
      await bus.subscribe('chat.global', exact.handler);
      for (const topic of ['chatter', 'chat', 'chat.global', 'chat.zone.3', 'chat.global.x']) await bus.publish(topic, topic);
      await fence(bus, bus);
      assert.deepEqual(wild.payloads, ['chat.global', 'chat.zone.3', 'chat.global.x']);
      assert.deepEqual(wild.messages.map((m) => m.topic), wild.payloads);
      assert.deepEqual(exact.payloads, ['chat.global']);
    });

    it('treats every character but the trailing * literally', async () => {
      const bus = await open();
      const inbox = new Inbox();
      await bus.subscribe('a?[b]\\*', inbox.handler);
      for (const topic of ['ax[b]\\1', 'a?b\\1', 'a?[b]1', 'a?[b]\\1']) await bus.publish(topic, topic);
      await fence(bus, bus);
      assert.deepEqual(inbox.payloads, ['a?[b]\\1']);
    });

    it('stops delivering after unsubscribe, to that handler only', async () => {
      const [a, b] = [await open(), await open()];
      const [gone, stays] = [new Inbox(), new Inbox()];
      const subscription = await b.subscribe('t', gone.handler);
      await b.subscribe('t', stays.handler);
      await a.publish('t', 1);
      await gone.until(1);
      await subscription.unsubscribe();
      await subscription.unsubscribe();
      await a.publish('t', 2);
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
      await bus.publish('t', 1);
      await bus.publish('t', 2);
      assert.deepEqual((await inbox.until(2)).map((m) => m.payload), [1, 2]);
    });

    it("preserves one publisher's order", async () => {
      const [a, b] = [await open(), await open()];
      const [local, remote] = [new Inbox(), new Inbox()];
      await a.subscribe('seq', local.handler);
      await b.subscribe('seq', remote.handler);
      const sent = Array.from({ length: 200 }, (_, i) => i);
      await Promise.all(sent.map((i) => a.publish('seq', i)));
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
      await b.publish('t', 1);
      await fence(b, b);
      assert.deepEqual(closed.payloads, []);
      assert.deepEqual(live.payloads, [1]);
      await assert.rejects(a.publish('t', 2));
      await assert.rejects(a.subscribe('t', closed.handler));
      await assert.rejects(a.ping());
      await subscription.unsubscribe();
      await a.close();
    });
  });
}
