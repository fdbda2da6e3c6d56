// Builders make the world from inside: rooms, exits, things, attributes, flags, locks, ownership.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createTestWorld, type Player, type TestWorld } from './world-fixture.ts';

describe('building', () => {
  let world: TestWorld;
  let admin: Player;
  let bea: Player; // a builder
  let pip: Player; // a player
  const run = (player: Player, line: string) => world.run(player, line);
  const idIn = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1]);

  beforeEach(() => {
    world = createTestWorld();
    admin = world.connect('Ada', 'admin');
    bea = world.connect('Bea', 'builder');
    pip = world.connect('Pip');
  });

  it('holds a builder to the object quota, also for what scripts spawn; admins have none', async () => {
    world = createTestWorld({ objectQuota: 3 });
    admin = world.connect('Ada', 'admin');
    bea = world.connect('Bea', 'builder');
    bea.object.attributes.role = 'builder';
    admin.object.attributes.role = 'admin';
    await run(admin, '@set here=public');
    await run(bea, '@create one');
    await run(bea, '@dig Two=in,out');
    assert.match(bea.read(), /Bea owns 1 objects, and the quota is 3: @destroy something first, or ask an admin; the room was not dug/);
    await run(bea, '@dig Two');
    await run(bea, '@create three');
    assert.match(bea.read(), /Created three/);
    await run(bea, '@create four');
    assert.match(bea.read(), /Bea owns 3 objects, and the quota is 3/);
    await run(bea, '@script three/on_use=[{"spawn":{"ref":"s1","name":"extra","description":""}}]');
    await run(bea, 'use three');
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.match(bea.read(), /spawn: Bea owns 3 objects, and the quota is 3/);
    for (const name of ['a', 'b', 'c', 'd']) await run(admin, `@create ${name}`);
    assert.match(admin.read(), /Created d/);
  });

  it('sets and removes any attribute a script may set (my.attr-x), by the same name rule', async () => {
    await run(bea, '@create jar');
    const jar = [...world.game.world.all()].find((o) => o.name === 'jar')!;
    jar.attributes['my.attr-x'] = 1; // as setAttr(self, 'my.attr-x', 1) leaves it
    await run(bea, '@set jar/my.attr-x=');
    assert.match(bea.read(), /Removed my\.attr-x from jar/);
    assert.equal(jar.attributes['my.attr-x'], undefined);
    await run(bea, '@set jar/bad name=1');
    assert.match(bea.read(), /An attribute name has up to 64 letters, digits, _ \. or -/);
  });

  it('digs a room with exits both ways, and people walk through them', async () => {
    await run(admin, '@set here=public');
    await run(bea, '@dig Cellar=down;d,up;u');
    const said = bea.read();
    assert.match(said, /Dug Cellar \(#\d+\)\.\nOpened down \(#\d+\) from here to Cellar\.\nOpened up \(#\d+\) from Cellar back here\./);
    await run(pip, 'd');
    assert.match(pip.read(), /Cellar/);
    assert.match(bea.read(), /Pip leaves down\./);
    await run(pip, 'up');
    assert.match(pip.read(), /The Loom Square/);
  });

  it('refuses to open exits from rooms the builder does not own, unless public', async () => {
    await run(bea, '@dig Attic=up');
    assert.match(bea.read(), /only open exits from rooms you own/);
    await run(pip, '@dig Den');
    assert.equal(pip.read(), 'Only builders may use @dig.');
  });

  it('creates, describes, renames and sets attributes and flags on things it owns only', async () => {
    await run(bea, '@create brass key');
    const key = idIn(bea.read(), /Created brass key \(#(\d+)\)/);
    await run(bea, `@describe #${key}=A small brass key.`);
    await run(bea, `@set #${key}/weight=3`);
    await run(bea, `@set #${key}/notes={"found":"cellar"}`);
    await run(bea, `@set #${key}=fixed`);
    const object = world.game.world.get(key)!;
    assert.equal(object.description, 'A small brass key.');
    assert.deepEqual(object.attributes, { weight: 3, notes: { found: 'cellar' } });
    assert.ok(object.flags.has('fixed'));
    await run(bea, `@set #${key}=!fixed`);
    assert.ok(!object.flags.has('fixed'));
    await run(bea, `@name #${key}=old brass key`);
    assert.equal(object.name, 'old brass key');
    bea.read();
    await run(bea, '@describe fountain=mine now');
    assert.equal(bea.read(), "You don't own stone fountain.");
    await run(bea, `@set #${key}=start`);
    assert.equal(bea.read(), 'Only admins set the start flag.');
    await run(pip, '@describe me=A cheerful halfling.');
    assert.equal(pip.object.description, 'A cheerful halfling.');
  });

  it('locks an exit with a key expression: only the key holder passes', async () => {
    await run(admin, '@set here=public');
    await run(bea, '@dig Vault=in,out');
    const door = idIn(bea.read(), /Opened in \(#(\d+)\)/);
    await run(bea, '@create silver key');
    const key = idIn(bea.read(), /Created silver key \(#(\d+)\)/);
    await run(bea, `@lock #${door}=has:silver key | role:admin`);
    assert.match(bea.read(), new RegExp(`Locked in \\(#\\d+\\): has:#${key} \\(silver key\\) \\| role:admin`));
    await run(bea, `@set #${door}/lock_fail=The vault door will not budge.`);
    await run(pip, 'in');
    assert.match(pip.read(), /The vault door will not budge\./);
    // A look-alike made by another builder opens nothing: the lock names the key by its id.
    const cat = world.connect('Cat', 'builder');
    await run(cat, '@create silver key');
    await run(cat, 'in');
    assert.match(cat.read(), /will not budge/);
    await run(bea, 'give silver key to Pip');
    await run(pip, 'in');
    assert.match(pip.read(), /Vault/);
    await run(bea, `@lock #${door}=has:(nothing`);
    assert.match(bea.read(), /does not work/);
    await run(bea, `@lock #${door}=has:golden key`);
    assert.match(bea.read(), /does not work: there is no golden key you carry, see here or own; name it by #id/);
    await run(bea, `@set #${door}/lock=role:player`);
    assert.match(bea.read(), /Locks are set with @lock/);
  });

  it('locks by kind: use, drop, give, speech; by attribute; and through another object\'s lock', async () => {
    await run(admin, '@set here=public');
    await run(bea, '@create lever');
    const lever = idIn(bea.read(), /Created lever \(#(\d+)\)/);
    await run(bea, 'drop lever');
    await run(bea, `@script lever/on_use=[]`);
    await run(bea, '@lock/use lever=attr:level>=3');
    assert.match(bea.read(), /Locked lever \(#\d+\) \(use\): attr:level>=3/);
    await run(pip, 'use lever');
    assert.match(pip.read(), /lever does not respond to you/);
    pip.object.attributes.level = 3;
    await run(pip, 'use lever');
    assert.doesNotMatch(pip.read(), /does not respond/);
    await run(pip, 'get lever');
    assert.match(pip.read(), /You pick up lever/, 'a use lock guards using, not taking');
    await run(bea, `@lock/drop #${lever}=is:Bea`);
    await run(pip, 'drop lever');
    assert.match(pip.read(), /You can't put lever down/);
    await run(bea, `@lock/give #${lever}=role:admin`);
    await run(pip, 'give lever to Bea');
    assert.match(pip.read(), /You can't give lever away/);
    await run(bea, `@unlock/give #${lever}`);
    await run(pip, 'give lever to Bea');
    assert.match(pip.read(), /You give lever to Bea/);
    // Through another object: the gate passes whoever the lever's use lock passes.
    await run(bea, '@dig Garden=gate,back');
    const gate = idIn(bea.read(), /Opened gate \(#(\d+)\)/);
    await run(bea, `@lock/enter #${gate}=@#${lever}/use`);
    assert.match(bea.read(), new RegExp(`@#${lever}/use \\(lever\\)`));
    delete pip.object.attributes.level;
    await run(pip, 'gate');
    assert.match(pip.read(), /The way gate is locked/);
    pip.object.attributes.level = 5;
    await run(pip, 'gate');
    assert.match(pip.read(), /Garden/);
    bea.object.attributes.level = 9;
    await run(bea, 'gate');
    await run(bea, '@lock/speech here=role:builder');
    assert.match(bea.read(), /Locked Garden \(#\d+\) \(speech\): role:builder/);
    await run(pip, 'say hello?');
    assert.match(pip.read(), /Your voice does not carry here/);
    await run(bea, 'say builders only');
    assert.match(pip.read(), /Bea says, "builders only"/);
    await run(bea, '@lock/jump here=role:admin');
    assert.match(bea.read(), /There is no jump lock/);
  });

  it('destroys after confirmation, moves what was inside to safety, and lets an admin recover it', async () => {
    await run(bea, '@create lamp');
    const lamp = idIn(bea.read(), /Created lamp \(#(\d+)\)/);
    await run(bea, `@destroy #${lamp}`);
    assert.match(bea.read(), new RegExp(`Type "@destroy/confirm #${lamp}"`));
    assert.equal(world.game.world.get(lamp)!.flags.has('destroyed'), false);
    await run(bea, `@destroy/confirm #${lamp}`);
    assert.match(bea.read(), /Destroyed lamp/);
    await run(bea, 'i');
    assert.match(bea.read(), /carrying nothing/);
    await run(bea, `@recover #${lamp}`);
    assert.equal(bea.read(), 'Only admins may use @recover.');
    await run(admin, `@recover #${lamp}`);
    assert.match(admin.read(), /Recovered lamp/);
    assert.equal(world.game.world.get(lamp)!.locationId, bea.object.id);
  });

  it('finds what a builder owns, examines it fully, and hands it over', async () => {
    await run(bea, '@create red hat');
    const hat = idIn(bea.read(), /Created red hat \(#(\d+)\)/);
    await run(bea, '@find hat');
    assert.match(bea.read(), new RegExp(`red hat \\(#${hat}\\)\\s+thing`));
    await run(bea, `@lock #${hat}=is:Bea`);
    await run(bea, `@examine #${hat}`);
    const shown = bea.read();
    assert.match(shown, /owned by Bea/);
    assert.match(shown, new RegExp(`lock = "is:#${bea.object.id}"`));
    assert.match(shown, /Scripts: none/);
    await run(bea, `@chown #${hat}=Pip`);
    assert.match(bea.read(), /You offer red hat/);
    await run(pip, `@chown #${hat}=me`);
    assert.match(pip.read(), /Only builders/, 'a plain player takes nothing');
    await run(bea, `@chown #${hat}=Ada`);
    assert.match(admin.read(), new RegExp(`Bea offers you red hat \\(#${hat}\\)\\. Type "@chown #${hat}=me"`));
    assert.equal(world.game.world.get(hat)!.ownerId, bea.object.id, 'still Bea\'s until Ada takes it');
    await run(admin, `@chown #${hat}=me`);
    assert.match(admin.read(), /now belongs to Ada\. Its scripts are halted/);
    assert.ok(world.game.world.get(hat)!.flags.has('halted'));
    await run(bea, `@describe #${hat}=still mine?`);
    assert.match(bea.read(), /You don't own red hat/);
    await run(pip, `@examine #${hat}`);
    assert.equal(pip.read(), 'Only builders may use @examine.');
  });
});

describe('scripts in the editor', () => {
  let world: TestWorld;
  let bea: Player;
  const run = (line: string) => world.run(bea, line);

  beforeEach(() => {
    world = createTestWorld();
    bea = world.connect('Bea', 'builder');
  });

  it('writes a script line by line, shows it numbered, keeps versions, rolls back and deletes', async () => {
    await run('@create parrot');
    bea.read();
    await run('@script parrot/on_say');
    assert.match(bea.read(), /Editing on_say of parrot \(#\d+\)/);
    await run('emitRoom(`${self.name} squawks: ${event.text}!`);');
    await run('  // the parrot repeats what it hears');
    await run('.');
    assert.match(bea.read(), /Saved on_say of parrot \(#\d+\) as version 1\./);
    await run('@script parrot/on_say=emitRoom("Polly!");');
    assert.match(bea.read(), /as version 2/);
    await run('@script/show parrot/on_say 1');
    const shown = bea.read();
    assert.match(shown, /version 1:/);
    assert.ok(shown.includes('{w}  1{x}  emitRoom(`${{self.name} squawks'), shown);
    assert.ok(shown.includes('{w}  2{x}    // the parrot repeats'), shown);
    await run('@script/rollback parrot/on_say=1');
    assert.match(bea.read(), /back to version 1, saved as version 3/);
    await run('@script/delete parrot/on_say');
    assert.match(bea.read(), /Deleted on_say .*version 4/);
    await run('@script/show parrot/on_say');
    assert.match(bea.read(), /has no script/);
    await run('@script/history parrot/on_say');
    assert.match(bea.read(), /v1 [\s\S]*v4 .*\(deleted\)/);
    await run('@script parrot/dance');
    assert.match(bea.read(), /"dance" is not an event/);
  });

  it('gives up a draft with .abort, and refuses scripts on what the builder does not own', async () => {
    await run('@script me/on_login');
    await run('emit("hi")');
    await run('.abort');
    assert.match(bea.read(), /Editing abandoned/);
    await run('@script/list me');
    assert.match(bea.read(), /has no scripts/);
    await run('@script fountain/on_use=emit(1)');
    assert.match(bea.read(), /You don't own stone fountain/);
  });
});
