// `loom up` and tests point at a database that may not exist yet on a fresh PostgreSQL server.
import pg from 'pg';

/** Creates the database named in `url` when it is missing (connecting to the server's `postgres` database). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z_][\w$]{0,62}$/.test(name)) throw new Error(`"${name}" is not a database name this tool creates`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '42P04') return false; // created by someone else meanwhile
    throw error;
  } finally {
    await client.end();
  }
}
