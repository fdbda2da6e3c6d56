// Channel locks, pure: an admin locks who may join and who may speak on a channel with the keys of @lock.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createTestWorld, type Player } from './world-fixture.ts';

const idIn = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? assert.fail(`no id in ${text}`));

describe('channel locks', () => {
  let world: ReturnType<typeof createTestWorld>;
  let posted: ReturnType<typeof createTestWorld>['posted'];
  let ada: Player;
  let bea: Player;
  let pip: Player;
  const run = (player: Player, line: string) => world.run(player, line);

  beforeEach(() => {
    world = createTestWorld();
    ({ posted } = world);
    ada = world.connect('Ada', 'admin');
    bea = world.connect('Bea', 'builder');
    pip = world.connect('Pip');
  });

  it('a speech lock keeps those it does not pass quiet on the channel, until it is lifted', async () => {
    await run(ada, '@channel/lock public=role:builder');
    assert.equal(ada.read(), 'Locked public (speech): role:builder');
    await run(pip, '+public hello?');
    assert.equal(pip.read(), 'You may not speak on public: its speech lock keeps you out.');
    await run(bea, '+public builders here');
    assert.deepEqual(posted, [{ channel: 'public', text: 'builders here' }]);
    await run(ada, '@channel/unlock public');
    assert.equal(ada.read(), 'Unlocked public (speech).');
    await run(ada, '@channel/unlock/transmit public');
    assert.equal(ada.read(), 'public has no speech lock.');
    await run(pip, '+public hello!');
    assert.deepEqual(posted.at(-1), { channel: 'public', text: 'hello!' });
  });

  it('a join lock names its key by id: the holder joins, a look-alike opens nothing, and outsiders cannot read back', async () => {
    await run(ada, '@create guild badge');
    const badge = idIn(ada.read(), /Created guild badge \(#(\d+)\)/);
    await run(ada, '@channel/lock/join smiths=has:guild badge | role:admin');
    assert.equal(ada.read(), `Locked smiths (join): has:#${badge} (guild badge) | role:admin`);
    await run(pip, '@channel/join smiths');
    assert.equal(pip.read(), 'You may not join smiths: its join lock keeps you out.');
    await run(pip, '@channel/history smiths');
    assert.equal(pip.read(), 'You may not read smiths: its join lock keeps you out.');
    await run(bea, '@create guild badge');
    await run(bea, '@channel/join smiths');
    assert.match(bea.read(), /You may not join smiths/);
    await run(ada, 'give guild badge to Pip');
    await run(pip, '@channel/join smiths');
    assert.match(pip.read(), /You join smiths\./);
    await run(ada, '@channel/join smiths');
    assert.match(ada.read(), /You join smiths\./);
  });

  it('shows a channel\'s locks with what their ids name, and whether the reader passes them', async () => {
    await run(ada, '@channel/lock/join public=is:Bea');
    await run(ada, '@channel/lock/speech public=attr:level>=3');
    await run(pip, '@channel/info public');
    assert.equal(
      pip.read(),
      `{B}public{x}: you are on it.\n  join lock: is:#${bea.object.id} (Bea) (you may not join it)\n  speech lock: attr:level>=3 (you may not speak on it)`,
    );
    pip.object.attributes.level = 4;
    await run(pip, '@channel/lock public');
    assert.match(pip.read(), /speech lock: attr:level>=3 \(you may speak on it\)/);
    await run(pip, '@channel/list');
    assert.equal(pip.read(), `You are on: public.\n  public: join lock is:#${bea.object.id} (Bea); speech lock attr:level>=3`);
    await run(pip, '@channel/info ooc');
    assert.match(pip.read(), /you are not on it\.\n {2}join lock: none \(anyone may join it\)\n {2}speech lock: none \(anyone may speak on it\)/);
  });

  it('only admins lock, with a key that works and a kind channels have', async () => {
    await run(bea, '@channel/lock public=role:builder');
    assert.equal(bea.read(), 'Only admins may lock channels.');
    await run(bea, '@channel/unlock/join public');
    assert.equal(bea.read(), 'Only admins may unlock channels.');
    await run(ada, '@channel/lock public=has:golden key');
    assert.match(ada.read(), /That key does not work: there is no golden key you carry, see here or own/);
    await run(ada, '@channel/lock public=role:wizard');
    assert.match(ada.read(), /That key does not work: "wizard" is not a role/);
    await run(ada, '@channel/lock/receive public=role:admin');
    assert.equal(ada.read(), 'A channel has a join lock and a speech lock; there is no receive lock.');
    await run(ada, '@channel/lock public=');
    assert.match(ada.read(), /Type "@channel\/lock\/speech public=<key>", or "@channel\/unlock\/speech public"/);
    await run(ada, '@channel/lock Not A Channel=role:admin');
    assert.match(ada.read(), /A channel name has 2 to 20 lowercase letters/);
    await run(pip, '+public still open');
    assert.deepEqual(posted, [{ channel: 'public', text: 'still open' }]);
  });

  it('a stored key that no longer parses lets nobody through, and an admin can still lift it', async () => {
    await world.game.chat.lock('public', 'speech', 'has:(broken', ada.object.id);
    await run(ada, '+public anyone?');
    assert.equal(ada.read(), 'You may not speak on public: its speech lock keeps you out.');
    await run(ada, '@channel/unlock/speech public');
    await run(ada, '+public there we are');
    assert.deepEqual(posted, [{ channel: 'public', text: 'there we are' }]);
  });
});
