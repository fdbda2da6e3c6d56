// What every JobQueue adapter must do, declared once and run by the adapters' test files against their real backends.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ByteQueue, Job } from './queue.ts';

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** A broken adapter fails its test in seconds instead of hanging until the runner's own timeout. */
const limit = { timeout: 10_000 };

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

/** Payloads are bytes; these tests send JSON text in them, and one job of every byte value. */
const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const read = (payload: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(payload));
const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);

const numbers = (jobs: unknown[]) => [...(jobs as number[])].sort((a, b) => a - b);
const range = (count: number) => Array.from({ length: count }, (_, index) => index);

export interface QueueTraits {
  /** Jobs outlive the queue instance (a broker keeps them); an in-process queue's die with it. */
  durable: boolean;
}

export function queueContract(name: string, make: () => Promise<ByteQueue>, traits: QueueTraits): void {
  describe(`${name} (JobQueue contract)`, () => {
    let queue: ByteQueue;
    beforeEach(async () => {
      queue = await make();
    });
    afterEach(() => queue.close());

    it('delivers a copy of the payload, taken at enqueue, with its headers as attempt 1', limit, async () => {
      const payload = everyByte.slice();
      const delivered = deferred<Job>();
      await queue.consume('deliver', async (job) => delivered.resolve(job));
      const id = await queue.enqueue('deliver', payload, { traceparent });
      payload[0] = 1;
      assert.deepEqual(await delivered.promise, { id, queue: 'deliver', payload: everyByte, attempt: 1, headers: { traceparent } });
    });

    it('gives each job to exactly one of two competing consumers', limit, async () => {
      const taken: [unknown[], unknown[]] = [[], []];
      const handler = (mine: unknown[]) => async (job: Job) => {
        mine.push(read(job.payload));
        await sleep(2);
      };
      await queue.consume('compete', handler(taken[0]));
      await queue.consume('compete', handler(taken[1]));
      await Promise.all(range(50).map((n) => queue.enqueue('compete', bytes(n))));
      await until(() => taken[0].length + taken[1].length >= 50);
      await sleep(50);
      assert.deepEqual(numbers([...taken[0], ...taken[1]]), range(50));
      assert.ok(taken[0].length > 0 && taken[1].length > 0, `one consumer did all the work: ${taken[0].length}/${taken[1].length}`);
    });

    it('runs at most prefetch handlers at once', limit, async () => {
      for (const n of range(10)) await queue.enqueue('prefetch', bytes(n));
      let running = 0;
      let peak = 0;
      let handled = 0;
      const handler = async () => {
        peak = Math.max(peak, ++running);
        await sleep(15);
        running--;
        handled++;
      };
      await queue.consume('prefetch', handler, { prefetch: 2 });
      await until(() => handled === 10);
      assert.equal(peak, 2);
    });

    it('redelivers a failing job with growing backoff, counting attempts', limit, async () => {
      const seen: Array<{ attempt: number; at: number }> = [];
      const succeeded = deferred<Job>();
      await queue.consume(
        'retry',
        async (job) => {
          seen.push({ attempt: job.attempt, at: Date.now() });
          if (job.attempt < 3) throw new Error(`attempt ${job.attempt} fails on purpose`);
          succeeded.resolve(job);
        },
        { backoffMs: 20 },
      );
      await queue.enqueue('retry', bytes({ n: 1 }), { traceparent });
      const job = await succeeded.promise;
      assert.deepEqual(seen.map((s) => s.attempt), [1, 2, 3]);
      assert.deepEqual([read(job.payload), job.headers], [{ n: 1 }, { traceparent }]);
      // A millisecond of slack for clocks that round differently from the timers.
      assert.ok(seen[1]!.at - seen[0]!.at >= 19, `first retry after ${seen[1]!.at - seen[0]!.at} ms`);
      assert.ok(seen[2]!.at - seen[1]!.at >= 39, `second retry after ${seen[2]!.at - seen[1]!.at} ms`);
    });

    it('dead-letters a job after maxAttempts; draining returns it once', limit, async () => {
      let calls = 0;
      const consumer = await queue.consume(
        'dead',
        async () => {
          calls++;
          throw new Error('always fails');
        },
        { maxAttempts: 3, backoffMs: 20 },
      );
      const id = await queue.enqueue('dead', bytes({ n: 2 }), { traceparent });
      await until(() => calls === 3);
      // Stopping waits for the failed handler's dead-lettering to finish.
      await consumer.stop();
      assert.deepEqual(await queue.drainDeadLetters('dead'), [{ id, queue: 'dead', payload: bytes({ n: 2 }), attempt: 3, headers: { traceparent } }]);
      assert.deepEqual(await queue.drainDeadLetters('dead'), []);
      assert.equal(calls, 3);
    });

    it('drains dead letters oldest first, at most max at a time', limit, async () => {
      let calls = 0;
      const failing = async () => {
        calls++;
        throw new Error('always fails');
      };
      const consumer = await queue.consume('dead-order', failing, { maxAttempts: 1, prefetch: 1 });
      for (const n of [1, 2, 3]) await queue.enqueue('dead-order', bytes(n));
      await until(() => calls === 3);
      await consumer.stop();
      assert.deepEqual((await queue.drainDeadLetters('dead-order', 2)).map((job) => read(job.payload)), [1, 2]);
      assert.deepEqual((await queue.drainDeadLetters('dead-order')).map((job) => read(job.payload)), [3]);
    });

    it('delivers jobs enqueued before anyone consumed, in order', limit, async () => {
      for (const n of [1, 2, 3]) await queue.enqueue('backlog', bytes(n));
      const seen: unknown[] = [];
      await queue.consume('backlog', async (job) => {
        seen.push(read(job.payload));
      });
      await until(() => seen.length === 3);
      assert.deepEqual(seen, [1, 2, 3]);
    });

    it('stop() waits for the handlers in flight, then takes no more jobs', limit, async () => {
      const started = deferred();
      const release = deferred();
      let calls = 0;
      let finished = false;
      const consumer = await queue.consume('stop', async () => {
        calls++;
        started.resolve();
        await release.promise;
        finished = true;
      });
      await queue.enqueue('stop', bytes(1));
      await started.promise;
      let stopped = false;
      const stopping = consumer.stop().then(() => (stopped = true));
      await sleep(50);
      assert.equal(stopped, false);
      release.resolve();
      await stopping;
      assert.equal(finished, true);
      await queue.enqueue('stop', bytes(2));
      await sleep(50);
      assert.equal(calls, 1);
    });

    it('leaves the jobs a stopped consumer did not take to the next consumer', limit, async () => {
      for (const n of range(6)) await queue.enqueue('handover', bytes(n));
      const first: unknown[] = [];
      const second: unknown[] = [];
      const firstTook = deferred();
      const consumer = await queue.consume(
        'handover',
        async (job) => {
          first.push(read(job.payload));
          firstTook.resolve();
          await sleep(10);
        },
        { prefetch: 1 },
      );
      await firstTook.promise;
      await consumer.stop();
      await queue.consume('handover', async (job) => {
        second.push(read(job.payload));
      });
      await until(() => first.length + second.length >= 6);
      await sleep(50);
      assert.ok(second.length > 0);
      assert.deepEqual(numbers([...first, ...second]), range(6));
    });

    if (traits.durable) {
      it('redelivers a job whose handler close() cut off to the next instance', limit, async () => {
        const started = deferred();
        const release = deferred();
        await queue.consume('cut-off', async () => {
          started.resolve();
          await release.promise;
        });
        await queue.enqueue('cut-off', bytes({ n: 3 }));
        await started.promise;
        await queue.close();
        // The cut-off handler now finishes; its ack must go nowhere.
        release.resolve();
        const next = await make();
        try {
          const again = deferred<Job>();
          await next.consume('cut-off', async (job) => again.resolve(job));
          assert.deepEqual(read((await again.promise).payload), { n: 3 });
        } finally {
          await next.close();
        }
      });
    }
  });
}
