// Object code a builder can trust, typed through telnet into a running world (either wiring): runs on one
// object go one at a time, each seeing what the one before did, and a run is kept whole or not at all.
import assert from 'node:assert/strict';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';

/** A second builder, made through the REST API by an admin (a role applies from the next login). */
export async function makeBuilder(http: number, admin: { name: string; password: string }, builder: { name: string; password: string }): Promise<void> {
  const send = (method: 'POST' | 'PUT', path: string, body: unknown, token = '') =>
    fetch(`http://127.0.0.1:${http}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const made = (await (await send('POST', '/api/v1/auth/register', { username: builder.name, password: builder.password })).json()) as { user: { id: number } };
  const login = (await (await send('POST', '/api/v1/auth/login', { username: admin.name, password: admin.password })).json()) as { accessToken: string };
  const changed = await send('PUT', `/api/v1/admin/users/${made.user.id}/role`, { role: 'builder' }, login.accessToken);
  assert.equal(changed.status, 200, await changed.text());
}

/** A builder makes a thing where they stand and gives it one-line scripts, waiting until each is saved. */
export async function placeScripted(builder: PlayerClient, name: string, scripts: Record<string, string>): Promise<void> {
  builder.send(`@create ${name}`);
  await builder.waitFor(new RegExp(`Created ${name} `));
  builder.send(`drop ${name}`);
  for (const [event, source] of Object.entries(scripts)) {
    builder.send(`@script ${name}/${event}=${source}`);
    await builder.waitFor(new RegExp(`Saved ${event} of ${name} `));
  }
}

/** Needs a world whose first account was made already (`admin`) and generous flood and run budgets. */
export async function objectCodeStory(ports: { telnet: number; http: number }, admin: { name: string; password: string }): Promise<void> {
  await makeBuilder(ports.http, admin, { name: 'Beatrix', password: 'beatrix-password-1' });
  const ada = await PlayerClient.connect(ports.telnet);
  const bea = await PlayerClient.connect(ports.telnet);
  const cy = await PlayerClient.connect(ports.telnet);
  const telnet = ports.telnet;
  try {
    ada.send(`connect ${admin.name} ${admin.password}`);
    await ada.waitFor(new RegExp(`Welcome to \\w+, ${admin.name}!`));
    bea.send('connect Beatrix beatrix-password-1');
    await bea.waitFor(/Welcome to \w+, Beatrix!/);
    cy.send('create Cyrus cyrus-password-1');
    await cy.waitFor(/Welcome to \w+, Cyrus!/);
    ada.send('@dig Arcade');
    const arcade = Number((await ada.waitFor(/Dug Arcade \(#(\d+)\)/))[1]);
    for (const who of ['me', 'Beatrix', 'Cyrus']) ada.send(`@teleport ${who}=#${arcade}`);
    await cy.waitFor(/Arcade/);
    await bea.waitFor(/Arcade/);

    // A machine with one soda: twenty uses in one packet get exactly one can.
    ada.send('@create vending machine');
    await ada.waitFor(/Created vending machine/);
    ada.send('drop vending machine');
    ada.send('@set vending machine/stock=1');
    ada.send('@script vending machine/on_use');
    ada.sendAtOnce([
      "const stock = getAttr(self, 'stock') ?? 0;",
      "if (stock < 1) { emit('Sold out.'); } else {",
      "  setAttr(self, 'stock', stock - 1);",
      "  move(spawn('soda can', 'Fizzy.'), event.actor);",
      "  emit('Clunk! A soda can drops out.');",
      '}',
      '.',
    ]);
    await ada.waitFor(/Saved on_use of vending machine/);
    cy.sendAtOnce(Array.from({ length: 20 }, () => 'use vending machine'));
    for (let i = 0; i < 20; i++) await cy.waitFor(/Clunk! A soda can drops out\.|Sold out\./);
    assert.equal(cy.text.match(/Clunk!/g)?.length, 1, 'one can, not one per use');
    cy.send('inventory');
    const carried = (await cy.waitFor(/You are carrying:[^>]*/))[0];
    assert.equal(carried.match(/soda can/g)?.length, 1);

    // A counter that two players bump with fifty says each, in one packet each: no update is lost.
    await placeScripted(ada, 'tally', { on_say: "setAttr(self, 'count', (getAttr(self, 'count') ?? 0) + 1); if (getAttr(self, 'count') === 100) emitRoom('Tally: one hundred.');" });
    bea.sendAtOnce(Array.from({ length: 50 }, (_, i) => `say b${i}`));
    cy.sendAtOnce(Array.from({ length: 50 }, (_, i) => `say c${i}`));
    await ada.waitFor(/Tally: one hundred\./);
    ada.send('@examine tally');
    assert.match((await ada.waitFor(/tally \(#\d+\)[\s\S]*?Scripts:/))[0], /count = 100\b/);

    // A builder's shopkeeper paid with a coin its script may not move (someone else's) hands over nothing,
    // and the coin stays with its owner.
    bea.send('@create shopkeeper');
    await bea.waitFor(/Created shopkeeper/);
    bea.send('drop shopkeeper');
    bea.send('@script shopkeeper/on_say');
    bea.sendAtOnce([
      'if (/buy (an )?apple/i.test(event.text)) {',
      "  const coin = (event.actor.contents ?? []).find((c) => c.name === 'copper coin');",
      '  if (coin) {',
      '    move(coin.id, self);',
      "    move(spawn('red apple', 'Crisp and shiny.'), event.actor);",
      '    emitRoom(`The shopkeeper hands ${event.actor.name} a red apple.`);',
      '  }',
      '}',
      '.',
    ]);
    await bea.waitFor(/Saved on_say of shopkeeper/);
    ada.send('@create copper coin');
    await ada.waitFor(/Created copper coin/);
    ada.send('say buy apple');
    await bea.waitFor(/Script error in on_say of shopkeeper \(#\d+\), version 1: move: the owner may not move copper coin/);
    ada.send('inventory');
    const kept = (await ada.waitFor(/You are carrying:[^>]*/))[0];
    assert.match(kept, /copper coin/);
    assert.doesNotMatch(kept, /red apple/);
    assert.doesNotMatch(ada.text + cy.text, /hands Ada a red apple/);

    // A door locked to Ada's key by its id: Beatrix's own "iron key" is only a look-alike.
    ada.send('@create iron key');
    const key = Number((await ada.waitFor(/Created iron key \(#(\d+)\)/))[1]);
    ada.send('@create oak door');
    await ada.waitFor(/Created oak door/);
    ada.send('drop oak door');
    ada.send("@script oak door/on_use=emit('The oak door creaks open.');");
    await ada.waitFor(/Saved on_use of oak door/);
    ada.send('@lock oak door=has:iron key');
    await ada.waitFor(new RegExp(`Locked oak door \\(#\\d+\\): has:#${key} \\(iron key\\)`));
    bea.send('@create iron key');
    await bea.waitFor(/Created iron key/);
    bea.send('use oak door');
    await bea.waitFor(/oak door does not respond to you\./);
    ada.send('give iron key to Beatrix');
    await bea.waitFor(/Ada gives you iron key\./);
    bea.send('use oak door');
    await bea.waitFor(/The oak door creaks open\./);

    // A lever that calls a door: the door's own handler runs, with its owner's rights, and knows who called.
    ada.send('@create lever');
    await ada.waitFor(/Created lever/);
    ada.send('drop lever');
    ada.send("@script oak door/on_open=emitRoom(`The oak door swings open for ${event.actor.name} (${event.caller.name} says ${event.args.why}).`);");
    await ada.waitFor(/Saved on_open of oak door/);
    ada.send("@script lever/on_use=emit('You pull the lever.'); call(getAttr(self, 'door'), 'on_open', { why: 'pulled' });");
    await ada.waitFor(/Saved on_use of lever/);
    ada.send('@examine oak door');
    const door = Number((await ada.waitFor(/oak door \(#(\d+)\)\s+thing/))[1]);
    ada.send(`@set lever/door=${door}`);
    await ada.waitFor(/Set door of lever/);
    cy.send('use lever');
    await cy.waitFor(/You pull the lever\./);
    await cy.waitFor(/The oak door swings open for Cyrus \(lever says pulled\)\./);

    // @wait: a line typed for the player later.
    cy.send('@wait 2=say hi from the past');
    await cy.waitFor(/In 2 seconds: say hi from the past/);
    const asked = Date.now();
    await ada.waitFor(/Cyrus says, "hi from the past"/);
    assert.ok(Date.now() - asked >= 1500, 'not before its time');

    // Connecting into a room is arriving there (on_enter); `examine` is looking closely (on_examine).
    await placeScripted(ada, 'doormat', {
      on_enter: "emit('The doormat says: welcome, ' + event.actor.name + '.');",
      on_examine: "emit('The doormat is scuffed.');",
    });
    cy.send('examine doormat');
    await cy.waitFor(/The doormat is scuffed\./);
    cy.send('quit');
    await eventually(() => cy.closed, 'the quit connection closing');
    await ada.waitFor(/Cyrus has left the world\./);
    const back = await PlayerClient.connect(telnet);
    back.send('connect Cyrus cyrus-password-1');
    await back.waitFor(/The doormat says: welcome, Cyrus\./);
    back.close();

    // The object quota (50 by default): Beatrix owns two things already (the shopkeeper, her look-alike key);
    // fifty more @creates make 48, and the last two are refused.
    bea.sendAtOnce(Array.from({ length: 50 }, (_, i) => `@create pebble ${i}`));
    for (let i = 0; i < 50; i++) await bea.waitFor(/Created pebble \d+|Beatrix owns 50 objects, and the quota is 50/);
    assert.equal(bea.text.match(/Created pebble \d+/g)?.length, 48);
    assert.equal(bea.text.match(/Beatrix owns 50 objects, and the quota is 50/g)?.length, 2);
  } finally {
    for (const client of [ada, bea, cy]) client.close();
  }
}
