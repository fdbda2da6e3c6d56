// Channel locks as a TinyMUX comsys hand uses them, through telnet into a real world (both wirings): an admin
// locks who may join a channel and who may speak on it; the locks hold, and outlast a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { makeBuilder } from './object-code-story.ts';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { boundPorts, embeddedEnv, runLoom, startLoomUp, type LoomProcess, type LoomUp } from './processes.ts';

const admin = { name: 'Ada', password: 'ada-password-1' };
const saveIntervalMs = 200;
const env = { LOOM_SAVE_INTERVAL_MS: String(saveIntervalMs) };

async function login(telnet: number, name: string, password: string, verb = 'connect'): Promise<PlayerClient> {
  const client = await PlayerClient.connect(telnet);
  client.send(`${verb} ${name} ${password}`);
  await client.waitFor(new RegExp(`Welcome to \\w+, ${name}!`));
  return client;
}

/** Before the restart: the guild channel gets a join lock on Ada's badge and a speech lock for builders. */
async function lockTheGuild(ports: { telnet: number; http: number }): Promise<number> {
  const ada = await login(ports.telnet, admin.name, admin.password, 'create'); // the first account: an admin
  await makeBuilder(ports.http, admin, { name: 'Bea', password: 'bea-password-1' });
  const bea = await login(ports.telnet, 'Bea', 'bea-password-1');
  const pip = await login(ports.telnet, 'Pip', 'pip-password-1', 'create');
  const cy = await login(ports.telnet, 'Cyra', 'cyra-password-1', 'create');
  try {
    for (const who of [ada, bea, pip]) {
      who.send('@channel/join guild');
      await who.waitFor(/You join guild\./);
    }
    ada.send('@create guild badge');
    const badge = Number((await ada.waitFor(/Created guild badge \(#(\d+)\)/))[1]);
    ada.send('@channel/lock/join guild=has:guild badge');
    await ada.waitFor(new RegExp(`Locked guild \\(join\\): has:#${badge} \\(guild badge\\)`));
    ada.send('@channel/lock guild=role:builder');
    await ada.waitFor(/Locked guild \(speech\): role:builder/);

    // Pip is on the channel but may not speak there; what the builders say still reaches Pip.
    pip.send('+guild can anyone hear me?');
    await pip.waitFor(/You may not speak on guild: its speech lock keeps you out\./);
    bea.send('+guild builders only now');
    await pip.waitFor(/\[guild\] Bea: builders only now/);
    assert.doesNotMatch(ada.text + bea.text, /can anyone hear me/);

    // Cyra may not join without Ada's badge; a look-alike Bea makes is not it.
    cy.send('@channel/join guild');
    await cy.waitFor(/You may not join guild: its join lock keeps you out\./);
    bea.send('@create guild badge');
    await bea.waitFor(/Created guild badge/);
    bea.send('give guild badge to Cyra');
    await cy.waitFor(/Bea gives you guild badge\./);
    cy.send('@channel/join guild');
    await cy.waitFor(/You may not join guild: its join lock keeps you out\./);
    ada.send('give guild badge to Cyra');
    await cy.waitFor(/Ada gives you guild badge\./);
    cy.send('@channel/join guild');
    await cy.waitFor(/You join guild\./);

    // Pip, not an admin, cannot lift the lock.
    pip.send('@channel/unlock guild');
    await pip.waitFor(/Only admins may unlock channels\./);
    // Past a save interval, the badge in Cyra's pocket is stored too.
    await new Promise((resolve) => setTimeout(resolve, saveIntervalMs * 5));
    return badge;
  } finally {
    for (const client of [ada, bea, pip, cy]) client.close();
  }
}

/** After the restart: the same locks, read back and still holding. */
async function theGuildStaysLocked(telnet: number, badge: number): Promise<void> {
  const pip = await login(telnet, 'Pip', 'pip-password-1');
  const ada = await login(telnet, admin.name, admin.password);
  try {
    pip.send('@channel/list');
    await pip.waitFor(new RegExp(`You are on: public, guild\\.\\s+guild: join lock has:#${badge} \\(guild badge\\); speech lock role:builder`));
    pip.send('@channel/info guild');
    await pip.waitFor(/join lock: has:#\d+ \(guild badge\) \(you may not join it\)\s+speech lock: role:builder \(you may not speak on it\)/);
    pip.send('+guild and now?');
    await pip.waitFor(/You may not speak on guild: its speech lock keeps you out\./);
    ada.send('@channel/unlock guild');
    await ada.waitFor(/Unlocked guild \(speech\)\./);
    pip.send('+guild free at last');
    await ada.waitFor(/\[guild\] Pip: free at last/);
  } finally {
    pip.close();
    ada.close();
  }
}

describe('channel locks (all-in-one, embedded database)', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-channel-locks-')));
  let loom: LoomProcess | undefined;
  const start = async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir, env));
    return boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
  };
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an admin locks who may join and who may speak on a channel, and the locks outlast a kill -9', async () => {
    const badge = await lockTheGuild(await start());
    await loom!.stop('SIGKILL');
    await theGuildStaysLocked((await start()).telnet, badge);
  });
});

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;
const [postgres, redis, rabbit] = servers;

describe('channel locks (distributed: kept by chat-service in PostgreSQL)', { skip }, () => {
  let up: LoomUp;
  let again: LoomProcess | undefined;
  before(async () => {
    up = await startLoomUp('loom_chanlocks', { postgres: postgres!.url, redis: redis!.url, rabbitmq: rabbit!.url }, env);
  });
  after(async () => {
    await again?.stop('SIGINT', 30_000);
    await up?.stop();
  });

  it('an admin locks who may join and who may speak on a channel, and the locks outlast stopping loom up', async () => {
    const badge = await lockTheGuild({ telnet: up.ports.telnet, http: up.ports.http });
    await up.loom.stop('SIGINT', 30_000);
    // The same database, key prefix and ports: the world as it was left.
    again = runLoom(['up', '--base-port', String(up.basePort)], up.env);
    await again.waitFor(/all 10 services ready/, 120000);
    await theGuildStaysLocked(up.ports.telnet, badge);
  });
});
