// Embedded PostgreSQL (PGlite): the default database when DATABASE_URL is unset.
import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite, type Results } from '@electric-sql/pglite';
import { lockDirectory } from './dir-lock.ts';
import { applyMigrations, type ScriptExecutor } from './migrate.ts';
import type { Migration, QueryResult, Sql, SqlExecutor } from './sql.ts';

export interface PgliteSqlOptions {
  /** Folder holding the database files (e.g. `<LOOM_DATA_DIR>/pg`); undefined = in memory, for tests. */
  dataDir?: string;
}

/** Runs callers one at a time, in arrival order. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    // The next caller waits for this one to settle, whatever its outcome; the caller still sees the error.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

export class PgliteSql implements Sql {
  readonly kind = 'pglite';
  readonly #db: PGlite;
  readonly #unlock: (() => Promise<void>) | undefined;
  // PGlite is a single connection: a statement from one caller would land inside another caller's
  // open transaction (and be rolled back with it), so everything takes turns.
  readonly #turns = new Mutex();
  // Waiting for our own turn from inside a transaction would hang forever; this lets us fail instead.
  readonly #inTransaction = new AsyncLocalStorage<{ open: boolean }>();

  private constructor(db: PGlite, unlock: (() => Promise<void>) | undefined) {
    this.#db = db;
    this.#unlock = unlock;
  }

  static async open(options: PgliteSqlOptions = {}): Promise<PgliteSql> {
    const { dataDir } = options;
    if (dataDir === undefined) return new PgliteSql(await PGlite.create(), undefined);
    const unlock = await lockDirectory(dataDir);
    try {
      return new PgliteSql(await PGlite.create(dataDir), unlock);
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
    return this.#exclusive(async () => resultOf(await this.#db.query<Row>(text, params)));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#transact(fn);
  }

  migrate(migrations: Migration[]): Promise<number[]> {
    return applyMigrations((fn) => this.#transact(fn), migrations);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#exclusive(() => this.#db.close());
    await this.#unlock?.();
  }

  #transact<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T> {
    return this.#exclusive(() =>
      this.#db.transaction((tx) => {
        const scope = { open: true };
        const executor: ScriptExecutor = {
          query: async <Row>(text: string, params?: unknown[]) => resultOf(await tx.query<Row>(text, params)),
          exec: async (script: string) => {
            await tx.exec(script);
          },
        };
        return this.#inTransaction.run(scope, () => fn(executor)).finally(() => {
          scope.open = false;
        });
      }),
    );
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#inTransaction.getStore()?.open) {
      return Promise.reject(
        new Error('PgliteSql: called from inside transaction(); use the transaction executor passed to the callback'),
      );
    }
    return this.#turns.run(fn);
  }
}

function resultOf<Row>(result: Results<Row>): QueryResult<Row> {
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}
