// docs/scripting.md's tutorial, typed from the document itself into a real world: every code block of
// it, as written, with only the ids the text says to put in (the Treasury's, the cellar's).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

/** The tutorial's code blocks, by the heading they stand under. */
function tutorialBlocks(): Map<string, string[]> {
  const doc = readFileSync(new URL('../../../docs/scripting.md', import.meta.url), 'utf8');
  const tutorial = doc.slice(doc.indexOf('## Tutorial'), doc.indexOf('## API reference'));
  const blocks = new Map<string, string[]>();
  for (const section of tutorial.split(/^### /m).slice(1)) {
    const heading = section.slice(0, section.indexOf('\n')).trim();
    const code = /```\n([\s\S]*?)```/.exec(section);
    if (code) blocks.set(heading, code[1]!.trimEnd().split('\n'));
  }
  return blocks;
}

describe('the scripting tutorial, as docs/scripting.md writes it', () => {
  const blocks = tutorialBlocks();
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-tutorial-'));
  let loom: LoomProcess;
  let builder: PlayerClient;
  let player: PlayerClient;
  const id = async (client: PlayerClient, pattern: RegExp) => Number((await client.waitFor(pattern))[1]);
  const block = (heading: string) => {
    const lines = blocks.get(heading);
    assert.ok(lines, `docs/scripting.md has no code block under "### ${heading}"`);
    return lines;
  };
  /** Types the lines as the builder, waiting for each script to be saved before going on. */
  const type = async (lines: string[]) => {
    for (const line of lines) builder.send(line);
    const saved = lines.filter((l) => l.startsWith('@script')).length;
    for (let i = 0; i < saved; i++) await builder.waitFor(/Saved on_\w+ of /);
  };

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

  it('has the five sections it is made of', () => {
    assert.deepEqual([...blocks.keys()], ['A parrot that repeats what it hears', 'A door that opens with a key', 'A trap', 'A shopkeeper', 'A clock that chimes']);
  });

  it('a parrot repeats what it hears', async () => {
    await type(block('A parrot that repeats what it hears'));
    player.send('say hello');
    await player.waitFor(/The parrot squawks: hello!/);
  });

  it('a door opens for the one who holds its key', async () => {
    const [dig, ...rest] = block('A door that opens with a key');
    builder.send(dig!);
    const treasury = await id(builder, /Dug Treasury \(#(\d+)\)/);
    await type(rest.map((line) => line.replace('42', String(treasury))));
    assert.match(builder.text, /Locked oak door \(#\d+\): has:#\d+ \(iron key\)/);
    player.send('use oak door');
    await player.waitFor(/The oak door is locked\. Somewhere there must be a key\./);
    player.send('get iron key');
    await player.waitFor(/You pick up iron key\./);
    player.send('use oak door');
    await player.waitFor(/The oak door creaks open and you step through\./);
    await player.waitFor(/Treasury/);
    builder.send('@teleport Visitor=here');
    await player.waitFor(/The Loom Square/);
  });

  it('a trap drops a visitor without a lantern into the cellar', async () => {
    builder.send('@dig Cellar');
    const cellar = await id(builder, /Dug Cellar \(#(\d+)\)/);
    builder.send('@dig Rotten Landing');
    const landing = await id(builder, /Dug Rotten Landing \(#(\d+)\)/);
    builder.send(`@teleport #${landing}`);
    await builder.waitFor(/Rotten Landing/);
    await type(block('A trap').map((line) => line.replace('17', String(cellar))));
    builder.send(`@teleport Visitor=#${landing}`);
    await player.waitFor(/The floor gives way beneath you!/);
    await player.waitFor(/Cellar/);
  });

  it('a shopkeeper takes a copper coin of its owner and hands over an apple', async () => {
    builder.send('@dig Market');
    const market = await id(builder, /Dug Market \(#(\d+)\)/);
    builder.send(`@teleport #${market}`);
    await builder.waitFor(/Market/);
    await type(block('A shopkeeper'));
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
    await type(block('A clock that chimes'));
    await player.waitFor(/Tick, tock\.\.\./);
    await player.waitFor(/The clock chimes\./);
  });
});
