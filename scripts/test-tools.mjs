// Debian packages some tests use as real clients: promtool checks /metrics, TinTin++ plays over telnet,
// Chromium (driven by playwright-core) plays the browser clients.
// `npm test` installs the missing ones when it can (root with apt-get, as on CI and dev machines);
// otherwise it says so, and those tests skip locally or fail under CI=true.
import { execFileSync, spawnSync } from 'node:child_process';

const tools = [
  { command: 'promtool', pkg: 'prometheus', path: '/usr/bin/promtool' },
  { command: 'tt++', pkg: 'tintin++', path: '/usr/games/tt++' },
  { command: 'chromium', pkg: 'chromium', path: '/usr/bin/chromium' },
];

const has = (path) => spawnSync('test', ['-x', path]).status === 0;

export function ensureTestTools() {
  const missing = tools.filter((t) => !has(t.path));
  if (missing.length === 0) return;
  const packages = missing.map((t) => t.pkg);
  const canInstall = process.getuid?.() === 0 && spawnSync('which', ['apt-get']).status === 0;
  if (!canInstall) {
    console.error(`test tools missing: ${missing.map((t) => t.command).join(', ')} (Debian: apt-get install ${packages.join(' ')})`);
    return;
  }
  console.error(`installing test tools from Debian: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
}
