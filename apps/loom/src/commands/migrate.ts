import { loadConfig, openSql } from '@loom/runtime';
import { migrations } from '@loom/persistence-service';

export async function migrate(): Promise<void> {
  const config = loadConfig();
  const sql = await openSql(config);
  try {
    const applied = await sql.migrate(migrations);
    const newest = migrations.at(-1)?.version ?? 0;
    console.log(applied.length ? `applied migrations ${applied.join(', ')}; the schema is at version ${newest}` : `nothing to apply; the schema is at version ${newest}`);
  } finally {
    await sql.close();
  }
}
