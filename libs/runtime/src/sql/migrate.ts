// The migration runner both adapters share, so PGlite and PostgreSQL end up with the same schema history.
import type { Migration, SqlExecutor } from './sql.ts';

/** A transaction's executor that can also run a migration's script of several statements. */
export interface ScriptExecutor extends SqlExecutor {
  exec(script: string): Promise<void>;
}

export type Transact = <T>(fn: (tx: ScriptExecutor) => Promise<T>) => Promise<T>;

// Any fixed key works as long as every Loom build uses the same one.
const LOCK_KEY = 7_452_118_301;

/**
 * Applies the missing migrations in version order, each in its own transaction. Every transaction
 * first takes a transaction-level advisory lock and re-reads what is applied, so processes starting
 * at once wait for each other instead of applying a version twice, and a lock can never outlive
 * the transaction that took it.
 */
export async function applyMigrations(transact: Transact, migrations: Migration[]): Promise<number[]> {
  const ordered = inOrder(migrations);
  const known = ordered.at(-1)?.version ?? 0;
  const applied = await transact(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version int PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    return appliedVersions(tx, known);
  });
  const appliedNow: number[] = [];
  for (const migration of ordered.filter((m) => !applied.has(m.version))) {
    const didApply = await transact(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
      if ((await appliedVersions(tx, known)).has(migration.version)) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    }).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`migration ${migration.version} (${migration.name}) failed: ${reason}`, { cause: err });
    });
    if (didApply) appliedNow.push(migration.version);
  }
  return appliedNow;
}

async function appliedVersions(tx: SqlExecutor, known: number): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
  const versions = new Set(rows.map((r) => r.version));
  const newest = Math.max(0, ...versions);
  if (newest > known) {
    throw new Error(
      `the database is newer than this build: it is at migration ${newest}, this build knows up to ${known}; run a newer Loom`,
    );
  }
  return versions;
}

function inOrder(migrations: Migration[]): Migration[] {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version < 1) throw new Error(`migration "${m.name}": version must be a positive integer`);
    if (seen.has(m.version)) throw new Error(`migration version ${m.version} is defined twice`);
    seen.add(m.version);
  }
  return [...migrations].sort((a, b) => a.version - b.version);
}
