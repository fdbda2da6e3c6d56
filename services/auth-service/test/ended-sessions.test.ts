// Attack: log out (or change the password), wait for a restart, and the old access token works again.
// A session's end is kept in the database, so neither a restart nor a cache that forgets brings it back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { service as httpApi } from '@loom/http-api';
import { service as persistence } from '@loom/persistence-service';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { needServer, testServerUrls } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring } from '@loom/runtime/testing/wiring.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from '../../../apps/loom/test/processes.ts';
import { service as auth } from '../src/index.ts';

interface Session {
  accessToken: string;
  refreshToken: string;
}

function client(base: () => string) {
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    async session(path: 'register' | 'login', username: string, password: string): Promise<Session> {
      const r = await call('POST', `/api/v1/auth/${path}`, { username, password });
      assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
      return r.body as Session;
    },
    me: async (session: Session) => (await call('GET', '/api/v1/auth/me', undefined, session.accessToken)).status,
  };
}

/** Three sessions of one player: one logged out, one ended by a password change made from the third. */
async function endSome(api: ReturnType<typeof client>, username: string) {
  const loggedOut = await api.session('register', username, 'first password');
  const elsewhere = await api.session('login', username, 'first password');
  const here = await api.session('login', username, 'first password');
  assert.equal((await api.call('POST', '/api/v1/auth/logout', { refreshToken: loggedOut.refreshToken })).status, 204);
  const changed = await api.call('POST', '/api/v1/auth/password', { currentPassword: 'first password', newPassword: 'second password' }, here.accessToken);
  assert.equal(changed.status, 200);
  assert.deepEqual([await api.me(loggedOut), await api.me(elsewhere), await api.me(here)], [401, 401, 200]);
  return { loggedOut, elsewhere, here };
}

describe('ended sessions stay ended across a restart of `loom start` (all-in-one)', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-sessions-')));
  let loom: LoomProcess | undefined;
  let base = '';
  const api = client(() => base);
  const start = async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir));
    base = `http://127.0.0.1:${boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000)).http}`;
  };
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a logged-out token and one a password change ended, after the restart too; the changer's stays", async () => {
    await start();
    const { loggedOut, elsewhere, here } = await endSome(api, 'Nell');
    assert.equal(await loom!.stop('SIGTERM'), 0);
    await start();
    assert.deepEqual([await api.me(loggedOut), await api.me(elsewhere), await api.me(here)], [401, 401, 200]);
    const refresh = await api.call('POST', '/api/v1/auth/refresh', { refreshToken: elsewhere.refreshToken });
    assert.equal(refresh.status, 401);
  });
});

const servers = await Promise.all([needServer('postgres'), needServer('redis')]);

describe('ended sessions stay ended when Redis forgets them (distributed)', { skip: servers.find((s) => s.skip)?.skip ?? false }, () => {
  let wiring: Wiring;
  const api = client(() => wiring.httpBase);
  after(() => wiring?.stop());

  it('refuses the ended tokens after the cache is emptied, as a Redis restart or eviction would', async () => {
    wiring = await startWiring('distributed', [persistence, auth, httpApi]);
    const { loggedOut, elsewhere, here } = await endSome(api, 'Nora');
    // startWiring prefixes the wiring's Redis keys with its database's name.
    const prefix = `${new URL(wiring.config.databaseUrl!).pathname.slice(1)}:`;
    const redis = new Redis(testServerUrls.redis);
    try {
      const keys = await redis.keys(`${prefix}*`);
      assert.ok(keys.some((key) => key.includes(':auth:')), `auth-service's cache is under ${prefix}: ${keys.join(', ')}`);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    assert.deepEqual([await api.me(loggedOut), await api.me(elsewhere), await api.me(here)], [401, 401, 200]);
  });
});
