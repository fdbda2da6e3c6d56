// docs/scripting.md typed from the document itself into a real world: every code block of its tutorial, as
// written, with only the ids the text says to put in (the Treasury's, the cellar's), and every command of its
// "Writing, testing, rolling back" block; each checked for what the text around it promises.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { loadConfig } from '@loom/runtime';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

const doc = readFileSync(new URL('../../../docs/scripting.md', import.meta.url), 'utf8');

/** The code blocks of the part of the document between two headings, by the `###` heading they stand under (or the part's own). */
function codeBlocks(from: string, to: string): Map<string, string[]> {
  const part = doc.slice(doc.indexOf(from), doc.indexOf(to));
  const blocks = new Map<string, string[]>();
  for (const section of part.split(/^#+ /m).slice(1)) {
    const heading = section.slice(0, section.indexOf('\n')).trim();
    const code = /```\n([\s\S]*?)```/.exec(section);
    if (code) blocks.set(heading, code[1]!.trimEnd().split('\n'));
  }
  return blocks;
}

const pasteLimit = loadConfig({}).textFloodLines;

describe('the scripting tutorial, as docs/scripting.md writes it', () => {
  const blocks = codeBlocks('## Tutorial', '## API reference');
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-tutorial-')));
  let loom: LoomProcess;
  let http: number;
  let builder: PlayerClient;
  let player: PlayerClient;
  const id = async (client: PlayerClient, pattern: RegExp) => Number((await client.waitFor(pattern))[1]);
  const block = (heading: string) => {
    const lines = blocks.get(heading);
    assert.ok(lines, `docs/scripting.md has no code block under "### ${heading}"`);
    // A builder pastes one block at a time: each must fit in the text gateway's flood limit.
    assert.ok(lines.length <= pasteLimit, `the block under "### ${heading}" has ${lines.length} lines; a paste of more than ${pasteLimit} is cut`);
    return lines;
  };
  /** Types the lines as the builder, waiting for each script to be saved before going on. */
  const type = async (lines: string[]) => {
    for (const line of lines) builder.send(line);
    const saved = lines.filter((l) => l.startsWith('@script')).length;
    for (let i = 0; i < saved; i++) await builder.waitFor(/Saved on_\w+ of /);
  };

  before(async () => {
    // The test types block after block faster than anyone pastes: the flood limit is checked per block above.
    loom = runLoom(['start'], embeddedEnv(dataDir, { LOOM_TEXT_FLOOD_LINES: '1000' }));
    const ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
    http = ports.http;
    builder = await PlayerClient.connect(ports.telnet);
    builder.send('create Maker maker-password-1'); // the first account: admin
    await builder.waitFor(/Welcome to \w+, Maker!/);
    player = await PlayerClient.connect(ports.telnet);
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
    player.send('look parrot');
    await player.waitFor(/A green parrot with a wicked eye\./);
  });

  it('writes, shows, rolls back, deletes, tests and lists the parrot\'s script as "Writing, testing, rolling back" says', async () => {
    const written = codeBlocks('## Writing, testing, rolling back', '## Limits').get('Writing, testing, rolling back');
    assert.ok(written, 'docs/scripting.md has no code block under "## Writing, testing, rolling back"');
    // Each line is a command, then what it does.
    const commands = written.map((line) => line.split(/\s{2,}/)[0]!);
    const unused = new Set(commands);
    const command = (start: string) => {
      const found = commands.find((c) => c.startsWith(start));
      assert.ok(found, `no "${start}..." in the block`);
      unused.delete(found);
      return found;
    };
    const parrot = Number(/Created parrot \(#(\d+)\)/.exec(builder.text)![1]);

    builder.send(command('@script parrot/on_say'));
    await builder.waitFor(/Editing on_say of parrot/);
    builder.sendAtOnce(['emitRoom(`Edited: ${event.text}`);', '.']);
    await builder.waitFor(/Saved on_say of parrot \(#\d+\) as version 2\./);
    builder.send(command('@script parrot/on_say='));
    await builder.waitFor(/Saved on_say of parrot \(#\d+\) as version 3\./);
    player.send('say hi');
    await player.waitFor(/Squawk!/);

    builder.send(command('@script/show ').replace('[version]', '1'));
    await builder.waitFor(/on_say of parrot \(#\d+\), version 1:\s+1 {2}emitRoom\(`The parrot squawks: \$\{event\.text\}!`\);/);
    builder.send(command('@script/history '));
    await builder.waitFor(/v1 .* by #\d+ {2}1 lines\s+v2 .* by #\d+ {2}1 lines\s+v3 /);
    builder.send(command('@script/rollback '));
    await builder.waitFor(/Rolled on_say of parrot \(#\d+\) back to version 2, saved as version 4\./);
    player.send('say again');
    await player.waitFor(/Edited: again/);
    builder.send(command('@script/delete '));
    await builder.waitFor(/Deleted on_say of parrot \(#\d+\) \(version 5; roll back to bring it back\)\./);
    builder.send('@script/rollback parrot/on_say=1');
    await builder.waitFor(/saved as version 6\./);

    builder.send(command('@script/test '));
    await builder.waitFor(/Running on_say of parrot/);
    await player.waitFor(/The parrot squawks: hello!/);
    builder.send('@script parrot/on_oops');
    builder.sendAtOnce(['const rope = null;', 'rope.length;', '.']);
    await builder.waitFor(/Saved on_oops of parrot/);
    builder.send('@trigger parrot/on_oops');
    await builder.waitFor(/Script error in on_oops of parrot/);
    builder.send(command('@script/errors '));
    await builder.waitFor(/on_oops v\d+ {2}TypeError:[\s\S]*?\(line\s+2,\s+column\s+\d+\)/);
    builder.send(command('@script/list '));
    await builder.waitFor(/Scripts of parrot \(#\d+\): [^\n]*on_say \(v6\)/);
    assert.deepEqual([...unused], [], 'every command of the block was typed');

    // "Over the REST API": the same script, its versions.
    const login = await fetch(`http://127.0.0.1:${http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'Maker', password: 'maker-password-1' }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const get = (path: string) => fetch(`http://127.0.0.1:${http}/api/v1/objects/${parrot}/scripts/on_say${path}`, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.json());
    const current = (await get('')) as { version: number; source: string };
    assert.deepEqual([current.version, current.source], [6, block('A parrot that repeats what it hears').at(-1)!.replace('@script parrot/on_say=', '')]);
    const { versions } = (await get('/versions')) as { versions: Array<{ version: number; deleted: boolean }> };
    assert.deepEqual(versions.map((v) => [v.version, v.deleted]), [[1, false], [2, false], [3, false], [4, false], [5, true], [6, false]]);
  });

  it('a door opens for the one who holds its key, and for nobody with a look-alike', async () => {
    const [dig, ...rest] = block('A door that opens with a key');
    builder.send(dig!);
    const treasury = await id(builder, /Dug Treasury \(#(\d+)\)/);
    await type(rest.map((line) => line.replace('42', String(treasury))));
    const key = /Created iron key \(#(\d+)\)/.exec(builder.text)![1];
    const door = /Created oak door \(#(\d+)\)/.exec(builder.text)![1];
    assert.match(builder.text, new RegExp(`Locked oak door \\(#${door}\\): has:#${key} \\(iron key\\)`));
    // Another iron key (made by anyone: the builder here) opens nothing; `use door`, as the text says, finds the oak door.
    builder.send('@create iron key');
    await builder.waitFor(/Created iron key/);
    builder.send('give iron key to Visitor');
    await player.waitFor(/Maker gives you iron key\./);
    player.send('use door');
    await player.waitFor(/The oak door is locked\. Somewhere there must be a key\./);
    player.send('get iron key');
    await player.waitFor(/You pick up iron key\./);
    player.send('use door');
    await player.waitFor(/The oak door creaks open and you step through\./);
    await player.waitFor(/Treasury/);
    builder.send('@teleport Visitor=here');
    await player.waitFor(/The Loom Square/);
  });

  it('a trap drops a visitor without a lantern into the cellar, and not one with it', async () => {
    builder.send('@dig Cellar');
    const cellar = await id(builder, /Dug Cellar \(#(\d+)\)/);
    builder.send('@dig Rotten Landing');
    const landing = await id(builder, /Dug Rotten Landing \(#(\d+)\)/);
    builder.send('@create brass lantern');
    await builder.waitFor(/Created brass lantern/);
    builder.send('give brass lantern to Visitor');
    await player.waitFor(/Maker gives you brass lantern\./);
    builder.send(`@teleport #${landing}`);
    await builder.waitFor(/Rotten Landing/);
    await type(block('A trap').map((line) => line.replace('17', String(cellar))));
    builder.send(`@teleport Visitor=#${landing}`);
    await player.waitFor(/Rotten Landing/);
    player.send('drop brass lantern');
    await player.waitFor(/You drop brass lantern\./);
    builder.send(`@teleport Visitor=#${cellar}`);
    await player.waitFor(/Cellar/);
    builder.send(`@teleport Visitor=#${landing}`);
    await player.waitFor(/The floor gives way beneath you!/);
    await player.waitFor(/Cellar/);
    // Runs on the room go one at a time: the visit with the lantern was over before this one, and dropped nobody.
    assert.equal(player.text.match(/The floor gives way/g)?.length, 1);
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
    builder.send('@examine shopkeeper');
    assert.match((await builder.waitFor(/shopkeeper \(#\d+\)\s+thing[\s\S]*?Scripts:/))[0], /sold = 1\b/);
  });

  it('a clock chimes a while after it is wound', async () => {
    await type(block('A clock that chimes'));
    await player.waitFor(/Tick, tock\.\.\./);
    await player.waitFor(/The clock chimes\./);
  });
});
