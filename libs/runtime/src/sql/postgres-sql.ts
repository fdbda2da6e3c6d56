// A PostgreSQL server through a pg connection pool: the distributed wiring's database.
import pg from 'pg';
import { applyMigrations, type ScriptExecutor } from './migrate.ts';
import type { Migration, QueryResult, Sql, SqlExecutor } from './sql.ts';

export interface PostgresSqlOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Pool size; pg's default (10) when absent. */
  maxConnections?: number;
}

const INT8 = 20;
// Not in pg's TypeId enum, which lists scalar types only.
const INT4_ARRAY = 1007 as Parameters<typeof pg.types.getTypeParser>[0];
const INT8_ARRAY = 1016;

// pg returns bigint as strings, PGlite as numbers; numbers on both keep one set of queries and row types.
// Ids, counts and sizes stay far below 2^53.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return Number;
    if (oid === INT8_ARRAY) return pg.types.getTypeParser(INT4_ARRAY, format);
    return pg.types.getTypeParser(oid, format);
  },
};

export class PostgresSql implements Sql {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects once before resolving, so a wrong URL or a server that is down fails here, clearly. */
  static async open(options: PostgresSqlOptions): Promise<PostgresSql> {
    const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections, types });
    // An idle connection that breaks (server restart) is dropped by the pool and replaced on the next
    // checkout; without a listener the 'error' event would crash the process.
    pool.on('error', () => undefined);
    const sql = new PostgresSql(pool);
    try {
      await sql.ping();
    } catch (err) {
      await pool.end();
      const { host, pathname } = new URL(options.url);
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot connect to PostgreSQL at ${host}${pathname}: ${reason}`, { cause: err });
    }
    return sql;
  }

  async query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
    return resultOf<Row>(await this.#pool.query(text, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#transact(fn);
  }

  migrate(migrations: Migration[]): Promise<number[]> {
    return applyMigrations((fn) => this.#transact(fn), migrations);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#pool.end();
  }

  async #transact<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let open = true;
    const ensureOpen = () => {
      if (!open) throw new Error('PostgresSql: the transaction is already finished');
    };
    const tx: ScriptExecutor = {
      query: async <Row>(text: string, params?: unknown[]) => {
        ensureOpen();
        return resultOf<Row>(await client.query(text, params));
      },
      // Without parameters pg uses the simple protocol, which accepts several statements.
      exec: async (script: string) => {
        ensureOpen();
        await client.query(script);
      },
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      // COMMIT of a transaction where a statement failed (and the callback caught it) answers
      // ROLLBACK instead of an error; reporting success there would lose writes silently.
      const commit = await client.query('COMMIT');
      if (commit.command === 'ROLLBACK') throw new Error('transaction was aborted by an earlier error and rolled back');
      return result;
    } catch (err) {
      // A connection that cannot even roll back is broken: destroy it rather than return it to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw err;
    } finally {
      open = false;
      client.release(broken);
    }
  }
}

function resultOf<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}
