// `loom admin create`: the operator makes an admin on the world's database, before or between runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { boundPorts, embeddedEnv, loomBin, runLoom } from './processes.ts';

describe('loom admin create', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-admin-')));
  const env = { ...process.env, ...embeddedEnv(dataDir) };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const adminCreate = (name: string, password: string) =>
    spawnSync(process.execPath, [loomBin, 'admin', 'create', name, '--password-stdin'], { env, input: `${password}\n`, encoding: 'utf8' });

  /** Runs the world on the data folder, hands its HTTP base to fn, stops it. */
  async function withWorld(fn: (base: string) => Promise<void>): Promise<void> {
    const loom = runLoom(['start'], env);
    try {
      await fn(`http://127.0.0.1:${boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000)).http}`);
    } finally {
      assert.equal(await loom.stop('SIGTERM'), 0);
    }
  }

  async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function roleOf(base: string, username: string, password: string): Promise<string> {
    const login = await post(base, '/api/v1/auth/login', { username, password });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${login.body.accessToken as string}` } });
    return ((await me.json()) as { role: string }).role;
  }

  it('creates an admin on a fresh world; the next account to register is a player', async () => {
    const created = adminCreate('Boss', 'boss password');
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /created admin Boss \(#\d+\)/);
    await withWorld(async (base) => {
      assert.equal(await roleOf(base, 'Boss', 'boss password'), 'admin');
      const pat = await post(base, '/api/v1/auth/register', { username: 'Pat', password: 'pat password' });
      assert.equal(pat.status, 201, JSON.stringify(pat.body));
      assert.equal((pat.body.user as { role: string }).role, 'player');
    });
  });

  it('makes an existing account admin with a new password, found ignoring case', async () => {
    const promoted = adminCreate('pat', 'new pat password');
    assert.equal(promoted.status, 0, promoted.stderr);
    assert.match(promoted.stdout, /Pat \(#\d+\) is now an admin/);
    await withWorld(async (base) => {
      assert.equal(await roleOf(base, 'Pat', 'new pat password'), 'admin');
    });
  });

  it('refuses a short password or a bad name with a clear message and exit code 1', () => {
    const short = adminCreate('Someone', 'short');
    assert.equal(short.status, 1);
    assert.match(short.stderr, /at least 8 characters/);
    const bad = adminCreate('no spaces allowed', 'long enough password');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /3 to 20 letters, digits or underscores/);
  });
});
