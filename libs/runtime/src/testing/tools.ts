// Test support for the Debian programs some tests drive as real clients (promtool, tt++, chromium).
// `npm test` installs them (scripts/test-tools.mjs); when one is still missing a test skips and says
// so, and under CI=true its absence is a failure.
import { existsSync } from 'node:fs';

/** Skip reason when the program is absent, or false when it is there. */
export function needTool(path: string, debianPackage: string): string | false {
  if (existsSync(path)) return false;
  const reason = `${path} is not installed (Debian package ${debianPackage}; npm test installs it when run as root)`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires it`);
  process.stderr.write(`SKIPPING: ${reason}\n`);
  return reason;
}
