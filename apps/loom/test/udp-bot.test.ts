// A Node bot over UDP and a telnet player in the same room see each other move and talk.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GameClient, type ServerEvent } from '@loom/netcode';
import { udpTransport, wsTransport } from '../../../services/graphics-gateway/test/udp-transport.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { boundPorts, runLoom, type LoomProcess } from './processes.ts';

describe('a UDP bot and a telnet player', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-udp-'));
  let loom: LoomProcess;
  let ports: ReturnType<typeof boundPorts>;
  before(async () => {
    loom = runLoom(['start'], { LOOM_DATA_DIR: dataDir, LOOM_HOST: '127.0.0.1', LOOM_HTTP_PORT: '0', LOOM_TELNET_PORT: '0', LOOM_UDP_PORT: '0', REDIS_URL: '', DATABASE_URL: '', AMQP_URL: '' });
    ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
  });
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('see each other, talk, and the bot walks out through the north doorway', async () => {
    const telnet = await PlayerClient.connect(ports.telnet);
    telnet.send('create Tess tess-password-1');
    await telnet.waitFor(/Welcome to \w+, Tess!/);
    const registered = await fetch(`http://127.0.0.1:${ports.http}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Botty', password: 'botty-password-1' }),
    });
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const bot = new GameClient(await udpTransport(ports.udp));
    const events: ServerEvent[] = [];
    bot.onEvent((event) => events.push(event));
    const ticker = setInterval(() => bot.tick(), 20);
    const until = async <T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined && found !== false) return found;
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(events.slice(-6))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await bot.connect(accessToken);
      await telnet.waitFor(/Botty has entered the world\./);
      // The bot sees the telnet player standing in the square.
      const tess = await until(() => bot.view?.entities.find((e) => e.name === 'Tess'), 'Tess in a snapshot');
      assert.equal(tess.kind, 'player');
      await until(() => events.find((e) => e.t === 'room' && e.name === 'The Loom Square'), 'room event');
      // The telnet player sees the bot, and they talk.
      telnet.send('look');
      await telnet.waitFor(/Botty( \(#\d+\))? (is|and Tess are) here|Botty/);
      bot.command('say hello from the bot');
      await telnet.waitFor(/Botty says, "hello from the bot"/);
      telnet.send('say hello bot');
      await until(() => events.find((e) => e.t === 'text' && /Tess says, "hello bot"/.test(e.text)), 'Tess talking');
      // The bot walks north through the doorway: the same room change as a text `go north`.
      const start = bot.view!.entities.find((e) => e.name === 'Botty')!;
      let clientTick = 0;
      const walking = setInterval(() => bot.sendInput({ clientTick: ++clientTick, dx: 0, dz: -1, yaw: 0, jump: false }), 50);
      try {
        await until(() => bot.view?.entities.find((e) => e.name === 'Botty' && e.z < start.z - 1), 'the bot moving north');
        await telnet.waitFor(/Botty leaves north\./);
        await until(() => events.find((e) => e.t === 'room' && e.name === "Weavers' Lane"), "the room change to Weavers' Lane");
      } finally {
        clearInterval(walking);
      }
    } finally {
      clearInterval(ticker);
      bot.close();
      telnet.close();
    }
  });

  it('serves the same protocol over /ws/graphics to a browser-like client', async () => {
    const registered = await fetch(`http://127.0.0.1:${ports.http}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Webby', password: 'webby-password-1' }),
    });
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const client = new GameClient(await wsTransport(`ws://127.0.0.1:${ports.http}/ws/graphics`));
    const ticker = setInterval(() => client.tick(), 20);
    try {
      await client.connect(accessToken);
      const deadline = Date.now() + 10_000;
      while (!client.view?.entities.some((e) => e.name === 'Webby') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const me = client.view?.entities.find((e) => e.name === 'Webby');
      assert.ok(me, 'the WebSocket client sees itself in a snapshot');
      assert.equal(me.kind, 'player');
    } finally {
      clearInterval(ticker);
      client.close();
    }
  });
});
