// The world's commands, pure: a starter world in memory, two connected characters, what each is told.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createTestWorld, type Player } from './world-fixture.ts';

describe('world commands', () => {
  let world: ReturnType<typeof createTestWorld>;
  let game: ReturnType<typeof createTestWorld>['game'];
  let interpreter: ReturnType<typeof createTestWorld>['interpreter'];
  let posted: ReturnType<typeof createTestWorld>['posted'];
  let ada: Player;
  let bob: Player;
  const connect = (name: string, role?: string) => world.connect(name, role);
  const run = (player: Player, line: string) => world.run(player, line);

  beforeEach(() => {
    world = createTestWorld();
    ({ game, interpreter, posted } = world);
    ada = connect('Ada', 'admin');
    bob = connect('Bob');
  });

  it('looks around: the room, who is here, what lies about, the ways out, and the room info', async () => {
    await run(bob, 'look');
    const text = bob.read();
    assert.match(text, /The Loom Square/);
    assert.match(text, /Ada is here/);
    assert.match(text, /Exits: north, east, south, west/);
    const info = bob.events.find((e) => e.room)!.room!;
    assert.equal(info.name, 'The Loom Square');
    assert.deepEqual(info.exits.map((e) => e.name).sort(), ['east', 'north', 'south', 'west']);
    assert.ok(info.exits.every((e) => e.id > 0 && game.world.get(e.destinationId)?.kind === 'room' && e.doorway?.wall === e.name), JSON.stringify(info.exits));
  });

  it('names what each line ran from a fixed set, so metrics never label by what a player typed', async () => {
    assert.equal(await run(bob, 'say hi'), 'say');
    assert.equal(await run(bob, "'hi"), 'say');
    assert.equal(await run(bob, 'n'), 'exit');
    assert.equal(await run(bob, '+public hello'), 'channel');
    assert.equal(await run(bob, 'xyzzy-unique-1234'), 'unknown');
    assert.equal(await run(bob, '@dig Vault'), '@dig');
    assert.match(bob.read(), /Only builders may use @dig/);
    assert.equal(await run(bob, '   '), 'none');
  });

  it('walks by exit names and aliases; both rooms see it', async () => {
    await run(bob, 'n');
    assert.match(bob.read(), /Weavers' Lane/);
    assert.match(ada.read(), /Bob leaves north\./);
    await run(ada, 'go north');
    assert.match(bob.read(), /Ada arrives from the south\./);
    await run(bob, 'west');
    assert.match(bob.read(), /You can't go that way|not a command/);
  });

  it('says, poses, whispers and pages, each heard by the right people', async () => {
    await run(ada, "'darn, hello {r}there");
    assert.equal(ada.read(), 'You say, "****, hello {{r}there"');
    bob.read();
    await run(ada, "'hello {r}there");
    assert.equal(ada.read(), 'You say, "hello {{r}there"');
    assert.equal(bob.read(), 'Ada says, "hello {{r}there"');
    await run(bob, ':waves.');
    assert.equal(ada.read(), 'Bob waves.');
    assert.equal(bob.read(), 'Bob waves.');
    await run(ada, 'whisper bob=a secret');
    assert.equal(bob.read(), 'Ada whispers to you, "a secret"');
    await run(bob, 's');
    await run(ada, 'page Bob=where did you go?');
    assert.match(bob.read(), /Ada pages: where did you go\?/);
  });

  it('picks things up, asks which one when a name is ambiguous, drops and gives', async () => {
    await run(ada, 'south');
    await run(bob, 'south');
    ada.read();
    await run(ada, 'get ball');
    assert.match(ada.read(), /^Which one: red ball \(#\d+\) or blue ball \(#\d+\)\?$/);
    await run(ada, 'get red');
    assert.equal(ada.read(), 'You pick up red ball.');
    assert.match(bob.read(), /Ada picks up red ball\./);
    await run(ada, 'give red ball to bob');
    assert.equal(bob.read(), 'Ada gives you red ball.');
    await run(bob, 'i');
    assert.match(bob.read(), /red ball/);
    await run(bob, 'get unicorn');
    assert.equal(bob.read(), "You don't see that here.");
  });

  it('helps with every command, and says what it does not know', async () => {
    await run(bob, 'help');
    const index = bob.read();
    assert.match(index, /general.*look/);
    assert.doesNotMatch(index, /@boot/);
    for (const command of interpreter.commands.filter((c) => c.role === 'player')) {
      await run(bob, `help ${command.name}`);
      assert.match(bob.read(), new RegExp(command.name.replace(/[?+]/g, '\\$&')));
    }
    await run(bob, 'dance wildly');
    assert.match(bob.read(), /Nobody called "wildly" is here/);
    await run(bob, 'xyzzy');
    assert.match(bob.read(), /Huh\? "xyzzy" is not a command here/);
    await run(bob, '@boot Ada');
    assert.equal(bob.read(), 'Only admins may use @boot.');
  });

  it('socials read right from all three points of view', async () => {
    const cy = connect('Cy');
    await run(ada, 'smile bob');
    assert.equal(ada.read(), 'You smile at Bob.');
    assert.equal(bob.read(), 'Ada smiles at you.');
    assert.equal(cy.read(), 'Ada smiles at Bob.');
  });

  it('joins, talks on and leaves channels through chat-service', async () => {
    await run(bob, '@channel/join ooc');
    assert.match(bob.read(), /You join ooc[\s\S]*earlier words/);
    await run(bob, '+ooc hi all');
    assert.deepEqual(posted, [{ channel: 'ooc', text: 'hi all' }]);
    await run(ada, '@channel/mute ooc=Bob,5');
    assert.match(ada.read(), /Bob is muted on ooc for 300s\./);
    assert.match(bob.read(), /You have been muted on ooc for 300s by Ada\./);
    await run(bob, '@channel/ban ooc=Ada');
    assert.match(bob.read(), /Only admins may ban players on channels\./);
    await run(bob, '+secret hi');
    assert.match(bob.read(), /You are not on secret/);
    await run(bob, '@channel/leave ooc');
    await run(bob, '@channel/list');
    assert.match(bob.read(), /You are on: public\./);
  });

  it('lets admins announce, teleport, boot and shut down', async () => {
    await run(ada, '@announce tea time');
    assert.match(bob.read(), /Announcement from Ada:.* tea time/);
    await run(ada, '@teleport bob=The Old Library');
    assert.match(bob.read(), /The Old Library/);
    await run(ada, '@boot bob=enough');
    assert.ok(bob.events.at(-1)!.disconnect);
    assert.equal(game.sessions.isOnline(bob.object.id), false);
    await run(ada, '@shutdown update');
    assert.equal(world.shutdownReason(), 'update');
  });

  it('keeps colour as a preference, changes the password through auth, and quits', async () => {
    await run(bob, '@colour off');
    assert.deepEqual(bob.events.find((e) => e.settings)!.settings, { colour: false });
    assert.equal(bob.object.attributes.colour, false);
    await run(bob, '@password right=new password');
    assert.match(bob.read(), /Your password has been changed\./);
    await run(bob, 'quit');
    assert.ok(bob.events.at(-1)!.disconnect);
    assert.match(ada.read(), /Bob has left the world\./);
  });

  it('sends the vitals when a character has them, and again only when they change', async () => {
    await run(bob, 'look');
    assert.equal(bob.events.filter((e) => e.vitals).length, 0);
    bob.object.attributes.hp = 7;
    bob.object.attributes.maxhp = 10;
    await run(bob, 'look');
    await run(bob, 'look');
    const vitals = bob.events.filter((e) => e.vitals);
    assert.deepEqual(vitals.map((e) => e.vitals), [{ hp: 7, maxHp: 10 }]);
  });

  it('records every change for the next save', async () => {
    game.world.takeChanges();
    await run(ada, 'south');
    await run(ada, 'get stone');
    const batch = game.world.takeChanges();
    assert.deepEqual(batch.objects.map((o) => o.name).sort(), ['Ada', 'smooth river stone']);
  });
});
