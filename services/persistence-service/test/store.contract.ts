// One suite for the persistence store, run against PGlite and against a PostgreSQL server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contracts, type RefreshToken, type WorldObject } from '@loom/proto';
import type { ServiceClient } from '@loom/runtime';
import { silentLogger } from '@loom/runtime/logger.ts';
import { createMetrics } from '@loom/runtime/metrics.ts';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { inProcessClient } from '@loom/runtime/transport/in-process.ts';
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError, UnauthenticatedError } from '@loom/runtime/transport/errors.ts';
import { hashPassword } from '@loom/runtime/passwords.ts';
import { migrations } from '../src/core/migrations.ts';
import { persistenceStore } from '../src/core/store.ts';


function object(id: number, overrides: Partial<WorldObject> = {}): WorldObject {
  return {
    id,
    name: `thing ${id}`,
    aliases: [],
    description: '',
    ownerId: 0,
    kind: 'thing',
    locationId: 0,
    destinationId: 0,
    flags: [],
    attributes: undefined,
    components: undefined,
    createdAtMs: 0,
    updatedAtMs: 0,
    ...overrides,
  };
}

function token(id: string, familyId: string, userId: number, clientAddress = ''): RefreshToken {
  const now = Date.now();
  return { id, familyId, userId, secretHash: 'ab'.repeat(32), expiresAtMs: now + 60_000, createdAtMs: now, retiredAtMs: 0, revokedAtMs: 0, clientAddress };
}

