// Object code builders can trust, in both wirings: one run at a time per object, runs kept whole or not at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { objectCodeStory } from './object-code-story.ts';
import { boundPorts, embeddedEnv, runLoom, startLoomUp, type LoomProcess, type LoomUp } from './processes.ts';

// A macro's worth of lines and runs at once: the stories test ordering, not the flood limits.
const generous = { LOOM_TEXT_FLOOD_LINES: '1000', LOOM_CHAT_FLOOD_LINES: '1000', LOOM_SCRIPT_RUNS_PER_OWNER: '1000' };
const admin = { name: 'Ada', password: 'ada-password-1' };

async function firstAccount(telnet: number): Promise<void> {
  const client = await PlayerClient.connect(telnet);
  client.send(`create ${admin.name} ${admin.password}`);
  await client.waitFor(/Welcome to \w+, Ada!/);
  client.close();
}

describe('object code (all-in-one)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-object-code-'));
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
});
