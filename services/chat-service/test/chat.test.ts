// chat-service over a real (embedded) database: filtering, flood control, mutes, bans, history, the bus.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrations, persistenceStore } from '@loom/persistence-service';
import { contracts, topics, type ChatLine } from '@loom/proto';
import { createMetrics, PermissionDeniedError, ResourceExhaustedError, silentLogger } from '@loom/runtime';
import { typedBus } from '@loom/runtime/bus/bus.ts';
import { MemoryBus } from '@loom/runtime/bus/memory-bus.ts';
import { MemoryKeyValue } from '@loom/runtime/kv/memory-kv.ts';
import { PgliteSql } from '@loom/runtime/sql/pglite-sql.ts';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { inProcessClient } from '@loom/runtime/transport/in-process.ts';
import { ChatCore } from '../src/core/chat.ts';
import { wordFilter } from '@loom/world';

describe('chat-service', () => {
  let sql: Sql;
  let chat: ChatCore;
  const bus = typedBus(new MemoryBus());
  const published: ChatLine[] = [];
  const post = (senderId: number, channel: string, text: string) => chat.post({ channel, senderId, senderName: `p${senderId}`, text });

  before(async () => {
    sql = await PgliteSql.open();
    await sql.migrate(migrations);
    const store = persistenceStore(sql);
    const persistence = inProcessClient(contracts['persistence-service'], () => store, { metrics: createMetrics(), logger: silentLogger, timeoutMs: 30_000 });
    chat = new ChatCore(persistence, bus, new MemoryKeyValue(), { floodLines: 3, floodWindowS: 60, filter: wordFilter(['darn', 'heck']) });
    await bus.subscribe(topics.chatLine, (line) => void published.push(line));
  });
  after(async () => {
    await bus.close();
    await sql?.close();
  });

  it('stores a cleaned, filtered line, publishes it, and keeps it in history', async () => {
    const line = await post(1, 'ooc', 'Darn\u001b[31m it, heckle the heck!');
    assert.equal(line.text, '****[31m it, heckle the ****!');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(published.at(-1), line);
    const { lines } = await chat.history({ channel: 'ooc', limit: 10, beforeId: 0 });
    assert.deepEqual(lines.map((l) => l.text), [line.text]);
  });

  it('tells a flooding player to slow down', async () => {
    await post(2, 'ooc', 'one');
    await post(2, 'ooc', 'two');
    await post(2, 'ooc', 'three');
    await assert.rejects(post(2, 'ooc', 'four'), (e: unknown) => e instanceof ResourceExhaustedError && /too fast/.test(e.message));
  });

  it('mutes on one channel, bans everywhere, and lifts both', async () => {
    assert.equal((await chat.moderate({ channel: 'ooc', targetId: 3, action: 'mute', durationS: 600, byId: 1 })).message, 'muted on ooc for 10 more minutes');
    await assert.rejects(post(3, 'ooc', 'hello?'), (e: unknown) => e instanceof PermissionDeniedError && /muted on ooc for 10 more minutes/.test(e.message));
    await post(3, 'public', 'still fine here');
    await chat.moderate({ channel: '*', targetId: 3, action: 'ban', durationS: 0, byId: 1 });
    await assert.rejects(chat.join({ channel: 'lfg', userId: 3, historyLines: 5 }), /banned everywhere until it is lifted/);
    await assert.rejects(post(3, 'public', 'and now?'), /banned everywhere/);
    await chat.moderate({ channel: '*', targetId: 3, action: 'unban', durationS: 0, byId: 1 });
    await chat.moderate({ channel: 'ooc', targetId: 3, action: 'unmute', durationS: 0, byId: 1 });
    assert.equal((await chat.join({ channel: 'ooc', userId: 3, historyLines: 2 })).lines.length, 2);
  });

  it('keeps a join and a speech lock per channel, as text for world-state to judge', async () => {
    const set = await chat.lock({ channel: 'guild', kind: 'speech', key: '  role:builder | has:#44\u0007 ', byId: 1, setAtMs: 0 });
    assert.equal(set.key, 'role:builder | has:#44');
    await chat.lock({ channel: 'guild', kind: 'join', key: 'is:#9', byId: 1, setAtMs: 0 });
    const { locks } = await chat.locks({ channels: ['guild', 'guild', 'public'] });
    assert.deepEqual(locks.map((l) => `${l.kind}=${l.key}`), ['join=is:#9', 'speech=role:builder | has:#44']);
    assert.deepEqual(await chat.unlock({ channel: 'guild', kind: 'join' }), { removed: true });
    assert.deepEqual(await chat.unlock({ channel: 'guild', kind: 'join' }), { removed: false });
    assert.deepEqual((await chat.locks({ channels: ['guild'] })).locks.map((l) => l.kind), ['speech']);
  });

  it('refuses locks of an unknown kind, with no key, or on "*" and the world\'s own room and private talk', async () => {
    const lock = (channel: string, kind: string, key: string) => chat.lock({ channel, kind, key, byId: 1, setAtMs: 0 });
    await assert.rejects(lock('guild', 'receive', 'role:admin'), /join or speech, not "receive"/);
    await assert.rejects(lock('guild', 'join', ' '), /unlock the channel instead/);
    await assert.rejects(lock('guild', 'join', 'x'.repeat(1001)), /at most 1000/);
    await assert.rejects(lock('*', 'speech', 'role:admin'), /cannot be locked/);
    await assert.rejects(lock('room:12', 'speech', 'role:admin'), /room's speech lock/);
    await assert.rejects(chat.locks({ channels: Array.from({ length: 101 }, (_, i) => `c${i}`) }), /at most 100/);
  });

  it('refuses empty, oversized and badly named posts', async () => {
    await assert.rejects(post(4, 'ooc', '  \u0007 '), /empty/);
    await assert.rejects(post(4, 'ooc', 'x'.repeat(2001)), /at most 2000/);
    await assert.rejects(post(4, 'no spaces', 'hi'), /not a channel name/);
    await assert.rejects(post(4, '*', 'hi'), /nobody can talk on it/);
  });
});
