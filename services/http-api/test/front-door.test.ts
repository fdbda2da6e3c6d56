// The front door's forwarding, with real processes' hosts: http-api forwards /text and /ws/text to a
// text-gateway; the gateway counts the player's address (X-Forwarded-For from a trusted proxy), never
// one a client made up; a gateway that is away gives a clear 503.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ConfigError, loadConfig, startHost, type Host } from '@loom/runtime';
import { service as textGateway } from '../../text-gateway/src/index.ts';
import { service as httpApi } from '../src/index.ts';

/** Opens /ws/text at `url` and resolves with the first frame's text: the banner, or why it was refused. */
function firstFrame(url: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('message', (data) => resolve({ socket, text: (JSON.parse(String(data)) as { text: string }).text }));
    socket.once('error', reject);
  });
}

describe('http-api as the front door', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-front-door-'));
  const base = { LOG_LEVEL: 'silent', LOOM_DATA_DIR: dataDir, LOOM_HOST: '127.0.0.1', LOOM_TELNET_PORT: '0', LOOM_OPS_PORT: '0', LOOM_HTTP_PORT: '0' };
  let gateway: Host;
  let api: Host;
  const sockets: WebSocket[] = [];

  before(async () => {
    // One text connection per address, so the address the gateway counts shows.
    gateway = await startHost({ services: [textGateway], mode: 'standalone', config: loadConfig({ ...base, LOOM_TRUST_PROXY: '127.0.0.1', LOOM_TEXT_CONNECTIONS_PER_ADDRESS: '1' }) });
    api = await startHost({ services: [httpApi], mode: 'standalone', config: loadConfig({ ...base, LOOM_PROXY_TEXT_URL: `http://127.0.0.1:${gateway.httpPort}` }) });
  });
  after(async () => {
    for (const socket of sockets) socket.terminate();
    await api?.stop();
    await gateway?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the text client page and its WebSocket at http-api\'s address', async () => {
    const page = await fetch(`http://127.0.0.1:${api.httpPort}/text`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /\/ws\/text/);
    const { socket, text } = await firstFrame(`ws://127.0.0.1:${api.httpPort}/ws/text`);
    sockets.push(socket);
    assert.match(text, /Welcome to Loom!/);
  });

  it('counts the real client, so a made-up X-Forwarded-For buys no second connection', async () => {
    const { socket, text } = await firstFrame(`ws://127.0.0.1:${api.httpPort}/ws/text`, { 'x-forwarded-for': '203.0.113.9' });
    sockets.push(socket);
    assert.match(text, /too many connections/i);
  });

  it('believes X-Forwarded-For from a trusted proxy: a player behind it is another address', async () => {
    // The gateway trusts 127.0.0.1, as it trusts http-api: this connection stands for 198.51.100.7.
    const { socket, text } = await firstFrame(`ws://127.0.0.1:${gateway.httpPort}/ws/text`, { 'x-forwarded-for': '198.51.100.7' });
    sockets.push(socket);
    assert.match(text, /Welcome to Loom!/);
  });

  it('answers 503 UNAVAILABLE, as JSON, while the gateway is away', async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await gateway.stop();
    const page = await fetch(`http://127.0.0.1:${api.httpPort}/text`);
    assert.equal(page.status, 503);
    assert.deepEqual(((await page.json()) as { error: { code: string } }).error.code, 'UNAVAILABLE');
  });

  it('refuses a bad proxy setting with a message naming it', () => {
    assert.throws(() => loadConfig({ LOOM_TRUST_PROXY: '127.0.0.1,localhost' }), (error: Error) => error instanceof ConfigError && /LOOM_TRUST_PROXY .*"localhost"/.test(error.message));
    assert.throws(() => loadConfig({ LOOM_TRUST_PROXY: '10.0.0.0/33' }), /LOOM_TRUST_PROXY/);
    assert.throws(() => loadConfig({ LOOM_PROXY_TEXT_URL: 'text-gateway:9108' }), /LOOM_PROXY_TEXT_URL must use http: or https:/);
  });
});
