// Runs every test file (*.test.ts under libs/, services/, apps/) with node's test runner through tsx.
// Extra arguments narrow the run to files whose path contains one of them. `--repeat N` runs the
// selection N times in a row and stops at the first failing run (to show that a file is not flaky).
// Tests wait for events with a patience of 60 s (libs/runtime/src/testing/patience.ts); the 10-minute cap
// per file only stops a hang (the soak test plays for minutes on purpose).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestTools } from './test-tools.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt < 0 ? 1 : Number(args[repeatAt + 1]);
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error('--repeat needs a whole number of runs, such as --repeat 20');
  process.exit(2);
}
const filters = repeatAt < 0 ? args : args.filter((_, i) => i !== repeatAt && i !== repeatAt + 1);
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
for (let run = 1; run <= repeat; run++) {
  if (repeat > 1) console.error(`\n=== run ${run} of ${repeat}: ${files.length} file(s) ===`);
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    if (repeat > 1) console.error(`=== run ${run} of ${repeat} failed ===`);
    process.exit(result.status ?? 1);
  }
  if (repeat > 1) console.error(`=== run ${run} of ${repeat} passed in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
}
if (repeat > 1) console.error(`\nall ${repeat} runs passed`);
