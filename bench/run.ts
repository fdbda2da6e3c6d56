// `npm run bench [name...]`: runs every bench/*.bench.ts (or those whose name contains an argument),
// one child process each so they do not disturb one another, and prints their reports.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();
if (benches.length === 0) {
  console.error('no benchmark matched');
  process.exit(1);
}
let failed = 0;
benches.forEach((file, i) => {
  console.log(`\n[${i + 1}/${benches.length}] ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
});
process.exit(failed ? 1 : 0);
