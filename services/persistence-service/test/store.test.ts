import { after, before, describe } from 'node:test';
import { PgliteSql } from '@loom/runtime/sql/pglite-sql.ts';
import { PostgresSql } from '@loom/runtime/sql/postgres-sql.ts';
import { createTestDatabase, type TestDatabase } from '@loom/runtime/sql/test-database.ts';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { storeContract } from './store.contract.ts';

const pg = await needServer('postgres');

storeContract('PGlite', () => PgliteSql.open());

describe('PostgreSQL', { skip: pg.skip }, () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase(pg.url);
  });
  after(() => database?.drop());
  storeContract('PostgreSQL', () => PostgresSql.open({ url: database.url }));
});
