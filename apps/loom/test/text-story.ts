// The text world's story, told through two real telnet connections (to one gateway or to two).
import assert from 'node:assert/strict';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';

export interface StoryPorts {
  alicePort: number;
  bobPort: number;
}

/** Two players make characters, meet, talk, move, page, share a channel and read its history. */
export async function textWorldStory({ alicePort, bobPort }: StoryPorts, suffix: string): Promise<void> {
  const alice = await PlayerClient.connect(alicePort);
  const bob = await PlayerClient.connect(bobPort);
  const [a, b] = [`Alice${suffix}`, `Bob${suffix}`];
  try {
    await alice.waitFor(/connect <name> <password>/);
    alice.send(`create ${a} alice-password-1`);
    await alice.waitFor(new RegExp(`Welcome to \\w+, ${a}!`));
    await alice.waitFor(/The Loom Square/);
    assert.equal(((await alice.waitForGmcp('Room.Info')) as { name: string }).name, 'The Loom Square');

    // Bob types his password on its own line, unseen.
    await bob.waitFor(/connect <name> <password>/);
    bob.send(`create ${b}`);
    await bob.waitFor(/Choose a password/);
    assert.equal(bob.passwordHidden, true, 'the server stops echoing while a password is typed');
    bob.send('bob-password-1');
    await bob.waitFor(/Type the password again/);
    bob.send('bob-password-1');
    await bob.waitFor(new RegExp(`Welcome to \\w+, ${b}!`));
    await alice.waitFor(new RegExp(`${b} has entered the world\\.`));

    bob.send('say hello there');
    await bob.waitFor(/You say, "hello there"/);
    await alice.waitFor(new RegExp(`${b} says, "hello there"`));

    alice.send('north');
    await alice.waitFor(/Weavers' Lane/);
    await alice.waitForGmcp('Room.Info', (d) => (d as { name: string }).name === "Weavers' Lane");
    await bob.waitFor(new RegExp(`${a} leaves north\\.`));
    bob.send('n');
    await alice.waitFor(new RegExp(`${b} arrives from the south\\.`));
    await bob.waitFor(new RegExp(`${a} is here\\.`));

    alice.send(`page ${b}=meet me at the tower`);
    await bob.waitFor(new RegExp(`${a} pages: meet me at the tower`));

    alice.send('@channel/join ooc');
    await alice.waitFor(/You join ooc/);
    bob.send('@channel/join ooc');
    await bob.waitFor(/You join ooc/);
    alice.send('+ooc anyone for tea?');
    await bob.waitFor(new RegExp(`\\[ooc\\] ${a}: anyone for tea\\?`));
    await bob.waitForGmcp('Comm.Channel.Text', (d) => (d as { text: string }).text === 'anyone for tea?');
    bob.send('@channel/history ooc 5');
    await bob.waitFor(new RegExp(`\\[ooc\\] ${a}: anyone for tea\\?`));

    alice.send('quit');
    await alice.waitFor(/Goodbye/);
    await bob.waitFor(new RegExp(`${a} has left the world\\.`));
  } finally {
    alice.close();
    bob.close();
  }
}
