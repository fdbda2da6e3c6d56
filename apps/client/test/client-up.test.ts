// One front door: under `loom up` every service is its own process, yet the browser plays at the single
// HTTP address `loom up` prints. http-api forwards /text, /ws/text, /ws/graphics, /assets/* and
// /api/v1/assets to the services that serve them; the pages never learn another address.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { eventually, patienceMs } from '@loom/runtime/testing/patience.ts';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { startLoomUp, type LoomUp } from '../../loom/test/processes.ts';
import { chromiumSkip, dressTheRoom, launchChromium, walkNorth } from './pages.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const [postgres, redis, rabbit] = servers;
const skip = chromiumSkip || (servers.find((s) => s.skip)?.skip ?? false);

/** Every request and WebSocket the page opens, to check that all go to the one address. */
function addressesSeen(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on('request', (request) => request.url().startsWith('data:') || seen.add(new URL(request.url()).origin));
  page.on('websocket', (socket) => seen.add(new URL(socket.url()).origin));
  return seen;
}

describe('the browser at the one address loom up prints', { skip }, () => {
  const shots = mkdtempSync(join(tmpdir(), 'loom-client-up-'));
  let up: LoomUp;
  let browser: Browser;
  let base: string;

  before(async () => {
    up = await startLoomUp('loom_front_door', { postgres: postgres!.url, redis: redis!.url, rabbitmq: rabbit!.url });
    const printed = up.loom.lines.find((line) => /all 10 services ready/.test(line)) ?? '';
    base = /HTTP (http:\/\/\S+)/.exec(printed)?.[1] ?? '';
    assert.equal(base, `http://127.0.0.1:${up.ports.http}`, `loom up prints its one HTTP address: ${printed}`);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await up?.stop();
    rmSync(shots, { recursive: true, force: true });
  });

  it('plays the 3D page: registers, sees the square, walks north through the doorway, talks, sees a builder\'s assets', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    page.setDefaultTimeout(patienceMs);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const seen = addressesSeen(page);
    const walker = { username: 'Walker', password: 'walker-password-1' };
    await walkNorth(page, base, walker, shots);
    await dressTheRoom(page, base, walker);
    assert.deepEqual(errors, [], 'no errors in the page');
    assert.deepEqual([...seen].sort(), [base, base.replace('http:', 'ws:')].sort(), 'the page, its API calls, assets and /ws/graphics at the one address');
    await page.close();
  });

  it('plays the /text page: logs in, looks, says', async () => {
    // An account made through the front door's /api, then used in the page.
    const registered = await fetch(`${base}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'Reader', password: 'reader-password-1' }) });
    assert.equal(registered.status, 201, await registered.text());
    const page = await browser.newPage();
    page.setDefaultTimeout(patienceMs);
    const seen = addressesSeen(page);
    await page.goto(`${base}/text`);
    const output = page.locator('#output');
    const line = page.locator('#line');
    await output.getByText('connect <name> <password>').waitFor();
    await line.fill('connect Reader');
    await line.press('Enter');
    await page.locator('#line[type=password]').waitFor();
    await line.fill('reader-password-1');
    await line.press('Enter');
    await output.getByText('Welcome to Loom, Reader!').waitFor();
    await page.locator('#room', { hasText: 'The Loom Square' }).waitFor();
    const roomsShown = async () => (await output.innerText()).match(/Exits: /g)?.length ?? 0;
    const before = await roomsShown();
    await line.fill('look');
    await line.press('Enter');
    await eventually(async () => (await roomsShown()) > before, 'the room described again after look', () => `${before} descriptions seen`);
    await line.fill('say hello through the front door');
    await line.press('Enter');
    await output.getByText('You say, "hello through the front door"').waitFor();
    assert.deepEqual([...seen].sort(), [base, base.replace('http:', 'ws:')].sort(), 'the page and its /ws/text at the one address');
  });
});
