// Scripts in the world: events start runs, effects come back and are applied whole or not at all, with the owner's rights.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Effect } from '@loom/proto';
import { wordFilter } from '@loom/world';
import { patienceMs } from '@loom/runtime/testing/patience.ts';
import { matchListen } from '../src/core/scripting/scripting.ts';
import { createTestWorld, type Player, type TestWorld } from './world-fixture.ts';

/** A fake run's source: the effects it asks for (script.proto's Effect), as JSON. */
const script = (...effects: Effect[]) => JSON.stringify(effects);

describe('scripts in the world', () => {
  let world: TestWorld;
  let bea: Player;
  let pip: Player;
  const run = (player: Player, line: string) => world.run(player, line);
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    world.sandbox.tick();
  };

  beforeEach(() => {
    world = createTestWorld();
    bea = world.connect('Bea', 'builder');
    bea.object.attributes.role = 'builder';
    pip = world.connect('Pip');
  });

  it('a parrot repeats what it hears to the whole room, after the say itself', async () => {
    await run(bea, '@create parrot');
    await run(bea, 'drop parrot');
    await run(bea, `@script parrot/on_say=${script({ emitRoom: { text: 'The parrot squawks: hello!' } })}`);
    bea.read();
    await run(pip, 'say hello');
    const job = world.sandbox.jobs.at(-1)!;
    assert.equal(job.event, 'on_say');
    assert.equal(job.view?.text, 'hello');
    assert.equal(job.view?.actor?.name, 'Pip');
    await settle();
    assert.match(pip.read(), /You say, "hello"[\s\S]*The parrot squawks: hello!/);
    assert.match(bea.read(), /The parrot squawks: hello!/);
  });

  it('a door used by a player sends them on, to a room its owner owns', async () => {
    await run(bea, '@dig Hall');
    const hall = Number(/Dug Hall \(#(\d+)\)/.exec(bea.read())![1]);
    await run(bea, '@create door');
    await run(bea, 'drop door');
    bea.read();
    await run(bea, `@script door/on_use=${script({ emit: { text: 'The door swings open.' } }, { teleport: { target: { id: pip.object.id }, room: { id: hall } } })}`);
    await run(pip, 'use door');
    await settle();
    const seen = pip.read();
    assert.match(seen, /The door swings open\./);
    assert.match(seen, /Hall/);
    assert.equal(pip.object.locationId, hall);
  });

  it("refuses what the owner could not do, tells only the owner, and keeps the error on the object", async () => {
    await run(bea, '@create imp');
    await run(bea, 'drop imp');
    const fountain = [...world.game.world.all()].find((o) => o.name === 'stone fountain')!;
    await run(bea, `@script imp/on_say=${script({ setAttr: { target: { id: fountain.id }, name: 'owner', valueJson: JSON.stringify('imp') } }, { emitRoom: { text: 'Hee hee.' } })}`);
    bea.read();
    await run(pip, 'say hi');
    await settle();
    assert.match(bea.read(), /Script error in on_say of imp \(#\d+\), version 1: setAttr: the owner may not change stone fountain/);
    assert.doesNotMatch(pip.read(), /Script error/);
    assert.equal(fountain.attributes.owner, undefined);
    await run(bea, '@script/errors imp');
    assert.match(bea.read(), /on_say v1\s+setAttr: the owner may not change/);
  });

  it('refuses to save a script that does not parse, saying where; the handler before it stays', async () => {
    await run(bea, '@create bell');
    await run(bea, 'drop bell');
    await run(bea, `@script bell/on_use=${script({ emit: { text: 'Ding.' } })}`);
    await run(bea, '@script bell/on_use=emit(');
    assert.match(bea.read(), /that script does not parse, so it was not saved: Unexpected token \(line 1, column 6\)/);
    await run(bea, '@script bell/on_use');
    for (const line of ['const a = 1;', 'if (a) {', '  emit("x")', '.']) await run(bea, line);
    assert.match(bea.read(), /does not parse, so it was not saved: Unexpected token \(line 3, column 12\)/);
    await run(pip, 'use bell');
    await settle();
    assert.match(pip.read(), /Ding\./);
  });

  it('lets a stopping world wait for the runs it sent, so their effects are applied before the last save', async () => {
    await run(bea, '@create bell');
    await run(bea, 'drop bell');
    const bell = [...world.game.world.all()].find((o) => o.name === 'bell')!;
    await run(bea, `@script bell/on_use=${script({ setAttr: { target: { id: bell.id }, name: 'rung', valueJson: JSON.stringify(1) } })}`);
    world.sandbox.jobs.length = 0;
    await run(pip, 'use bell');
    assert.equal(world.sandbox.jobs.length, 1, 'the run was sent');
    assert.equal(bell.attributes.rung, undefined, 'and is not back yet');
    await world.game.scripting!.settled(patienceMs);
    assert.equal(bell.attributes.rung, 1);
  });

  it('schedules a timer that fires on_timer later', async () => {
    await run(bea, '@create clock');
    await run(bea, `@script clock/on_use=${script({ schedule: { seconds: 0.05, event: 'on_timer' } })}`);
    await run(bea, `@script clock/on_timer=${script({ emitRoom: { text: 'Bong!' } })}`);
    bea.read();
    await run(bea, 'use clock');
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 80));
    world.sandbox.tick();
    assert.equal(world.sandbox.jobs.at(-1)!.event, 'on_timer');
    await settle();
    assert.match(bea.read(), /Bong!/);
  });

  it("stops an owner's runaway chain of runs at the per-second budget", async () => {
    await run(bea, '@create drum');
    await run(bea, `@script drum/on_use=${script({ emit: { text: 'boom' } })}`);
    bea.read();
    for (let i = 0; i < 8; i++) await run(bea, 'use drum');
    await settle();
    assert.equal(world.sandbox.jobs.filter((j) => j.event === 'on_use').length, 5);
    assert.match(bea.read(), /started more than 5 runs this second/);
  });

  it('fires on_examine, and on_leave with who and where', async () => {
    await run(bea, '@create statue');
    await run(bea, 'drop statue');
    await run(bea, `@script statue/on_examine=${script({ emit: { text: 'The statue winks.' } })}`);
    await run(bea, `@script statue/on_leave=${script({ emitRoom: { text: 'Someone left.' } })}`);
    await run(pip, 'look statue');
    await settle();
    assert.match(pip.read(), /The statue winks\./);
    await run(pip, 'north');
    const leave = world.sandbox.jobs.find((j) => j.event === 'on_leave')!;
    assert.equal(leave.view?.actor?.name, 'Pip');
    assert.equal(leave.view?.to?.name, "Weavers' Lane");
    assert.equal(leave.view?.from?.name, 'The Loom Square');
  });

  it('fires on_chat on objects listening to the channel', async () => {
    await run(bea, '@create radio');
    const radio = [...world.game.world.all()].find((o) => o.name === 'radio')!;
    await run(bea, `@set radio/channels=["ooc"]`);
    await run(bea, `@script radio/on_chat=${script({ emitRoom: { text: 'The radio crackles.' } })}`);
    // A line on the channel, as the bus brings it from chat-service to world-state.
    world.game.scripting!.chatHeard('public', 'not for the radio', pip.object);
    assert.equal(world.sandbox.jobs.filter((j) => j.event === 'on_chat').length, 0);
    world.game.scripting!.chatHeard('ooc', 'hi', pip.object);
    const job = world.sandbox.jobs.at(-1)!;
    assert.equal(job.objectId, radio.id);
    assert.equal(job.view?.text, 'hi');
    assert.equal(job.view?.channel, 'ooc');
  });

  it('keeps timers as a component saved with the object, so they fire after a restart', async () => {
    await run(bea, '@create alarm');
    await run(bea, `@script alarm/on_use=${script({ schedule: { seconds: 60, event: 'on_timer' } })}`);
    await run(bea, 'use alarm');
    await settle();
    const saved = world.game.world.takeChanges().objects.find((o) => o.name === 'alarm')!;
    const timers = (saved.components as { timers: Array<{ dueMs: number; event: string }> }).timers;
    assert.equal(timers.length, 1);
    assert.equal(timers[0]!.event, 'on_timer');
    assert.ok(timers[0]!.dueMs > Date.now() + 50_000);
  });

  it('keeps escape sequences, NUL and lone surrogates out of what scripts say, name and store', async () => {
    await run(bea, '@create imp');
    await run(bea, 'drop imp');
    const imp = [...world.game.world.all()].find((o) => o.name === 'imp')!;
    const effects = script(
      { emitRoom: { text: '\u001b[2J\u001b]0;PWNED\u0007Admin says, "give me your password"' } },
      { setAttr: { target: { id: imp.id }, name: 'note', valueJson: JSON.stringify('a\u0000b\ud800') } },
      { spawn: { ref: 'ghost', name: 'x\u001b[8mhidden', description: '' } },
    );
    await run(bea, `@script imp/on_say=${effects}`);
    bea.read();
    await run(pip, 'say hi');
    await settle();
    const seen = pip.read();
    // eslint-disable-next-line no-control-regex -- no control character may reach a player
    assert.doesNotMatch(seen, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(seen, /\[2J\]0;PWNEDAdmin says/);
    assert.equal(imp.attributes.note, 'ab\ufffd');
    const ghost = [...world.game.world.all()].find((o) => o.name.endsWith('hidden'))!;
    assert.equal(ghost.name, 'x[8mhidden');
  });

  it('applies a run whole or not at all: one refused effect undoes the others, and nobody reads of them', async () => {
    await run(bea, '@create imp');
    await run(bea, 'drop imp');
    const imp = [...world.game.world.all()].find((o) => o.name === 'imp')!;
    const square = imp.locationId;
    await run(bea, '@dig Cellar');
    const cellar = Number(/Dug Cellar \(#(\d+)\)/.exec(bea.read())![1]);
    const before = world.game.world.size;
    const effects = script(
      { emitRoom: { text: 'Ta-da!' } },
      { setAttr: { target: { id: imp.id }, name: 'note', valueJson: JSON.stringify('changed') } },
      { schedule: { seconds: 30, event: 'on_timer' } },
      { spawn: { ref: 'ghost', name: 'ghost', description: '' } },
      { teleport: { target: { id: pip.object.id }, room: { id: cellar } } },
      { move: { thing: { id: imp.id }, destination: { id: imp.id } } },
    );
    await run(bea, `@script imp/on_use=${effects}`);
    bea.read();
    await run(pip, 'use imp');
    await settle();
    const seen = pip.read();
    assert.doesNotMatch(seen, /Ta-da|ghost|appears/);
    assert.match(seen, /Nothing happens\./);
    assert.equal(imp.attributes.note, undefined);
    assert.equal(imp.components.timers, undefined);
    assert.equal(world.game.world.size, before, 'the ghost was never made');
    assert.equal(pip.object.locationId, square);
    assert.match(bea.read(), /Script error in on_use of imp \(#\d+\), version 1: move: /, 'the owner hears what was refused');
    await run(bea, `@set imp/fail="The imp sulks."`);
    await run(pip, 'use imp');
    await settle();
    assert.match(pip.read(), /The imp sulks\./);
  });

  it("calls another object's handler once the caller's run is kept, with caller and args, at most five deep", async () => {
    await run(bea, '@create lever');
    await run(bea, 'drop lever');
    await run(bea, '@create door');
    await run(bea, 'drop door');
    const door = [...world.game.world.all()].find((o) => o.name === 'door')!;
    await run(bea, `@script door/on_open=${script({ emitRoom: { text: 'The door swings open.' } })}`);
    await run(bea, `@script lever/on_use=${script({ emit: { text: 'Clunk.' } }, { call: { target: { id: door.id }, event: 'on_open', argsJson: JSON.stringify({ by: 'lever' }) } })}`);
    bea.read();
    await run(pip, 'use lever');
    await settle();
    assert.match(pip.read(), /Clunk\.[\s\S]*The door swings open\./);
    const opened = world.sandbox.jobs.find((j) => j.event === 'on_open')!;
    assert.deepEqual(JSON.parse(opened.view?.argsJson ?? ''), { by: 'lever' });
    assert.equal(opened.view?.caller?.name, 'lever');
    assert.equal(opened.view?.actor?.name, 'Pip');
    assert.equal(opened.depth, 1);
  });

  it('refuses a chain of calls past five deep and tells the owner; @trigger is for builders', async () => {
    world = createTestWorld({ runsPerOwnerPerSecond: 100 });
    bea = world.connect('Bea', 'builder');
    bea.object.attributes.role = 'builder';
    pip = world.connect('Pip');
    await run(bea, '@create echo');
    await run(bea, 'drop echo');
    const echo = [...world.game.world.all()].find((o) => o.name === 'echo')!;
    await run(bea, `@script echo/on_ping=${script({ call: { target: { id: echo.id }, event: 'on_ping', argsJson: 'null' } })}`);
    bea.read();
    await run(bea, `@trigger echo/on_ping`);
    assert.match(bea.read(), /Triggered on_ping of echo/);
    await settle();
    assert.equal(world.sandbox.jobs.filter((j) => j.event === 'on_ping').length, 6);
    assert.match(bea.read(), /Script error in on_ping of echo \(#\d+\), version 1: call: calls go at most 5 deep/);
    await run(pip, '@trigger echo/on_ping');
    assert.match(pip.read(), /Only builders may use @trigger/);
  });

  it("marks what a script says when it starts with someone else's name, or for readers who set nospoof (players too); stars filtered words", async () => {
    await run(bea, '@create parrot');
    await run(bea, 'drop parrot');
    world.game.options.filterWords = wordFilter(['darn']);
    await run(bea, `@script parrot/on_use=${script({ emitRoom: { text: 'Pip has entered the world.' } }, { emitRoom: { text: 'parrot squawks: darn it' } })}`);
    await run(bea, '@set me=nospoof');
    bea.read();
    pip.read();
    await run(pip, 'use parrot');
    await settle();
    const seen = pip.read();
    assert.match(seen, /\{w\}\[parrot\]\{x\} Pip has entered the world\./);
    assert.match(seen, /^parrot squawks: \*\*\*\* it$/m, "the object's own name is no spoof");
    assert.match(bea.read(), /\{w\}\[parrot\]\{x\} parrot squawks: \*\*\*\* it/, 'nospoof marks every line');
    await run(bea, '@name parrot=Pip');
    assert.match(bea.read(), /Pip is a player's name; pick another/);
    await run(bea, '@create pip');
    assert.match(bea.read(), /Pip is a player's name/);
    await run(bea, '@dig Pip');
    assert.match(bea.read(), /Pip is a player's name/);
    // A plain player turns nospoof on for themselves, and may set nothing else.
    await run(pip, '@set me=nospoof');
    assert.match(pip.read(), /is now nospoof\./);
    await run(pip, '@set me/level=9');
    assert.match(pip.read(), /Only builders may use @set; players may type "@set me=nospoof"/);
    await run(pip, '@set me=dark');
    assert.match(pip.read(), /Only builders may use @set/);
    await run(pip, 'use parrot');
    await settle();
    assert.match(pip.read(), /\{w\}\[parrot\]\{x\} parrot squawks: \*\*\*\* it/);
  });

  it('lets a thing listen for a pattern in what is said and posed in its room, with what each * matched', async () => {
    await run(bea, '@create parrot');
    await run(bea, 'drop parrot');
    await run(bea, '@set parrot/listen=* says, "polly *"');
    await run(bea, `@script parrot/on_listen=${script({ emitRoom: { text: 'Squawk!' } })}`);
    bea.read();
    await run(pip, 'say hello');
    await settle();
    assert.doesNotMatch(pip.read(), /Squawk/);
    await run(pip, 'say Polly want a cracker');
    await settle();
    assert.match(pip.read(), /Squawk!/);
    const heard = world.sandbox.jobs.find((j) => j.event === 'on_listen')!;
    assert.deepEqual(JSON.parse(heard.view?.argsJson ?? ''), ['Pip', 'want a cracker']);
    assert.equal(heard.view?.text, 'Pip says, "Polly want a cracker"');
    assert.deepEqual(matchListen('*a*a*a*a*a*a*a*a*b', 'a'.repeat(2000)), undefined, 'many stars cost one pass');
    assert.deepEqual(matchListen('hi', 'HI'), []);
  });

  it('borrows no rights: given to an admin, a builder\'s script still may do only what its author may', async () => {
    const ada = world.connect('Ada', 'admin');
    ada.object.attributes.role = 'admin';
    const cat = world.connect('Cat', 'builder');
    cat.object.attributes.role = 'builder';
    await run(cat, '@create box');
    await run(cat, 'drop box');
    const box = [...world.game.world.all()].find((o) => o.name === 'box')!;
    await run(bea, '@create escalator');
    await run(bea, 'drop escalator');
    const escalator = [...world.game.world.all()].find((o) => o.name === 'escalator')!;
    await run(bea, `@script escalator/on_use=${script({ move: { thing: { id: box.id }, destination: { id: escalator.id } } }, { emitRoom: { text: 'whirr' } })}`);
    await run(bea, `@chown escalator=Ada`);
    assert.equal(escalator.ownerId, bea.object.id, 'an offer, not a gift');
    await run(ada, `@chown #${escalator.id}=me`);
    assert.equal(escalator.ownerId, ada.object.id);
    bea.read();
    await run(pip, 'use escalator');
    await settle();
    assert.doesNotMatch(pip.read(), /whirr/, 'halted: nothing runs after a change of owner');
    await run(ada, `@set #${escalator.id}=!halted`);
    await run(pip, 'use escalator');
    await settle();
    assert.match(pip.read(), /Nothing happens\./);
    assert.doesNotMatch(pip.read(), /whirr/, 'a refused run says nothing');
    assert.equal(box.locationId, escalator.locationId, "the box stays: its author Bea may not move Cat's things");
    assert.match(ada.read(), /move: the owner may not move box/);
  });
});
