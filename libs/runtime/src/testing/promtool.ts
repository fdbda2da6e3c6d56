// Validates Prometheus text with Debian's promtool (`promtool check metrics`), the reference checker.
import { spawnSync } from 'node:child_process';
import { needTool } from './tools.ts';

const promtool = '/usr/bin/promtool';

/** Skip reason when promtool is absent (a failure under CI=true), or false when it is there. */
export const promtoolSkip = (): string | false => needTool(promtool, 'prometheus');

/** promtool's complaints about the text; empty when it is valid and lint-clean. */
export function checkMetrics(text: string): string {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.status === 0) return '';
  const complaints = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '');
  return complaints.length > 0 || result.error ? complaints.join('\n') || `promtool failed: ${result.error}` : '';
}
