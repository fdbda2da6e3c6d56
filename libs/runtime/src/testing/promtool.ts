// Validates Prometheus text with Debian's promtool (`promtool check metrics`), the reference checker.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const promtool = '/usr/bin/promtool';

/** Skip reason when promtool is absent (a failure under CI=true), or false when it is there. */
export function promtoolSkip(): string | false {
  if (existsSync(promtool)) return false;
  const reason = 'promtool is not installed (Debian package prometheus; npm test installs it when run as root)';
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires it`);
  process.stderr.write(`SKIPPING promtool checks: ${reason}\n`);
  return reason;
}

/** promtool's complaints about the text; empty when it is valid and lint-clean. */
export function checkMetrics(text: string): string {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`.trim() || `promtool exited ${result.status}`;
}