export function storeContract(name: string, open: () => Promise<Sql>): void {
  describe(`${name} (persistence store)`, () => {
    let sql: Sql;
    // Called as the other services call it, through the contract's client with its typed errors.
    let store: ServiceClient<'persistence-service'>;
    before(async () => {
      sql = await open();
      await sql.migrate(migrations);
      const implementation = persistenceStore(sql);
      store = inProcessClient(contracts['persistence-service'], () => implementation, {
        metrics: createMetrics(),
        logger: silentLogger,
        timeoutMs: 60_000,
      });
    });
    after(() => sql?.close());

    it('makes exactly one admin when the first accounts register at once', async () => {
      const users = await Promise.all(
        ['first', 'second', 'third', 'fourth'].map((username) => store.createUser({ username, email: '', passwordHash: 'h', role: '' })),
      );
      assert.deepEqual(users.map((u) => u.role).sort(), ['admin', 'player', 'player', 'player']);
    });

    it('lets exactly one of many concurrent registrations of a name win, ignoring case', async () => {
      const attempts = await Promise.allSettled(
        ['Racer', 'racer', 'RACER', 'rAcEr', 'Racer'].map((username) => store.createUser({ username, email: '', passwordHash: 'h', role: '' })),
      );
      assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
      for (const a of attempts) if (a.status === 'rejected') assert.ok(a.reason instanceof AlreadyExistsError, String(a.reason));
    });

    it('finds users by id or by name ignoring case, and updates them', async () => {
      const ada = await store.createUser({ username: 'Ada', email: 'ada@example.org', passwordHash: 'argon', role: 'builder' });
      assert.equal((await store.getUser({ id: 0, username: 'ADA' })).id, ada.id);
      const updated = await store.updateUser({ ...ada, role: 'admin', banned: true, playerObjectId: 77 });
      assert.deepEqual([updated.role, updated.banned, updated.playerObjectId], ['admin', true, 77]);
      assert.deepEqual(await store.getUser({ id: ada.id, username: '' }), updated);
      await assert.rejects(store.getUser({ id: 999_999, username: '' }), NotFoundError);
      await assert.rejects(store.updateUser({ ...ada, username: 'first' }), AlreadyExistsError);
      await assert.rejects(store.updateUser({ ...ada, role: 'god' }), InvalidArgumentError);
    });

    it('checks passwords against the stored hash, which no answer carries', async () => {
      const hashed = await hashPassword('correct horse');
      const cleo = await store.createUser({ username: 'Cleo', email: '', passwordHash: hashed, role: '' });
      assert.equal(cleo.passwordHash, '', 'CreateUser answers without the hash');
      assert.equal((await store.getUser({ id: cleo.id, username: '' })).passwordHash, '');
      assert.ok((await store.listUsers({ afterId: 0, limit: 1000 })).users.every((u) => u.passwordHash === ''));
      assert.equal((await store.verifyPassword({ id: 0, username: 'CLEO', password: 'correct horse' })).id, cleo.id);
      await assert.rejects(store.verifyPassword({ id: cleo.id, username: '', password: 'wrong horse' }), UnauthenticatedError);
      await assert.rejects(store.verifyPassword({ id: 0, username: 'nobody', password: 'correct horse' }), UnauthenticatedError);
      // An update that does not name a new hash keeps the password.
      await store.updateUser({ ...cleo, role: 'builder' });
      assert.equal((await store.verifyPassword({ id: cleo.id, username: '', password: 'correct horse' })).role, 'builder');
    });

    it('pages through users', async () => {
      const first = await store.listUsers({ afterId: 0, limit: 2 });
      assert.equal(first.users.length, 2);
      const rest = await store.listUsers({ afterId: first.nextAfterId, limit: 1000 });
      assert.equal(rest.nextAfterId, 0);
      const ids = [...first.users, ...rest.users].map((u) => u.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.equal(new Set(ids).size, ids.length);
    });

    it('saves 10,000 objects in one batch and loads them back page by page', async () => {
      const objects = Array.from({ length: 10_000 }, (_, i) =>
        object(1000 + i, { attributes: { weight: i, tags: ['x'] }, flags: i % 2 ? ['dark'] : [], aliases: [`t${i}`] }),
      );
      assert.deepEqual(await store.saveObjects({ objects, deletedIds: [] }), { saved: 10_000, deleted: 0, rejected: [] });
      const loaded: WorldObject[] = [];
      let afterId = 0;
      do {
        const page = await store.loadObjects({ afterId, limit: 0 });
        loaded.push(...page.objects);
        afterId = page.nextAfterId;
      } while (afterId !== 0);
      assert.equal(loaded.length, 10_000);
      const sample = loaded.find((o) => o.id === 1333)!;
      assert.deepEqual(sample.attributes, { weight: 333, tags: ['x'] });
      assert.deepEqual([sample.flags, sample.aliases], [['dark'], ['t333']]);
    });

    it('applies deletions after upserts, so a deleted id wins within one batch', async () => {
      const result = await store.saveObjects({ objects: [object(1000, { name: 'renamed' }), object(1001)], deletedIds: [1001, 1002] });
      assert.deepEqual(result, { saved: 2, deleted: 2, rejected: [] });
      const page = await store.loadObjects({ afterId: 999, limit: 3 });
      assert.deepEqual(page.objects.map((o) => [o.id, o.name]), [[1000, 'renamed'], [1003, 'thing 1003'], [1004, 'thing 1004']]);
    });

    it('refuses a batch with an invalid object, saving none of it', async () => {
      await assert.rejects(store.saveObjects({ objects: [object(50_000), object(50_001, { kind: 'dragon' })], deletedIds: [] }), InvalidArgumentError);
      const page = await store.loadObjects({ afterId: 49_999, limit: 1 });
      assert.equal(page.objects.length, 0);
    });

    it('leaves out an object it cannot hold (NUL, a lone surrogate) and saves the rest of the batch', async () => {
      const poisoned = [
        object(60_001, { description: 'lone \ud800 surrogate' }),
        object(60_002, { attributes: { note: 'a\u0000b' } }),
        object(60_003, { attributes: { ['\udc00key']: 1 } }),
      ];
      const fine = [object(60_000, { name: 'lantern' }), object(60_004, { description: 'a pair is fine: \ud83d\ude00' })];
      const result = await store.saveObjects({ objects: [fine[0]!, ...poisoned, fine[1]!], deletedIds: [] });
      assert.equal(result.saved, 2);
      assert.deepEqual(result.rejected.map((r) => r.id), [60_001, 60_002, 60_003]);
      assert.match(result.rejected[1]!.reason, /attributes\.note/);
      const page = await store.loadObjects({ afterId: 59_999, limit: 10 });
      assert.deepEqual(page.objects.map((o) => [o.id, o.name, o.description]), [[60_000, 'lantern', ''], [60_004, 'thing 60004', 'a pair is fine: \ud83d\ude00']]);
    });

    it('never hands out an id that a saved object already has', async () => {
      const { ids } = await store.allocateObjectIds({ count: 3 });
      assert.equal(ids.length, 3);
      assert.ok(ids.every((id) => id > 10_999), ids.join());
      const concurrent = await Promise.all(Array.from({ length: 5 }, () => store.allocateObjectIds({ count: 10 })));
      const all = concurrent.flatMap((r) => r.ids);
      assert.equal(new Set(all).size, 50);
    });

    it('rotates a refresh token once, even when two rotations race', async () => {
      const { id: userId } = await store.getUser({ id: 0, username: 'first' });
      await store.createRefreshToken(token('t1', 'family-a', userId));
      const races = await Promise.allSettled([
        store.rotateRefreshToken({ oldId: 't1', next: token('t2', 'family-a', userId) }),
        store.rotateRefreshToken({ oldId: 't1', next: token('t3', 'family-a', userId) }),
      ]);
      assert.equal(races.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = races.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof FailedPreconditionError, String(lost.reason));
      assert.ok((await store.getRefreshToken({ id: 't1' })).retiredAtMs > 0);
      await assert.rejects(store.getRefreshToken({ id: 'nope' }), NotFoundError);
    });

    it('revokes one family, or every family of a user but one', async () => {
      const { id: userId } = await store.getUser({ id: 0, username: 'second' });
      for (const family of ['f1', 'f2', 'f3']) await store.createRefreshToken(token(`${family}-t`, family, userId));
      assert.deepEqual((await store.revokeRefreshTokens({ familyId: 'f1', userId: 0, keepFamilyId: '' })).familyIds, ['f1']);
      const rest = await store.revokeRefreshTokens({ familyId: '', userId, keepFamilyId: 'f3' });
      assert.deepEqual(rest.familyIds, ['f2']);
      assert.equal((await store.getRefreshToken({ id: 'f3-t' })).revokedAtMs, 0);
      await assert.rejects(store.rotateRefreshToken({ oldId: 'f1-t', next: token('f1-u', 'f1', userId) }), FailedPreconditionError);
    });

    it("answers a session's state and where the user has signed in from", async () => {
      const { id: userId } = await store.getUser({ id: 0, username: 'second' });
      await store.createRefreshToken(token('g1-t', 'g1', userId, '192.0.2.7'));
      await store.rotateRefreshToken({ oldId: 'g1-t', next: token('g1-u', 'g1', userId, '192.0.2.7') });
      assert.deepEqual(await store.getRefreshFamily({ familyId: 'g1' }), { familyId: 'g1', userId, revokedAtMs: 0 });
      await store.revokeRefreshTokens({ familyId: 'g1', userId: 0, keepFamilyId: '' });
      assert.ok((await store.getRefreshFamily({ familyId: 'g1' })).revokedAtMs > 0);
      await assert.rejects(store.getRefreshFamily({ familyId: 'no such family' }), NotFoundError);
      assert.equal((await store.knownAddress({ username: 'SECOND', clientAddress: '192.0.2.7' })).known, true);
      assert.equal((await store.knownAddress({ username: 'second', clientAddress: '192.0.2.8' })).known, false);
      assert.equal((await store.knownAddress({ username: 'first', clientAddress: '192.0.2.7' })).known, false);
    });

    it('keeps every version of a script, and a deletion is a version too', async () => {
      const base = { objectId: 42, event: 'on_say', authorId: 1, createdAtMs: 0, deleted: false, version: 0 };
      assert.equal((await store.saveScript({ ...base, source: 'v1' })).version, 1);
      assert.equal((await store.saveScript({ ...base, source: 'v2' })).version, 2);
      assert.equal((await store.getScript({ objectId: 42, event: 'on_say', version: 0 })).source, 'v2');
      assert.equal((await store.getScript({ objectId: 42, event: 'on_say', version: 1 })).source, 'v1');
      await store.saveScript({ ...base, source: '', deleted: true });
      await assert.rejects(store.getScript({ objectId: 42, event: 'on_say', version: 0 }), /deleted in version 3/);
      const list = await store.listScriptVersions({ objectId: 42, event: '' });
      assert.deepEqual(list.scripts.map((s) => s.version), [1, 2, 3]);
    });

    it('lists the current handlers of every object, without deleted ones, page by page', async () => {
      const save = (objectId: number, event: string, source: string, deleted = false) =>
        store.saveScript({ objectId, event, source, deleted, authorId: 1, createdAtMs: 0, version: 0 });
      await save(500, 'on_use', 'old');
      await save(500, 'on_use', 'new');
      await save(500, 'on_enter', 'gone');
      await save(500, 'on_enter', '', true);
      await save(501, 'on_say', 'squawk');
      await save(502, 'on_timer', 'tick');
      const first = await store.listCurrentScripts({ afterObjectId: 499, limit: 2 });
      assert.deepEqual(first.scripts.map((s) => `${s.objectId}:${s.event}:${s.source}`), ['500:on_use:new', '501:on_say:squawk']);
      assert.equal(first.nextAfterObjectId, 501);
      const rest = await store.listCurrentScripts({ afterObjectId: first.nextAfterObjectId, limit: 2 });
      assert.deepEqual(rest.scripts.map((s) => `${s.objectId}:${s.event}`), ['502:on_timer']);
      assert.equal(rest.nextAfterObjectId, 0);
    });

    it('gives concurrent script saves distinct versions', async () => {
      const base = { objectId: 43, event: 'on_use', authorId: 1, createdAtMs: 0, deleted: false, version: 0 };
      const saved = await Promise.all(Array.from({ length: 5 }, (_, i) => store.saveScript({ ...base, source: `s${i}` })));
      assert.deepEqual(saved.map((s) => s.version).sort(), [1, 2, 3, 4, 5]);
    });

    it('keeps chat lines in order and pages history backwards', async () => {
      const lines = Array.from({ length: 7 }, (_, i) => ({ id: 0, channel: 'public', senderId: 1, senderName: 'Ada', text: `line ${i}`, sentAtMs: 0 }));
      const stored = await store.appendChatLines({ lines });
      assert.deepEqual(stored.lines.map((l) => l.text), lines.map((l) => l.text));
      const newest = await store.chatHistory({ channel: 'public', limit: 3, beforeId: 0 });
      assert.deepEqual(newest.lines.map((l) => l.text), ['line 4', 'line 5', 'line 6']);
      const older = await store.chatHistory({ channel: 'public', limit: 3, beforeId: newest.lines[0]!.id });
      assert.deepEqual(older.lines.map((l) => l.text), ['line 1', 'line 2', 'line 3']);
      assert.deepEqual((await store.chatHistory({ channel: 'elsewhere', limit: 0, beforeId: 0 })).lines, []);
    });

    it('keeps channel sanctions until they expire or are lifted, with "*" meaning every channel', async () => {
      const base = { userId: 7, byId: 1, createdAtMs: 0 };
      await store.setChannelSanction({ ...base, channel: 'ooc', kind: 'mute', untilMs: 0 });
      await store.setChannelSanction({ ...base, channel: '*', kind: 'ban', untilMs: Date.now() + 60_000 });
      await store.setChannelSanction({ ...base, channel: 'lfg', kind: 'mute', untilMs: Date.now() - 1000 });
      const ooc = await store.getChannelSanctions({ channel: 'ooc', userId: 7 });
      assert.deepEqual(ooc.sanctions.map((s) => `${s.channel}:${s.kind}`), ['*:ban', 'ooc:mute']);
      assert.deepEqual((await store.getChannelSanctions({ channel: 'lfg', userId: 7 })).sanctions.map((s) => s.channel), ['*']);
      assert.equal((await store.removeChannelSanction({ ...base, channel: '*', kind: 'ban', untilMs: 0 })).removed, true);
      assert.deepEqual((await store.getChannelSanctions({ channel: 'public', userId: 7 })).sanctions, []);
      await assert.rejects(store.setChannelSanction({ ...base, channel: 'ooc', kind: 'gag', untilMs: 0 }), InvalidArgumentError);
    });

    it('keeps one join and one speech lock per channel, replaced by the next and gone when removed', async () => {
      const lock = (channel: string, kind: string, key: string) => ({ channel, kind, key, byId: 1, setAtMs: 0 });
      await store.setChannelLock(lock('ooc', 'speech', 'role:builder'));
      await store.setChannelLock(lock('ooc', 'speech', 'has:#44'));
      await store.setChannelLock(lock('ooc', 'join', 'is:#7'));
      await store.setChannelLock(lock('lfg', 'join', 'role:admin'));
      const { locks } = await store.getChannelLocks({ channels: ['ooc', 'public'] });
      assert.deepEqual(locks.map((l) => `${l.channel}:${l.kind}=${l.key}`), ['ooc:join=is:#7', 'ooc:speech=has:#44']);
      assert.equal(locks[0]!.byId, 1);
      assert.ok(locks[0]!.setAtMs > 0);
      assert.equal((await store.removeChannelLock(lock('ooc', 'speech', ''))).removed, true);
      assert.equal((await store.removeChannelLock(lock('ooc', 'speech', ''))).removed, false);
      assert.deepEqual((await store.getChannelLocks({ channels: ['ooc', 'lfg'] })).locks.map((l) => `${l.channel}:${l.kind}`), ['lfg:join', 'ooc:join']);
      assert.deepEqual((await store.getChannelLocks({ channels: [] })).locks, []);
      await assert.rejects(store.setChannelLock(lock('ooc', 'receive', 'role:admin')), InvalidArgumentError);
      await assert.rejects(store.setChannelLock(lock('ooc', 'join', ' ')), InvalidArgumentError);
    });

    it('resolves an asset name to its newest hash while old hashes keep working', async () => {
      const meta = (hash: string) => ({ hash: hash.repeat(64), name: 'models/door.glb', contentType: 'model/gltf-binary', size: 10, uploaderId: 1, createdAtMs: 0 });
      await store.putAssetMeta(meta('a'));
      await store.putAssetMeta(meta('b'));
      assert.equal((await store.getAssetMeta({ hash: '', name: 'models/door.glb' })).hash, 'b'.repeat(64));
      assert.equal((await store.getAssetMeta({ hash: 'a'.repeat(64), name: '' })).hash, 'a'.repeat(64));
      await assert.rejects(store.putAssetMeta({ ...meta('a'), hash: 'not-a-hash' }), InvalidArgumentError);
      await assert.rejects(store.getAssetMeta({ hash: '', name: 'missing' }), NotFoundError);
    });
  });
}
