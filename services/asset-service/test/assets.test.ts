// Builders upload models, textures and sounds over HTTP; anyone downloads them by hash, cached forever.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { service as authService } from '@loom/auth-service';
import { service as httpApi } from '@loom/http-api';
import { service as persistence } from '@loom/persistence-service';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring, type WiringKind } from '@loom/runtime/testing/wiring.ts';
import { service as assetService } from '../src/index.ts';
import { glb, png } from './fixtures.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const distributedSkip = servers.find((s) => s.skip)?.skip ?? false;
const maxBytes = 64 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function story(kind: WiringKind, skip: string | false) {
  describe(`assets (${kind})`, { skip }, () => {
    let wiring: Wiring;
    let assets: string;
    const tokens: Record<'admin' | 'builder' | 'player', string> = { admin: '', builder: '', player: '' };

    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${wiring.httpBase}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const upload = async (name: string, bytes: Buffer | ReadableStream, type: string, token: string | undefined = tokens.builder, method = 'PUT') => {
      const path = method === 'PUT' ? `/api/v1/assets/${name}` : `/api/v1/assets?name=${encodeURIComponent(name)}`;
      const response = await fetch(`${assets}${path}`, {
        method,
        headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: bytes,
        duplex: 'half',
      } as RequestInit);
      return { status: response.status, headers: response.headers, body: await response.json() };
    };
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${assets}${path}`, { method, headers, redirect: 'manual' });
    type Answer = Response | { status: number; body: { error: { code: string; message: string } } };
    const refusal = async (response: Answer | Promise<Answer>, status: number, code: string) => {
      const r = await response;
      const body = r instanceof Response ? await r.json() : r.body;
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(body.error.code, code);
      assert.ok(body.error.message);
    };
    const blobFiles = () => readdirSync(join(wiring.config.dataDir, 'assets'), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f)));
    const incoming = () => (existsSync(join(wiring.config.dataDir, 'assets/incoming')) ? readdirSync(join(wiring.config.dataDir, 'assets/incoming')) : []);

    const tree = glb();
    const red = png(255, 0, 0);

    before(async () => {
      wiring = await startWiring(kind, [persistence, authService, assetService, httpApi], { LOOM_ASSET_MAX_BYTES: String(maxBytes) });
      const assetHost = wiring.hosts.get('asset-service');
      assets = kind === 'all-in-one' ? wiring.httpBase : `http://127.0.0.1:${assetHost!.httpPort}`;
      for (const name of ['admin', 'builder', 'player'] as const) {
        const r = await api('POST', '/api/v1/auth/register', { username: `${name}_1`, password: 'a fine password' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        tokens[name] = r.body.accessToken;
        if (name === 'builder') {
          const promoted = await api('PUT', `/api/v1/admin/users/${r.body.user.id}/role`, { role: 'builder' }, tokens.admin);
          assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
          // The role is read from the token: log in again for one that says builder.
          tokens.builder = (await api('POST', '/api/v1/auth/login', { username: 'builder_1', password: 'a fine password' })).body.accessToken;
        }
      }
    });
    after(async () => {
      await wiring?.stop();
    });

    it('a builder uploads a texture and a model, and anyone downloads them byte for byte', async () => {
      for (const [name, bytes, type] of [['textures/red.png', red, 'image/png'], ['models/tree.glb', tree, 'model/gltf-binary']] as const) {
        const r = await upload(name, bytes, type);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const hash = sha256(bytes);
        assert.deepEqual(r.body, { hash, name, contentType: type, size: bytes.length, url: `/assets/${hash}` });
        const download = await get(r.body.url);
        assert.equal(download.status, 200);
        assert.equal(download.headers.get('content-type'), type);
        assert.equal(download.headers.get('content-length'), String(bytes.length));
        assert.equal(download.headers.get('etag'), `"${hash}"`);
        assert.equal(download.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.equal(download.headers.get('accept-ranges'), 'bytes');
        assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
        assert.ok(existsSync(join(wiring.config.dataDir, 'assets', hash.slice(0, 2), hash)));
      }
    });

    it('an admin uploads with POST and ?name=, and the same content again is not stored twice', async () => {
      const sound = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(200, 1)]);
      const first = await upload('sounds/drip.ogg', sound, 'audio/ogg', tokens.admin, 'POST');
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const files = blobFiles().length;
      const again = await upload('sounds/drip.ogg', sound, 'audio/ogg; codecs=vorbis', tokens.builder);
      assert.equal(again.status, 200);
      assert.equal(again.body.hash, first.body.hash);
      assert.equal(blobFiles().length, files);
      assert.deepEqual(incoming(), []);
    });

    it('a client that has an asset is told it has not changed (304)', async () => {
      const hash = sha256(red);
      const r = await get(`/assets/${hash}`, { 'if-none-match': `"${hash}"` });
      assert.equal(r.status, 304);
      assert.equal(r.headers.get('etag'), `"${hash}"`);
      assert.equal((await r.arrayBuffer()).byteLength, 0);
      assert.equal((await get(`/assets/${hash}`, { 'if-none-match': '"someone-else"' })).status, 200);
    });

    it('serves byte ranges: the first bytes, from an offset, the last n; refuses what lies outside', async () => {
      const url = `/assets/${sha256(tree)}`;
      const first = await get(url, { range: 'bytes=0-3' });
      assert.equal(first.status, 206);
      assert.equal(first.headers.get('content-range'), `bytes 0-3/${tree.length}`);
      assert.equal(first.headers.get('content-length'), '4');
      assert.equal(Buffer.from(await first.arrayBuffer()).toString('latin1'), 'glTF');
      const rest = await get(url, { range: 'bytes=12-' });
      assert.equal(rest.status, 206);
      assert.deepEqual(Buffer.from(await rest.arrayBuffer()), tree.subarray(12));
      const suffix = await get(url, { range: 'bytes=-5' });
      assert.equal(suffix.headers.get('content-range'), `bytes ${tree.length - 5}-${tree.length - 1}/${tree.length}`);
      assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), tree.subarray(-5));
      const outside = await get(url, { range: `bytes=${tree.length}-` });
      assert.equal(outside.headers.get('content-range'), `bytes */${tree.length}`);
      await refusal(outside, 416, 'RANGE_NOT_SATISFIABLE');
    });

    it('answers HEAD with the headers and no body', async () => {
      const r = await get(`/assets/${sha256(red)}`, {}, 'HEAD');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-length'), String(red.length));
      assert.equal(r.headers.get('content-type'), 'image/png');
      assert.equal((await r.arrayBuffer()).byteLength, 0);
    });

    it('a name moves to the newest upload, and the old hash keeps working', async () => {
      const blue = png(0, 0, 255);
      assert.equal((await upload('textures/wall.png', red, 'image/png')).status, 200);
      assert.equal((await upload('textures/wall.png', blue, 'image/png')).status, 201);
      const moved = await get('/assets/by-name/textures/wall.png');
      assert.equal(moved.status, 302);
      assert.equal(moved.headers.get('location'), `/assets/${sha256(blue)}`);
      const old = await get(`/assets/${sha256(red)}`);
      assert.equal(old.status, 200);
      assert.deepEqual(Buffer.from(await old.arrayBuffer()), red);
    });

    it('refuses uploads without a token, from players, of the wrong kind, too large or badly named', async () => {
      await refusal(upload('a.png', red, 'image/png', ''), 401, 'UNAUTHENTICATED');
      await refusal(upload('a.png', red, 'image/png', 'not-a-token'), 401, 'UNAUTHENTICATED');
      await refusal(upload('a.png', red, 'image/png', tokens.player), 403, 'PERMISSION_DENIED');
      await refusal(upload('a.png', Buffer.from('\xff\xd8\xff a jpeg pretending', 'latin1'), 'image/png'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      await refusal(upload('a.glb', Buffer.concat([tree, Buffer.alloc(4)]), 'model/gltf-binary'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      await refusal(upload('a.txt', Buffer.from('hello'), 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      const big = Buffer.concat([red, Buffer.alloc(maxBytes)]);
      await refusal(upload('big.png', big, 'image/png'), 413, 'PAYLOAD_TOO_LARGE');
      // Without a Content-Length (chunked): refused once the limit is passed, mid-stream.
      const chunked = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(big.subarray(i * 8000, (i + 1) * 8000 + (i === 9 ? big.length : 0))));
          controller.close();
        },
      });
      await refusal(upload('big.png', chunked, 'image/png'), 413, 'PAYLOAD_TOO_LARGE');
      await refusal(upload('', red, 'image/png', tokens.builder, 'POST'), 400, 'INVALID_ARGUMENT');
      for (const name of ['up..secret.png', 'with%20space.png', 'x'.repeat(201)]) await refusal(upload(name, red, 'image/png'), 400, 'INVALID_ARGUMENT');
      // In a path, a client resolves "../" itself; in the query it arrives as sent.
      await refusal(upload('up/../secret.png', red, 'image/png', tokens.builder, 'POST'), 400, 'INVALID_ARGUMENT');
      await refusal(upload('empty.png', Buffer.alloc(0), 'image/png'), 400, 'INVALID_ARGUMENT');
      await refusal(get('/assets/by-name/big.png'), 404, 'NOT_FOUND');
      assert.deepEqual(incoming(), []);
    });

    it('answers unknown and malformed hashes with 404 and 400', async () => {
      await refusal(get(`/assets/${'0'.repeat(64)}`), 404, 'NOT_FOUND');
      await refusal(get('/assets/not-a-hash'), 400, 'INVALID_ARGUMENT');
      await refusal(get('/assets/by-name/no/such.png'), 404, 'NOT_FOUND');
    });
  });
}

story('all-in-one', false);
story('distributed', distributedSkip);
