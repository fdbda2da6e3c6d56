// A person's account story through real HTTP (and real gRPC between services in the distributed wiring).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importPKCS8, SignJWT, decodeProtectedHeader, decodeJwt } from 'jose';
import { service as httpApi } from '@loom/http-api';
import { service as persistence } from '@loom/persistence-service';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring, type WiringKind } from '@loom/runtime/testing/wiring.ts';
import { service as auth } from '../src/index.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis')]);
const distributedSkip = servers.find((s) => s.skip)?.skip ?? false;
const env = { LOOM_LOGIN_MAX_FAILURES: '3', LOOM_LOGIN_WINDOW: '600' };

/** A JSON POST sent from a given local address (any of 127.0.0.0/8 reaches the server on 127.0.0.1). */
function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; body: ReturnType<typeof JSON.parse> }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: response.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject).end(data);
  });
}

interface Session {
  user: { id: number; username: string; role: string };
  accessToken: string;
  refreshToken: string;
}

function story(kind: WiringKind, skip: string | false) {
  describe(`accounts (${kind})`, { skip }, () => {
    let wiring: Wiring;
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${wiring.httpBase}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const register = async (username: string, password = 'a fine password', from?: string) => {
      const r = from ? await postFrom(from, `${wiring.httpBase}/api/v1/auth/register`, { username, password }) : await call('POST', '/api/v1/auth/register', { username, password });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as Session;
    };
    /** From 127.0.0.1 unless another loopback address is named: players at different addresses. */
    const login = (username: string, password: string, from?: string) =>
      from ? postFrom(from, `${wiring.httpBase}/api/v1/auth/login`, { username, password }) : call('POST', '/api/v1/auth/login', { username, password });
    let admin: Session;

    before(async () => {
      wiring = await startWiring(kind, [persistence, auth, httpApi], env);
      admin = await register('Root');
    });
    after(async () => {
      await wiring?.stop();
    });

    it('the first account of a fresh world is its admin, the next a player', async () => {
      assert.equal(admin.user.role, 'admin');
      const alice = await register('alice');
      assert.equal(alice.user.role, 'player');
    });

    it('registers, logs in and asks who it is', async () => {
      await register('Bob_1', 'bob password 1');
      const r = await login('bob_1', 'bob password 1');
      assert.equal(r.status, 200);
      const me = await call('GET', '/api/v1/auth/me', undefined, r.body.accessToken);
      assert.equal(me.status, 200);
      assert.equal(me.body.username, 'Bob_1');
      assert.equal(me.body.passwordHash, undefined);
    });

    it('refuses bad names and short passwords with a clear message', async () => {
      const short = await call('POST', '/api/v1/auth/register', { username: 'carol', password: 'short' });
      assert.equal(short.status, 400);
      assert.match(short.body.error.message, /at least 8 characters/);
      const bad = await call('POST', '/api/v1/auth/register', { username: 'no spaces!', password: 'long enough pw' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'INVALID_ARGUMENT');
      for (const email of ['nul\u0000@example.org', 'lone\ud800@example.org', 'bell\u0007@example.org']) {
        const odd = await call('POST', '/api/v1/auth/register', { username: 'carol', password: 'long enough pw', email });
        assert.equal(odd.status, 400, `${JSON.stringify(email)}: ${JSON.stringify(odd.body)}`);
        assert.equal(odd.body.error.message, 'that is not an email address');
      }
    });

    it('answers a wrong password and an unknown name the same way', async () => {
      await register('dora', 'dora password');
      const wrong = await login('dora', 'not her password');
      const unknown = await login('nobody_here', 'whatever pw');
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong, unknown);
    });

    it('two concurrent registrations of one name: exactly one wins', async () => {
      const results = await Promise.all(['Eve', 'eve', 'EVE', 'eVe'].map((username) => call('POST', '/api/v1/auth/register', { username, password: 'eve password' })));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
      assert.equal(results.find((r) => r.status === 409)!.body.error.code, 'ALREADY_EXISTS');
    });

    it('refuses tampered, expired, wrong-key and alg:none tokens', async () => {
      const me = (token: string) => call('GET', '/api/v1/auth/me', undefined, token);
      const { accessToken } = await register('frank');
      assert.equal((await me(accessToken)).status, 200);
      const [header, payload, signature] = accessToken.split('.');
      const claims = decodeJwt(accessToken);
      const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
      assert.equal((await me(`${header}.${forged}.${signature}`)).status, 401);
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      assert.equal((await me(`${none}.${payload}.`)).status, 401);
      const kid = decodeProtectedHeader(accessToken).kid!;
      const realKey = await importPKCS8(readFileSync(join(wiring.config.dataDir, 'keys', 'jwt-ed25519.pem'), 'utf8'), 'EdDSA');
      const sign = (key: CryptoKey | Uint8Array, exp: number) =>
        new SignJWT({ ...claims, exp }).setProtectedHeader({ alg: 'EdDSA', kid }).sign(key);
      const expired = await sign(realKey, Math.floor(Date.now() / 1000) - 60);
      const expiredAnswer = await me(expired);
      assert.equal(expiredAnswer.status, 401);
      assert.match(expiredAnswer.body.error.message, /expired/);
      const otherPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      assert.equal((await me(await sign(await importPKCS8(otherPem, 'EdDSA'), Math.floor(Date.now() / 1000) + 600))).status, 401);
      assert.equal((await me('not-a-token')).status, 401);
    });

    it('rotates refresh tokens, and reuse of an old one ends the whole family', async () => {
      const first = await register('gina');
      const second = await call('POST', '/api/v1/auth/refresh', { refreshToken: first.refreshToken });
      assert.equal(second.status, 200);
      assert.notEqual(second.body.refreshToken, first.refreshToken);
      const third = await call('POST', '/api/v1/auth/refresh', { refreshToken: second.body.refreshToken });
      assert.equal(third.status, 200);
      const replay = await call('POST', '/api/v1/auth/refresh', { refreshToken: first.refreshToken });
      assert.equal(replay.status, 401);
      assert.match(replay.body.error.message, /already used/);
      assert.equal((await call('POST', '/api/v1/auth/refresh', { refreshToken: third.body.refreshToken })).status, 401);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, third.body.accessToken)).status, 401);
    });

    it('logout ends the session: its access token is refused at once', async () => {
      const s = await register('hank');
      assert.equal((await call('POST', '/api/v1/auth/logout', { refreshToken: s.refreshToken })).status, 204);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, s.accessToken)).status, 401);
      assert.equal((await call('POST', '/api/v1/auth/refresh', { refreshToken: s.refreshToken })).status, 401);
    });

    it('holds a guesser from one address with growing waits, and lets the owner in there once the wait ends', async () => {
      await register('ivy', 'ivy password');
      const guess = () => login('ivy', 'wrong guess', '127.0.0.2');
      for (let i = 0; i < 3; i++) assert.equal((await guess()).status, 401);
      const held = await login('ivy', 'ivy password', '127.0.0.2');
      assert.equal(held.status, 429);
      assert.equal(held.body.error.code, 'RESOURCE_EXHAUSTED');
      assert.match(held.body.error.message, /too many failed logins for this account from your address; try again in 1 second$/);
      // Each failure past the free ones doubles the wait (LOOM_LOGIN_DELAY_MS, 1 s by default).
      await eventually(async () => (await guess()).status === 401, 'a guess let through once the wait ended');
      assert.match((await guess()).body.error.message, /try again in 2 seconds$/);
      assert.equal((await login('ivy', 'ivy password')).status, 200, 'her own address is not held by another address');
      await eventually(async () => (await login('ivy', 'ivy password', '127.0.0.2')).status === 200, 'the owner let in from the guessed address');
    });

    it('never locks the owner out from an address they signed in from, whatever others try', async () => {
      await register('olga', 'olga password'); // a session from 127.0.0.1: a known address for olga
      // Guessers spread over addresses: past three failures from new places, every new place waits...
      for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) assert.equal((await login('olga', 'wrong guess', address)).status, 401);
      for (const [address, password] of [['127.0.0.3', 'wrong guess'], ['127.0.0.6', 'olga password']]) {
        const held = await login('olga', password!, address);
        assert.equal(held.status, 429);
        assert.match(held.body.error.message, /too many failed logins for this account from new places; try again in/);
      }
      // ...and the owner at home is let in, as often as she likes.
      for (let i = 0; i < 3; i++) assert.equal((await login('olga', 'olga password')).status, 200);
    });

    it('slows a sprayer trying many accounts from one address, not the players who sign in there', async () => {
      const nat = '127.0.0.7';
      await register('nat_player', 'nat password', nat);
      // LOOM_LOGIN_MAX_FAILURES=3, and an address may fail four times as often on accounts not known there.
      for (let i = 0; i < 12; i++) assert.equal((await login(`nobody_${i}`, 'some guess', nat)).status, 401);
      const sprayed = await login('nobody_12', 'some guess', nat);
      assert.equal(sprayed.status, 429);
      assert.match(sprayed.body.error.message, /too many failed logins from your address; try again in 1 second$/);
      assert.equal((await login('nat_player', 'nat password', nat)).status, 200);
      await eventually(async () => (await login('nobody_13', 'some guess', nat)).status === 401, 'a spray let through once the wait ended');
      assert.match((await login('nobody_14', 'some guess', nat)).body.error.message, /try again in 2 seconds$/);
      assert.equal((await login('nat_player', 'nat password', nat)).status, 200);
    });

    it("an admin's role change takes effect on the account's next request", async () => {
      const jack = await register('jack');
      const changed = await call('PUT', `/api/v1/admin/users/${jack.user.id}/role`, { role: 'builder' }, admin.accessToken);
      assert.equal(changed.status, 200);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, jack.accessToken)).body.role, 'builder');
      const notAdmin = await call('PUT', `/api/v1/admin/users/${admin.user.id}/role`, { role: 'player' }, jack.accessToken);
      assert.equal(notAdmin.status, 403);
    });

    it("a banned user's live token stops working, and they cannot log in", async () => {
      const kim = await register('kim', 'kim password');
      assert.equal((await call('POST', `/api/v1/admin/users/${kim.user.id}/ban`, undefined, admin.accessToken)).status, 200);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, kim.accessToken)).status, 401);
      assert.equal((await call('POST', '/api/v1/auth/refresh', { refreshToken: kim.refreshToken })).status, 401);
      assert.equal((await login('kim', 'kim password')).status, 403);
      await call('POST', `/api/v1/admin/users/${kim.user.id}/unban`, undefined, admin.accessToken);
      assert.equal((await login('kim', 'kim password')).status, 200);
    });

    it('changing the password ends the other sessions and keeps this one', async () => {
      await register('lee', 'lee password');
      const here = (await login('lee', 'lee password')).body as Session;
      const elsewhere = (await login('lee', 'lee password')).body as Session;
      const r = await call('POST', '/api/v1/auth/password', { currentPassword: 'lee password', newPassword: 'lee new password' }, here.accessToken);
      assert.equal(r.status, 200);
      assert.ok(r.body.revokedSessions >= 2);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, here.accessToken)).status, 200);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, elsewhere.accessToken)).status, 401);
      assert.equal((await login('lee', 'lee password')).status, 401);
      assert.equal((await login('lee', 'lee new password')).status, 200);
    });

    it('lists accounts for admins only, without password hashes', async () => {
      const list = await call('GET', '/api/v1/admin/users?limit=2', undefined, admin.accessToken);
      assert.equal(list.status, 200);
      assert.equal(list.body.users.length, 2);
      assert.ok(list.body.nextAfter > 0);
      assert.ok(list.body.users.every((u: Record<string, unknown>) => !('passwordHash' in u)));
    });

    it('serves its OpenAPI document and docs page', async () => {
      const doc = await call('GET', '/api/v1/openapi.json');
      assert.equal(doc.status, 200);
      assert.ok(doc.body.paths['/api/v1/auth/login']);
      assert.ok(doc.body.paths['/api/v1/admin/users/{id}/role']);
      const page = await fetch(`${wiring.httpBase}/api/docs/`);
      assert.equal(page.status, 200);
    });

    it('refuses an oversized body with a JSON error', async () => {
      const response = await fetch(`${wiring.httpBase}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'x'.repeat(2_000_000), password: 'y' }),
      });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    });
  });
}

story('all-in-one', false);
story('distributed', distributedSkip);

function registrationLimit(kind: WiringKind, skip: string | false) {
  describe(`registration limit (${kind})`, { skip }, () => {
    let wiring: Wiring;
    before(async () => {
      wiring = await startWiring(kind, [persistence, auth, httpApi], { LOOM_REGISTER_PER_ADDRESS: '5', LOOM_REGISTER_WINDOW: '600' });
    });
    after(() => wiring?.stop());

    it('lets one address make five accounts in ten minutes, answers the sixth with a clear 429, and logins go on', async () => {
      const register = (username: string) =>
        fetch(`${wiring.httpBase}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'a fine password' }) });
      const statuses = [];
      for (let i = 1; i <= 8; i++) statuses.push((await register(`Mint${i}`)).status);
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429, 429, 429]);
      const refused = (await (await register('Mint9')).json()) as { error: { code: string; message: string } };
      assert.equal(refused.error.code, 'RESOURCE_EXHAUSTED');
      assert.match(refused.error.message, /too many new accounts from your address; try again in 10 minutes/);
      const login = await fetch(`${wiring.httpBase}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'Mint1', password: 'a fine password' }) });
      assert.equal(login.status, 200);
    });
  });
}

function registrationSpacing(kind: WiringKind, skip: string | false) {
  describe(`registration spacing, a delay in place of a CAPTCHA (${kind})`, { skip }, () => {
    let wiring: Wiring;
    before(async () => {
      wiring = await startWiring(kind, [persistence, auth, httpApi], { LOOM_REGISTER_PER_ADDRESS: '100', LOOM_REGISTER_SPACING: '2' });
    });
    after(() => wiring?.stop());

    it('makes an address wait between two new accounts, while another address goes on', async () => {
      const register = (username: string, from: string) => postFrom(from, `${wiring.httpBase}/api/v1/auth/register`, { username, password: 'a fine password' });
      assert.equal((await register('Spaced1', '127.0.0.5')).status, 201);
      const held = await register('Spaced2', '127.0.0.5');
      assert.equal(held.status, 429);
      assert.equal(held.body.error.code, 'RESOURCE_EXHAUSTED');
      assert.match(held.body.error.message, /a new account was made from your address a moment ago; try again in [12] seconds?/);
      assert.equal((await register('Spaced3', '127.0.0.6')).status, 201, 'another address is not held');
      await eventually(async () => (await register('Spaced2', '127.0.0.5')).status === 201, 'the second account after the wait');
    });
  });
}

registrationSpacing('all-in-one', false);
registrationSpacing('distributed', distributedSkip);
registrationLimit('all-in-one', false);
registrationLimit('distributed', distributedSkip);
