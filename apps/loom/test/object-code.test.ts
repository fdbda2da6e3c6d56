// Object code builders can trust, in both wirings: one run at a time per object, runs kept whole or not at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { objectCodeStory, placeScripted } from './object-code-story.ts';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { boundPorts, embeddedEnv, runLoom, startLoomUp, type LoomProcess, type LoomUp } from './processes.ts';

// A macro's worth of lines and runs at once: the stories test ordering, not the flood limits.
const generous = { LOOM_TEXT_FLOOD_LINES: '1000', LOOM_CHAT_FLOOD_LINES: '1000', LOOM_SCRIPT_RUNS_PER_OWNER: '1000', LOOM_SAVE_INTERVAL_MS: '200' };
const admin = { name: 'Ada', password: 'ada-password-1' };

async function firstAccount(telnet: number): Promise<void> {
  const client = await PlayerClient.connect(telnet);
  client.send(`create ${admin.name} ${admin.password}`);
  await client.waitFor(/Welcome to \w+, Ada!/);
  client.close();
}

describe('object code (all-in-one)', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-object-code-')));
  let loom: LoomProcess;
  let ports: ReturnType<typeof boundPorts>;
  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir, generous));
    ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
    await firstAccount(ports.telnet);
  });
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sells one soda for twenty uses, counts a hundred says, and takes no coin it may not move', async () => {
    await objectCodeStory(ports, admin);
  });
});

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;
const [postgres, redis, rabbit] = servers;

describe('object code (distributed: runs through RabbitMQ to script-executor)', { skip }, () => {
  let up: LoomUp;
  before(async () => {
    up = await startLoomUp('loom_objcode', { postgres: postgres!.url, redis: redis!.url, rabbitmq: rabbit!.url }, generous);
    await firstAccount(up.ports.telnet);
  });
  after(() => up?.stop());

  it('sells one soda for twenty uses, counts a hundred says, and takes no coin it may not move', async () => {
    await objectCodeStory({ telnet: up.ports.telnet, http: up.ports.http }, admin);
  });

  /** Stops world-state with the signal and waits until `loom up` has started it again. */
  async function restartWorldState(signal: NodeJS.Signals): Promise<void> {
    const { pid } = (await (await fetch(`http://127.0.0.1:${up.ports.ops['world-state']}/health`)).json()) as { pid: number };
    const ready = /^world-state +\|.*"msg":"world-state ready in/;
    const readyBefore = up.loom.lines.filter((l) => ready.test(l)).length;
    process.kill(pid, signal);
    await eventually(() => up.loom.lines.filter((l) => ready.test(l)).length > readyBefore, 'world-state started again');
  }

  for (const [signal, how] of [
    ['SIGKILL', 'killed with kill -9'],
    ['SIGTERM', 'stopped gracefully (SIGTERM)'],
  ] as const) {
    it(`fires a timer that was waiting when world-state was ${how}, once and not before it was due, after loom up starts it again`, async () => {
      const ada = await PlayerClient.connect(up.ports.telnet);
      const clock = `clock ${signal.toLowerCase()}`;
      // Due after world-state is back on most machines, so that firing early would show.
      const seconds = 10;
      try {
        ada.send(`connect ${admin.name} ${admin.password}`);
        await ada.waitFor(/Welcome to \w+, Ada!/);
        await placeScripted(ada, clock, {
          on_use: `schedule(${seconds}); emit('Wound.');`,
          on_timer: "setAttr(self, 'chimes', (getAttr(self, 'chimes') ?? 0) + 1); setAttr(self, 'chimed_at', Date.now());",
        });
        const wound = Date.now();
        ada.send(`use ${clock}`);
        await ada.waitFor(/Wound\./);
        // Past a save interval (200 ms here), the timer is in PostgreSQL with its clock.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await restartWorldState(signal);
        const read = async (): Promise<{ chimes: number; chimedAt: number }> => {
          ada.send(`@examine ${clock}`);
          // Right after the restart a command may be answered "the world is away", or lost with the old stream.
          const block = await ada.waitFor(new RegExp(`${clock} \\(#\\d+\\)\\s+thing, owned by[\\s\\S]*?Scripts:|The world is away[^\\n]*`), 5000).then((m) => m[0], () => '');
          return { chimes: Number(/chimes = (\d+)/.exec(block)?.[1] ?? 0), chimedAt: Number(/chimed_at = (\d+)/.exec(block)?.[1] ?? 0) };
        };
        const chimed = await eventually(async () => {
          const seen = await read();
          return seen.chimes > 0 && seen;
        }, 'a chime after the restart');
        assert.equal(chimed.chimes, 1);
        // The world's clock set the due time after `wound`, and the script ran after the timer fired.
        assert.ok(chimed.chimedAt >= wound + seconds * 1000, `chimed ${chimed.chimedAt - wound} ms after the use, not before the ${seconds} s it waits`);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal((await read()).chimes, 1, 'still one chime: the timer left the clock when it fired');
      } finally {
        ada.close();
      }
    });
  }
});
