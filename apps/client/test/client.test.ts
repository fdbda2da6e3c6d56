// The 3D browser client at /, in a real Chromium (software WebGL): register in the page, see the room,
// walk north through the doorway into the next room, talk through the text pane, see a builder's assets;
// a thing named like the player is not taken for the player's own avatar.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { patienceMs } from '@loom/runtime/testing/patience.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from '../../loom/test/processes.ts';
import { chromiumSkip, dressTheRoom, launchChromium, openClient, walkNorth } from './pages.ts';

describe('the 3D browser client', { skip: chromiumSkip }, () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-client-')));
  let loom: LoomProcess;
  let browser: Browser;
  let ports: ReturnType<typeof boundPorts>;

  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir));
    ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers, renders the room, walks north into the next room, talks and sees a builder\'s assets', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    page.setDefaultTimeout(patienceMs);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const base = `http://127.0.0.1:${ports.http}`;
    const walker = { username: 'Walker', password: 'walker-password-1' };
    await walkNorth(page, base, walker, dataDir);
    await dressTheRoom(page, base, walker);
    assert.deepEqual(errors, [], 'no errors in the page');
  });

  it('knows its own avatar from the server, not by name: a thing named like the player arriving later is a thing', async () => {
    // Walker (the first account, an admin) makes a thing called Echo before anyone is called that.
    const walker = await PlayerClient.connect(ports.telnet);
    try {
      walker.send('connect Walker walker-password-1');
      // Walker's page from the first test may still be playing: the telnet connection takes the character over.
      await walker.waitFor(/Welcome to \w+, Walker!|You take over your character/);
      walker.send('@teleport The Loom Square');
      await walker.waitFor(/The Loom Square/);
      walker.send('@create Echo');
      const [, thingId] = await walker.waitFor(/Created Echo \(#(\d+)\)/);
      const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
      page.setDefaultTimeout(patienceMs);
      await openClient(page, `http://127.0.0.1:${ports.http}/`);
      await page.locator('#username').fill('Echo');
      await page.locator('#password').fill('echo-password-1');
      await page.locator('#do-register').click();
      await page.locator('.label.self', { hasText: 'Echo' }).waitFor();
      // The thing is seen after the player's own character, so naming the last "Echo" seen ourselves would be wrong.
      walker.send(`drop #${thingId}`);
      await page.locator('.label.thing', { hasText: 'Echo' }).waitFor();
      assert.equal(await page.locator('.label.self').count(), 1, 'one avatar is ours');
      assert.equal(await page.locator('.label.self.thing').count(), 0, 'and it is not the thing');
      await page.close();
    } finally {
      walker.close();
    }
  });
});
