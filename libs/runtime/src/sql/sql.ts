/** One schema, one set of migrations and queries, for embedded PGlite and a PostgreSQL server. */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface SqlExecutor {
  /** Parameterised query: `$1`, `$2` ... */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

export interface Migration {
  /** Applied in ascending order; never renumbered once released. */
  version: number;
  name: string;
  sql: string;
}

export interface Sql extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Applies the migrations not yet applied; safe when two processes call it at once. Returns the versions applied now. */
  migrate(migrations: Migration[]): Promise<number[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** True for a duplicate-key error (SQLSTATE 23505), from either driver. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === '23505';
}
