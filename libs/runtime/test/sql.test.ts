import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PgliteSql } from '../src/sql/pglite-sql.ts';
import { PostgresSql } from '../src/sql/postgres-sql.ts';
import { sqlContract } from '../src/sql/sql.contract.ts';
import { createTestDatabase, type TestDatabase } from '../src/sql/test-database.ts';
import { needServer } from '../src/testing/servers.ts';

const pg = await needServer('postgres');

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-sql-'));
  tempDirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

sqlContract('PgliteSql in memory', () => PgliteSql.open());
sqlContract('PgliteSql in a folder', () => PgliteSql.open({ dataDir: join(tempDir(), 'pg') }));

describe('PostgresSql', { skip: pg.skip }, () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase(pg.url);
  });
  after(() => database?.drop());
  sqlContract('PostgresSql', () => PostgresSql.open({ url: database.url }));

  it('says where it could not connect', async () => {
    const url = new URL(database.url);
    url.pathname = '/loom_no_such_database';
    await assert.rejects(PostgresSql.open({ url: url.toString() }), /cannot connect to PostgreSQL at 127\.0\.0\.1:5432\/loom_no_such_database/);
  });
});

describe('PgliteSql in a folder', () => {
  it('keeps its data when reopened', async () => {
    const dataDir = join(tempDir(), 'pg');
    const first = await PgliteSql.open({ dataDir });
    await first.query('CREATE TABLE kept (v text)');
    await first.query("INSERT INTO kept VALUES ('still here')");
    await first.close();
    const second = await PgliteSql.open({ dataDir });
    try {
      assert.deepEqual((await second.query('SELECT v FROM kept')).rows, [{ v: 'still here' }]);
    } finally {
      await second.close();
    }
  });

  it('refuses a second open while the first is open, and allows it after close', async () => {
    const dataDir = join(tempDir(), 'pg');
    const first = await PgliteSql.open({ dataDir });
    try {
      await assert.rejects(PgliteSql.open({ dataDir }), {
        message: new RegExp(`^database folder ${dataDir} is in use by process ${process.pid}`),
      });
    } finally {
      await first.close();
    }
    const again = await PgliteSql.open({ dataDir });
    await again.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    const dataDir = join(tempDir(), 'pg');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'loom.lock'), `${gone}\n`);
    const sql = await PgliteSql.open({ dataDir });
    try {
      assert.equal(readFileSync(join(dataDir, 'loom.lock'), 'utf8'), `${process.pid}\n`);
    } finally {
      await sql.close();
    }
  });
});

describe('PgliteSql in memory', () => {
  it('fails instead of hanging when the outer Sql is used inside a transaction', async () => {
    const sql = await PgliteSql.open();
    try {
      await assert.rejects(
        sql.transaction(() => sql.query('SELECT 1')),
        /called from inside transaction\(\); use the transaction executor/,
      );
      await sql.ping();
    } finally {
      await sql.close();
    }
  });
});
