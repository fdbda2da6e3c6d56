// docs/scripting.md's tutorial, typed as written into a real world: the trap, the shopkeeper, the clock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

describe('the scripting tutorial', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-tutorial-'));
  let loom: LoomProcess;
  let builder: PlayerClient;
  let player: PlayerClient;
  const id = async (client: PlayerClient, pattern: RegExp) => Number((await client.waitFor(pattern))[1]);

  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir));
    const { telnet } = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
    builder = await PlayerClient.connect(telnet);
    builder.send('create Maker maker-password-1'); // the first account: admin
    await builder.waitFor(/Welcome to \w+, Maker!/);
    player = await PlayerClient.connect(telnet);
    player.send('create Visitor visitor-password-1');
    await player.waitFor(/Welcome to \w+, Visitor!/);
  });
  after(async () => {
    builder?.close();
    player?.close();
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a trap drops a visitor without a lantern into the cellar', async () => {
    builder.send('@dig Cellar');
    const cellar = await id(builder, /Dug Cellar \(#(\d+)\)/);
    builder.send('@dig Rotten Landing');
    const landing = await id(builder, /Dug Rotten Landing \(#(\d+)\)/);
    builder.send(`@teleport #${landing}`);
    await builder.waitFor(/Rotten Landing/);
    builder.send('@script here/on_enter');
    builder.send("if (!hasItem(event.actor, 'brass lantern')) {");
    builder.send("  emit('The floor gives way beneath you!');");
    builder.send(`  teleport(event.actor, ${cellar});`);
    builder.send('}');
    builder.send('.');
    await builder.waitFor(/Saved on_enter of Rotten Landing/);
    builder.send(`@teleport Visitor=#${landing}`);
    await player.waitFor(/The floor gives way beneath you!/);
    await player.waitFor(/Cellar/);
  });

  it('a shopkeeper takes a copper coin and hands over an apple', async () => {
    builder.send('@dig Market');
    const market = await id(builder, /Dug Market \(#(\d+)\)/);
    builder.send(`@teleport #${market}`);
    await builder.waitFor(/Market/);
    builder.send('@create shopkeeper');
    await builder.waitFor(/Created shopkeeper/);
    builder.send('drop shopkeeper');
    builder.send('@script shopkeeper/on_say');
    for (const line of [
      'if (/buy (an )?apple/i.test(event.text)) {',
      "  const coin = (event.actor.contents ?? []).find((c) => c.name === 'copper coin');",
      '  if (!coin) {',
      '    emit(\'The shopkeeper shakes her head: "One copper coin, please."\');',
      '  } else {',
      '    move(coin.id, self);',
      "    move(spawn('red apple', 'Crisp and shiny.'), event.actor);",
      "    setAttr(self, 'sold', (getAttr(self, 'sold') ?? 0) + 1);",
      '    emitRoom(`The shopkeeper hands ${event.actor.name} a red apple.`);',
      '  }',
      '}',
      '.',
    ])
      builder.send(line);
    await builder.waitFor(/Saved on_say of shopkeeper/);
    builder.send('@teleport Visitor=here');
    await player.waitFor(/Market/);
    player.send('say I would like to buy an apple');
    await player.waitFor(/"One copper coin, please\."/);
    builder.send('@create copper coin');
    await builder.waitFor(/Created copper coin/);
    builder.send('give copper coin to Visitor');
    await player.waitFor(/Maker gives you copper coin\./);
    player.send('say buy apple');
    await player.waitFor(/The shopkeeper hands Visitor a red apple\./);
    player.send('inventory');
    const carried = await player.waitFor(/You are carrying:[^>]*/);
    assert.match(carried[0], /red apple/);
    assert.doesNotMatch(carried[0], /copper coin/);
  });

  it('a clock chimes a while after it is wound', async () => {
    builder.send('@create clock');
    await builder.waitFor(/Created clock/);
    builder.send('drop clock');
    builder.send("@script clock/on_use=emitRoom('Tick, tock...'); schedule(1);");
    builder.send("@script clock/on_timer=emitRoom('The clock chimes.');");
    await builder.waitFor(/Saved on_timer of clock/);
    player.send('use clock');
    await player.waitFor(/Tick, tock\.\.\./);
    await player.waitFor(/The clock chimes\./);
  });
});
