// The browser's text client at /text, in a real Chromium: a person plays in the page, a telnet player beside them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { needTool } from '@loom/runtime/testing/tools.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';
import { patienceMs } from '@loom/runtime/testing/patience.ts';

const chromiumPath = '/usr/bin/chromium';
const skip = needTool(chromiumPath, 'chromium');

describe('the browser text client', { skip }, () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-browser-text-')));
  let loom: LoomProcess;
  let browser: Browser;
  let ports: ReturnType<typeof boundPorts>;

  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir));
    ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a character in the page, walks, and talks with a telnet player', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(patienceMs);
    await page.goto(`http://127.0.0.1:${ports.http}/text`);
    const output = page.locator('#output');
    const line = page.locator('#line');
    await output.getByText('connect <name> <password>').waitFor();
    await line.fill('create Webby');
    await line.press('Enter');
    await page.locator('#line[type=password]').waitFor();
    await line.fill('webby-password-1');
    await line.press('Enter');
    await line.fill('webby-password-1');
    await line.press('Enter');
    await output.getByText('Welcome to Loom, Webby!').waitFor();
    assert.doesNotMatch(await output.innerText(), /webby-password-1/, 'a password typed in the page is not shown');
    await page.locator('#room', { hasText: 'The Loom Square' }).waitFor();

    const telnet = await PlayerClient.connect(ports.telnet);
    try {
      telnet.send('create Telly telly-password-1');
      await telnet.waitFor(/Welcome to \w+, Telly!/);
      await output.getByText('Telly has entered the world.').waitFor();
      await line.fill('say hello from the browser');
      await line.press('Enter');
      await telnet.waitFor(/Webby says, "hello from the browser"/);
      telnet.send('say hello from telnet');
      await output.getByText('Telly says, "hello from telnet"').waitFor();
      await line.fill('north');
      await line.press('Enter');
      await page.locator('#room', { hasText: "Weavers' Lane" }).waitFor();
      await telnet.waitFor(/Webby leaves north\./);
    } finally {
      telnet.close();
    }
  });
});
