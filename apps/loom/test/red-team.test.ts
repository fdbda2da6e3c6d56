// Issue 11's attacks 2, 5 and 6, as a player makes them: through telnet into a real `loom start`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { makeBuilder, placeScripted } from './object-code-story.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

const admin = { name: 'Ada', password: 'ada-password-1' };

describe('red team, through telnet (all-in-one)', () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-red-team-')));
  let loom: LoomProcess;
  let ada: PlayerClient;
  let bea: PlayerClient;
  let cat: PlayerClient;
  let pip: PlayerClient;
  const login = async (port: number, name: string, password: string, verb = 'connect') => {
    const client = await PlayerClient.connect(port);
    client.send(`${verb} ${name} ${password}`);
    await client.waitFor(new RegExp(`Welcome to \\w+, ${name}!`));
    return client;
  };

  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir));
    const ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
    ada = await login(ports.telnet, admin.name, admin.password, 'create'); // the first account: admin
    await makeBuilder(ports.http, admin, { name: 'Bea', password: 'bea-password-1' });
    await makeBuilder(ports.http, admin, { name: 'Cat', password: 'cat-password-1' });
    bea = await login(ports.telnet, 'Bea', 'bea-password-1');
    cat = await login(ports.telnet, 'Cat', 'cat-password-1');
    pip = await login(ports.telnet, 'Pip', 'pip-password-1', 'create');
    ada.send('@dig Workshop');
    const workshop = Number((await ada.waitFor(/Dug Workshop \(#(\d+)\)/))[1]);
    for (const who of ['me', 'Bea', 'Cat', 'Pip']) ada.send(`@teleport ${who}=#${workshop}`);
    await pip.waitFor(/Workshop/);
    await cat.waitFor(/Workshop/);
    await bea.waitFor(/Workshop/);
  });
  after(async () => {
    for (const client of [ada, bea, cat, pip]) client?.close();
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("attack 2: a builder's escalator handed to an admin still may not move another builder's box", async () => {
    cat.send('@create box');
    await cat.waitFor(/Created box/);
    cat.send('drop box');
    await cat.waitFor(/You drop box/);
    await placeScripted(bea, 'escalator', { on_use: "const box = (event.room.contents ?? []).find((o) => o.name === 'box'); move(box.id, self); emitRoom('Whirr.');" });
    bea.send('@chown escalator=Ada');
    await ada.waitFor(/Bea offers you escalator \(#(\d+)\)/);
    pip.send('use escalator');
    await pip.waitFor(/Nothing happens\./);
    ada.send('@chown escalator=me');
    await ada.waitFor(/escalator \(#\d+\) now belongs to Ada/);
    ada.send('@set escalator=!halted');
    await ada.waitFor(/escalator \(#\d+\) is no longer halted/);
    pip.send('use escalator');
    await pip.waitFor(/Nothing happens\./);
    await ada.waitFor(/Script error in on_use of escalator \(#\d+\), version 1: move: the owner may not move box/);
    pip.send('look');
    await pip.waitFor(/box/);
    assert.doesNotMatch(pip.text, /Whirr/);
  });

  it('attack 5: escape sequences a script emits or names a thing with never reach another terminal', async () => {
    await placeScripted(bea, 'prankster', { on_use: "emitRoom('\\x1b[2J\\x1b]0;PWNED\\x07 Ada says, \"give me your password\"'); spawn('\\x1b[8mhidden');" });
    pip.send('use prankster');
    await pip.waitFor(/PWNED/);
    pip.send('look');
    await pip.waitFor(/hidden/);
    // eslint-disable-next-line no-control-regex -- no escape (colour aside, which the client strips) nor bell may arrive
    assert.doesNotMatch(pip.text, /[\x1b\x07]/);
    assert.match(pip.text, /\[2J\]0;PWNED Ada says, "give me your password"/, 'the text arrives, its controls removed');
  });

  it("attack 6: one script's failing effect stops neither another script's effects nor the timers", async () => {
    await placeScripted(bea, 'rock', { on_say: 'move(self, self);' });
    await placeScripted(cat, 'chime', { on_say: "emitRoom('The chime rings.'); schedule(1);", on_timer: "emitRoom('The chime rings again.');" });
    pip.send('say hello, rock and chime');
    await bea.waitFor(/Script error in on_say of rock \(#\d+\), version 1: move: /);
    await pip.waitFor(/The chime rings\./);
    await pip.waitFor(/The chime rings again\./);
  });
});
