// Test support: a data folder whose embedded database (PGlite) is initialised already. PGlite on a fresh
// folder runs PostgreSQL's initdb in WebAssembly, seconds of CPU in every test that starts a world on a
// fresh folder (most of a `loom start`'s start-up). A copy of a cluster initialised once per installed
// PGlite takes milliseconds; what follows initdb (the migrations, the starter world) still runs in every
// test. `loom start` on a truly fresh folder, as `npm start` runs it, stays tested in apps/loom/test/start.test.ts.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pglite = import.meta.resolve('@electric-sql/pglite');
const pgliteRoot = join(dirname(fileURLToPath(pglite)), '..');
const { version } = JSON.parse(readFileSync(join(pgliteRoot, 'package.json'), 'utf8')) as { version: string };
/** node_modules/.cache: made again when PGlite is upgraded or node_modules installed afresh. */
const template = join(pgliteRoot, '..', '..', '.cache', `loom-test-pglite-${version}`);

function ensureTemplate(): void {
  if (existsSync(template)) return;
  // Made beside the template and renamed into place, so a reader never sees a half-made one; two test
  // processes making it at once both succeed, and the second rename leaves the first one's in place.
  const building = `${template}.building-${process.pid}`;
  mkdirSync(dirname(template), { recursive: true });
  const made = spawnSync(process.execPath, ['--input-type=module', '-e', 'const { PGlite } = await import(process.argv[1]); await (await PGlite.create(process.argv[2])).close();', pglite, building], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`initialising the PGlite template failed: ${made.stderr}`);
  try {
    renameSync(building, template);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(template)) throw error;
  }
}

/** Puts an initialised PGlite cluster where `loom start` (or an all-in-one host) on `dataDir` opens it; returns dataDir. */
export function seedEmbeddedDatabase(dataDir: string): string {
  ensureTemplate();
  cpSync(template, join(dataDir, 'pg'), { recursive: true });
  return dataDir;
}
