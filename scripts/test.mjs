// Runs every test file (*.test.ts under libs/, services/, apps/) with node's test runner through tsx.
// Extra arguments narrow the run to files whose path contains one of them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestTools } from './test-tools.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);
const files = [];
for (const top of ['libs', 'services', 'apps']) {
  for (const entry of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
    const dir = entry.parentPath ?? entry.path;
    if (!entry.isFile() || !entry.name.endsWith('.test.ts') || dir.includes('node_modules')) continue;
    const file = relative(root, join(dir, entry.name));
    if (filters.length === 0 || filters.some((f) => file.includes(f))) files.push(file);
  }
}
files.sort();
ensureTestTools();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
