// `loom doctor`: every dependency the configuration names is checked; one that does not answer (a dead
// gRPC address included) fails it with exit code 1 and a one-line reason, never a stack trace.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runLoom } from './processes.ts';

describe('loom doctor', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-doctor-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const base = { LOOM_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', AMQP_URL: '' };
  /** Runs `loom doctor`; resolves once it exited and all it printed was read. */
  const doctor = async (env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> => {
    const run = runLoom(['doctor'], env);
    const [code] = (await once(run.child, 'close')) as [number | null];
    return { code, output: run.lines.join('\n') };
  };

  it('passes on embedded defaults, where no gRPC service is expected', async () => {
    const { code, output } = await doctor(base);
    assert.equal(code, 0, output);
    assert.match(output, /every configured dependency answers/);
  });

  it('fails, with exit code 1 and no stack trace, when a gRPC address the environment names is dead', async () => {
    // Nothing listens on port 1.
    const { code, output } = await doctor({ ...base, WORLD_STATE_ADDR: '127.0.0.1:1' });
    assert.equal(code, 1, output);
    assert.match(output, /FAIL world-state +127\.0\.0\.1:1/);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  });
});
