// Four builders' runaway scripts do not starve a fifth's, in both wirings (issue 11, attack 7): script
// runs are served least-used owner first, each owner has a CPU bucket, and an owner whose runs are
// refused for it is told so, once a second at most rather than once a run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { makeBuilder } from './object-code-story.ts';
import { boundPorts, embeddedEnv, runLoom, startLoomUp, type LoomProcess, type LoomUp } from './processes.ts';

const USES = 40;
const BELLS = 20;
const env = {
  // Macros of uses are the attack here, not what the flood and run limits are tested for.
  LOOM_TEXT_FLOOD_LINES: '1000',
  LOOM_SCRIPT_RUNS_PER_OWNER: '1000',
  // A small bucket (six runaways at the 50 ms limit) runs out within the story.
  LOOM_SCRIPT_CPU_BURST: '300',
  LOOM_SCRIPT_CPU_PER_OWNER: '50',
};
const admin = { name: 'Ada', password: 'ada-password-1' };
const abusers = ['Mallory', 'Mordred', 'Morgana', 'Moriarty'];

async function login(telnet: number, name: string, password: string, verb = 'connect'): Promise<PlayerClient> {
  const client = await PlayerClient.connect(telnet);
  client.send(`${verb} ${name} ${password}`);
  await client.waitFor(new RegExp(`Welcome to \\w+, ${name}!`));
  return client;
}

async function fairnessStory(ports: { telnet: number; http: number }): Promise<void> {
  (await login(ports.telnet, admin.name, admin.password, 'create')).close(); // the first account: an admin
  for (const name of [...abusers, 'Dora']) await makeBuilder(ports.http, admin, { name, password: `${name.toLowerCase()}-password-1` });
  const dora = await login(ports.telnet, 'Dora', 'dora-password-1');
  const bad = await Promise.all(abusers.map((name) => login(ports.telnet, name, `${name.toLowerCase()}-password-1`)));
  try {
    dora.send('@create bell');
    await dora.waitFor(/Created bell/);
    dora.send("@script bell/on_use=emit('Ding!')");
    await dora.waitFor(/Saved on_use of bell/);
    // The loop. `schedule(0)` no longer feeds it (a run stopped at its limit keeps none of its
    // effects, its timer included), so each abuser feeds it by hand: a macro of uses.
    for (const [i, client] of bad.entries()) {
      client.send(`@create kiln${i}`);
      await client.waitFor(/Created kiln/);
      for (const event of ['on_use', 'on_timer']) {
        client.send(`@script kiln${i}/${event}=schedule(0); while (true) {}`);
        await client.waitFor(new RegExp(`Saved ${event} of kiln${i}`));
      }
    }

    const burning = Date.now();
    for (const [i, client] of bad.entries()) client.sendAtOnce(Array.from({ length: USES }, () => `use kiln${i}`));
    // While they burn, Dora rings her bell, once per answer: every ring is heard.
    for (let i = 0; i < BELLS; i++) {
      dora.send('use bell');
      await dora.waitFor(/Ding!/);
    }
    assert.doesNotMatch(dora.text, /Nothing happens|Script error|CPU budget/, 'nothing of the abusers reached Dora');

    for (const client of bad) for (let u = 0; u < USES; u++) await client.waitFor(/Nothing happens\./);
    // The rule, whatever the machine's speed: at most one line a second (and one at the start) per owner.
    const seconds = Math.ceil((Date.now() - burning) / 1000);
    for (const [i, client] of bad.entries()) {
      // Each use failed: stopped at the CPU limit, or refused once the owner's bucket was empty.
      assert.match(client.text, /Script error in on_use of kiln\d \(#\d+\), version 1: your scripts used their CPU budget/);
      const told = client.text.match(/used their CPU budget/g)?.length ?? 0;
      const stopped = client.text.match(/Script error in on_use/g)!.length - told;
      assert.ok(stopped >= 1, `some runs of kiln${i} ran to the limit before the bucket ran dry (${stopped})`);
      assert.ok(told <= seconds + 1, `${told} budget lines in ${seconds} s: told once a second at most, not once a run`);
      // Every refusal is still kept on the object.
      client.send(`@script/errors kiln${i}`);
      await client.waitFor(/on_use v1 {2}your scripts used their CPU budget/);
    }
  } finally {
    for (const client of [dora, ...bad]) client.close();
  }
}

describe('script fairness (all-in-one)', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-fairness-')));
  let loom: LoomProcess;
  let ports: ReturnType<typeof boundPorts>;
  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir, env));
    ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
  });
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("four builders' runaways: a fifth builder's bell answers every use, and the four are told their CPU budget ran out", async () => {
    await fairnessStory(ports);
  });
});

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;
const [postgres, redis, rabbit] = servers;

describe('script fairness (distributed: the CPU buckets in Redis, runs through RabbitMQ)', { skip }, () => {
  let up: LoomUp;
  before(async () => {
    up = await startLoomUp('loom_fairness', { postgres: postgres!.url, redis: redis!.url, rabbitmq: rabbit!.url }, env);
  });
  after(() => up?.stop());

  it("four builders' runaways: a fifth builder's bell answers every use, and the four are told their CPU budget ran out", async () => {
    await fairnessStory({ telnet: up.ports.telnet, http: up.ports.http });
  });
});
