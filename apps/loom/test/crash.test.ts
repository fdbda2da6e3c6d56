// A `kill -9` of the world and a restart: what docs/operations.md promises survives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrowserPlayer } from '../../../services/text-gateway/test/browser-player.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

describe('a kill -9 and a restart (all-in-one, embedded database)', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-crash-')));
  const saveIntervalMs = 500;
  const env = embeddedEnv(dataDir, { LOOM_SAVE_INTERVAL_MS: String(saveIntervalMs) });
  let loom: LoomProcess | undefined;
  let ports: ReturnType<typeof boundPorts>;
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<ReturnType<typeof boundPorts>> {
    loom = runLoom(['start'], env);
    return (ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000)));
  }
  /** The world the test before restarted and left running (a start costs seconds), or a new one if it did not. */
  const running = () => (loom?.child.exitCode === null && loom.child.signalCode === null ? Promise.resolve(ports) : start());
  /** Keeper's login on that world: the connection the test before closed may not have left it yet. */
  const inAgain = /Welcome to \w+, Keeper!|You take over your character/;

  it('keeps accounts, characters and world changes older than one save interval', async () => {
    let player = await PlayerClient.connect((await start()).telnet);
    player.send('create Keeper keeper-password-1');
    await player.waitFor(/Welcome to \w+, Keeper!/);
    player.send('south');
    await player.waitFor(/Riverside Garden/);
    player.send('get stone');
    await player.waitFor(/You pick up smooth river stone\./);
    player.send('@password keeper-password-1=keeper-password-2');
    await player.waitFor(/Your password has been changed\./);
    // Past one save interval, the write-behind has stored the move and the stone.
    await new Promise((resolve) => setTimeout(resolve, saveIntervalMs * 3));
    await loom!.stop('SIGKILL');
    player.close();

    player = await PlayerClient.connect((await start()).telnet);
    player.send('connect Keeper keeper-password-1');
    await player.waitFor(/wrong username or password/);
    player.send('connect Keeper keeper-password-2');
    await player.waitFor(/Welcome to \w+, Keeper!/);
    await player.waitFor(/Riverside Garden/);
    player.send('inventory');
    await player.waitFor(/You are carrying:\s+smooth river stone/);
    player.close();
  });

  it('saves everything else when a player sends text no database takes (a lone surrogate, a NUL), through a kill -9', async () => {
    // JSON frames may carry what telnet's UTF-8 cannot: a lone surrogate, a NUL.
    let browser = await BrowserPlayer.open(`http://127.0.0.1:${(await running()).http}`);
    browser.line('connect Keeper keeper-password-2'); // the first account: an admin
    await browser.waitFor(inAgain);
    browser.line('@describe me=lone \ud800 surrogate');
    await browser.waitFor(/Described/);
    browser.line('@set me/note="a\u0000b"');
    await browser.waitFor(/Set note/);
    browser.line('@create lantern');
    await browser.waitFor(/Created lantern/);
    await new Promise((resolve) => setTimeout(resolve, saveIntervalMs * 3));
    await loom!.stop('SIGKILL');
    browser.close();

    browser = await BrowserPlayer.open(`http://127.0.0.1:${(await start()).http}`);
    browser.line('connect Keeper keeper-password-2');
    await browser.waitFor(/Welcome to \w+, Keeper!/);
    browser.line('inventory');
    await browser.waitFor(/You are carrying:[\s\S]*lantern/);
    browser.line('look me');
    await browser.waitFor(/lone \ufffd surrogate/);
    browser.line('@examine me');
    await browser.waitFor(/note/);
    browser.close();
    assert.ok(!loom!.lines.some((l) => /saving the world failed/.test(l)), 'no save failed');
  });

  for (const stop of ['SIGKILL', 'SIGTERM'] as const) {
    it(`fires a timer that was waiting when the world stopped (${stop}), once`, async () => {
      const clock = `clock${stop.toLowerCase()}`;
      let player = await PlayerClient.connect((await running()).telnet);
      player.send('connect Keeper keeper-password-2');
      await player.waitFor(inAgain);
      player.send(`@create ${clock}`);
      await player.waitFor(new RegExp(`Created ${clock}`));
      player.send(`@script ${clock}/on_use=schedule(4); emit('Wound.');`);
      player.send(`@script ${clock}/on_timer=setAttr(self, 'chimes', (getAttr(self, 'chimes') ?? 0) + 1);`);
      await player.waitFor(new RegExp(`Saved on_timer of ${clock}`));
      player.send(`use ${clock}`);
      await player.waitFor(/Wound\./);
      await new Promise((resolve) => setTimeout(resolve, saveIntervalMs * 3));
      await loom!.stop(stop);
      player.close();

      player = await PlayerClient.connect((await start()).telnet);
      player.send('connect Keeper keeper-password-2');
      await player.waitFor(/Welcome to \w+, Keeper!/);
      // The timer is due 4 s after the use: it fires once, whenever the world is back by then or after.
      const chimes = async (): Promise<string> => {
        player.send(`@examine ${clock}`);
        const block = (await player.waitFor(new RegExp(`${clock} \\(#\\d+\\)\\s+thing, owned by[\\s\\S]*?Scripts:`)))[0];
        return /chimes = (\d+)/.exec(block)?.[1] ?? '0';
      };
      await eventually(async () => (await chimes()) === '1', 'a chime after the restart');
      // Well past the due time, still one chime: the timer left the object when it fired.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await chimes(), '1');
      player.close();
    });
  }
});
