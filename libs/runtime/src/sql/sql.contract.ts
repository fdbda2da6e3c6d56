// The behaviour every Sql adapter must show; test files run it against PGlite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isUniqueViolation, type Migration, type Sql } from './sql.ts';

const TABLES = ['schema_migrations', 'contract_items', 'contract_counter', 'contract_m1', 'contract_m2', 'contract_m3'];

const m1: Migration = {
  version: 1,
  name: 'create m1',
  sql: 'CREATE TABLE contract_m1 (id int PRIMARY KEY); INSERT INTO contract_m1 VALUES (1);',
};
const m2: Migration = {
  version: 2,
  name: 'extend m1',
  sql: 'ALTER TABLE contract_m1 ADD COLUMN note text; CREATE TABLE contract_m2 (id int);',
};
const failing: Migration = { version: 3, name: 'fails', sql: 'CREATE TABLE contract_m3 (id int); SELECT 1/0;' };

/**
 * `make` opens an adapter. Instances made for PostgreSQL share one database (the suite clears its own
 * tables first); the suite opens a second one only for PostgreSQL, where two processes can share a database.
 */
export function sqlContract(name: string, make: () => Promise<Sql>): void {
  describe(name, () => {
    let sql: Sql;
    const opened: Sql[] = [];
    const open = async () => {
      const instance = await make();
      opened.push(instance);
      return instance;
    };

    before(async () => {
      sql = await open();
    });
    after(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });
    beforeEach(async () => {
      await sql.query(`DROP TABLE IF EXISTS ${TABLES.join(', ')}`);
      await sql.query('CREATE TABLE contract_items (id int PRIMARY KEY, label text NOT NULL)');
    });

    const ids = async () => (await sql.query<{ id: number }>('SELECT id FROM contract_items ORDER BY id')).rows.map((r) => r.id);
    const appliedVersions = async () =>
      (await sql.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);

    it('runs parameterised queries and reports row counts', async () => {
      const inserted = await sql.query('INSERT INTO contract_items VALUES ($1, $2), ($3, $4)', [1, 'one', 2, 'two']);
      assert.equal(inserted.rowCount, 2);
      const selected = await sql.query('SELECT id, label FROM contract_items WHERE label = $1', ['two']);
      assert.deepEqual(selected.rows, [{ id: 2, label: 'two' }]);
      assert.equal(selected.rowCount, 1);
      assert.equal((await sql.query('UPDATE contract_items SET label = $1', ['x'])).rowCount, 2);
      const typed = await sql.query('SELECT $1::bigint AS big, $2::text AS nothing, count(*) AS n FROM contract_items', [
        Number.MAX_SAFE_INTEGER,
        null,
      ]);
      assert.deepEqual(typed.rows, [{ big: Number.MAX_SAFE_INTEGER, nothing: null, n: 2 }]);
    });

    it('commits a transaction and returns its result', async () => {
      const result = await sql.transaction(async (tx) => {
        await tx.query('INSERT INTO contract_items VALUES (1, $1)', ['a']);
        return (await tx.query('SELECT count(*) AS n FROM contract_items')).rows[0];
      });
      assert.deepEqual(result, { n: 1 });
      assert.deepEqual(await ids(), [1]);
    });

    it('rolls back a transaction that throws and passes the error on', async () => {
      const boom = new Error('boom');
      await assert.rejects(
        sql.transaction(async (tx) => {
          await tx.query("INSERT INTO contract_items VALUES (1, 'a')");
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.deepEqual(await ids(), []);
    });

    it('does not report a commit when a statement failed and the callback swallowed the error', async () => {
      await assert.rejects(
        sql.transaction(async (tx) => {
          await tx.query("INSERT INTO contract_items VALUES (1, 'a')");
          await tx.query('SELECT * FROM no_such_table').catch(() => undefined);
        }),
      );
      assert.deepEqual(await ids(), []);
    });

    it('runs concurrent read-modify-write transactions without losing an update', async () => {
      await sql.query('CREATE TABLE contract_counter (id int PRIMARY KEY, n int NOT NULL)');
      await sql.query('INSERT INTO contract_counter VALUES (1, 0)');
      const increment = () =>
        sql.transaction(async (tx) => {
          const { rows } = await tx.query<{ n: number }>('SELECT n FROM contract_counter WHERE id = 1 FOR UPDATE');
          await sleep(20);
          await tx.query('UPDATE contract_counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
        });
      await Promise.all([increment(), increment()]);
      assert.deepEqual((await sql.query('SELECT n FROM contract_counter')).rows, [{ n: 2 }]);
    });

    it('keeps a failing transaction from undoing concurrent work', async () => {
      const slow = sql.transaction(async (tx) => {
        await tx.query("INSERT INTO contract_items VALUES (1, 'slow')");
        await sleep(30);
        await tx.query("INSERT INTO contract_items VALUES (2, 'slow')");
      });
      const failingTx = sql.transaction(async (tx) => {
        await tx.query("INSERT INTO contract_items VALUES (3, 'failing')");
        throw new Error('fails');
      });
      const outside = sql.query("INSERT INTO contract_items VALUES (4, 'outside')");
      const outcomes = await Promise.allSettled([slow, failingTx, outside]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(await ids(), [1, 2, 4]);
    });

    it('applies migrations in version order, and nothing the second time', async () => {
      assert.deepEqual(await sql.migrate([m2, m1]), [1, 2]);
      assert.deepEqual(await sql.migrate([m1, m2]), []);
      assert.deepEqual(await appliedVersions(), [1, 2]);
      const names = await sql.query('SELECT name FROM schema_migrations ORDER BY version');
      assert.deepEqual(names.rows, [{ name: 'create m1' }, { name: 'extend m1' }]);
      assert.deepEqual((await sql.query('SELECT id, note FROM contract_m1')).rows, [{ id: 1, note: null }]);
    });

    it('applies each migration once when two migrate at the same time', async () => {
      const other = sql.kind === 'postgres' ? await open() : sql;
      const [a, b] = await Promise.all([sql.migrate([m1, m2]), other.migrate([m1, m2])]);
      assert.deepEqual([...a, ...b].sort(), [1, 2]);
      assert.deepEqual(await appliedVersions(), [1, 2]);
      assert.deepEqual((await sql.query('SELECT id FROM contract_m1')).rows, [{ id: 1 }]);
    });

    it('rolls back a failing migration and keeps the ones before it', async () => {
      await assert.rejects(sql.migrate([m1, m2, failing]), /migration 3 \(fails\) failed: division by zero/);
      assert.deepEqual(await appliedVersions(), [1, 2]);
      const leftover = await sql.query("SELECT to_regclass('contract_m3') AS t");
      assert.deepEqual(leftover.rows, [{ t: null }]);
    });

    it('refuses a database newer than the migrations it knows, and a version defined twice', async () => {
      await sql.migrate([m1, m2]);
      await assert.rejects(sql.migrate([m1]), /database is newer than this build: it is at migration 2, this build knows up to 1/);
      await assert.rejects(sql.migrate([m1, { ...m2, version: 1 }]), /migration version 1 is defined twice/);
    });

    it('answers ping', async () => {
      await sql.ping();
    });

    it('recognises a unique violation from the driver', async () => {
      await sql.query("INSERT INTO contract_items VALUES (1, 'a')");
      const duplicate = await sql.query("INSERT INTO contract_items VALUES (1, 'b')").catch((err: unknown) => err);
      assert.equal(isUniqueViolation(duplicate), true);
      const inTransaction = await sql
        .transaction((tx) => tx.query("INSERT INTO contract_items VALUES (1, 'c')"))
        .catch((err: unknown) => err);
      assert.equal(isUniqueViolation(inTransaction), true);
      const otherError = await sql.query('SELECT * FROM no_such_table').catch((err: unknown) => err);
      assert.equal(isUniqueViolation(otherError), false);
    });
  });
}
