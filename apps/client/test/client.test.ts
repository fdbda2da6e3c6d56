// The 3D browser client at /, in a real Chromium (software WebGL): register in the page, see the room,
// walk north through the doorway into the next room, talk through the text pane, see a builder's assets.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { patienceMs } from '@loom/runtime/testing/patience.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from '../../loom/test/processes.ts';
import { chromiumSkip, dressTheRoom, launchChromium, walkNorth } from './pages.ts';

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
});
