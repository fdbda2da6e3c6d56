// 3D clients over UDP and over /ws/graphics, beside a telnet player (all-in-one).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GameClient } from '@loom/netcode';
import { wsTransport } from '../../../services/graphics-gateway/test/udp-transport.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';
import { udpBotStory } from './udp-story.ts';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { eventually } from '@loom/runtime/testing/patience.ts';

describe('a UDP bot and a telnet player', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-udp-')));
  let loom: LoomProcess;
  let ports: ReturnType<typeof boundPorts>;
  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir));
    ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
  });
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('see each other, talk, and the bot walks out through the north doorway', async () => {
    await udpBotStory(ports);
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
      const me = await eventually(() => client.view?.entities.find((e) => e.name === 'Webby'), 'the WebSocket client itself in a snapshot');
      assert.equal(me.kind, 'player');
    } finally {
      clearInterval(ticker);
      client.close();
    }
  });
});
