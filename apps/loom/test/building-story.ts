// Issue 5's story through telnet: a builder makes a locked door with a script and a parrot; a player
// is stopped, finds the key, passes, and hears the parrot.
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';

/** `builder` must be an account with the builder (or admin) role; `player` any other account. */
/** Returns the ids of what the builder made. */
export async function buildingStory(port: number, builder: { name: string; password: string }, player: { name: string; password: string }): Promise<{ door: number; parrot: number }> {
  const bea = await PlayerClient.connect(port);
  const pip = await PlayerClient.connect(port);
  const id = async (client: PlayerClient, pattern: RegExp) => Number((await client.waitFor(pattern))[1]);
  try {
    bea.send(`connect ${builder.name} ${builder.password}`);
    await bea.waitFor(new RegExp(`Welcome to \\w+, ${builder.name}!`));
    await bea.waitFor(/Exits:/);
    bea.send('@dig Gatehouse');
    const gatehouse = await id(bea, /Dug Gatehouse \(#(\d+)\)/);
    bea.send('@dig Aviary');
    const aviary = await id(bea, /Dug Aviary \(#(\d+)\)/);

    bea.send(`@teleport #${gatehouse}`);
    bea.send('@create oak door');
    const door = await id(bea, /Created oak door \(#(\d+)\)/);
    bea.send(`drop #${door}`);
    await bea.waitFor(/You drop oak door/);
    bea.send(`@set #${door}=fixed`);
    bea.send('@create iron key');
    const key = await id(bea, /Created iron key \(#(\d+)\)/);
    bea.send(`@lock #${door}=has:iron key`);
    await bea.waitFor(new RegExp(`Locked oak door \\(#${door}\\): has:#${key} \\(iron key\\)`));
    bea.send(`@set #${door}/lock_fail=The oak door is locked. Somewhere there must be a key.`);
    bea.send(`@script #${door}/on_use`);
    await bea.waitFor(/Editing on_use of oak door/);
    bea.send("emit('The oak door creaks open and you step through.');");
    bea.send(`teleport(event.actor, ${aviary});`);
    bea.send('.');
    await bea.waitFor(/Saved on_use of oak door \(#\d+\) as version 1/);
    bea.send('drop iron key');
    await bea.waitFor(/You drop iron key/);

    bea.send(`@teleport #${aviary}`);
    bea.send('@create parrot');
    const parrot = await id(bea, /Created parrot \(#(\d+)\)/);
    bea.send('drop parrot');
    await bea.waitFor(/You drop parrot/);
    bea.send('@script parrot/on_say=emitRoom(`The parrot squawks: ${event.text}!`);');
    await bea.waitFor(/Saved on_say of parrot/);

    pip.send(`connect ${player.name} ${player.password}`);
    await pip.waitFor(new RegExp(`Welcome to \\w+, ${player.name}!`));
    bea.send(`@teleport ${player.name}=#${gatehouse}`);
    await pip.waitFor(/Gatehouse/);
    pip.send('use door');
    await pip.waitFor(/The oak door is locked\. Somewhere there must be a key\./);
    pip.send('get key');
    await pip.waitFor(/You pick up iron key\./);
    pip.send('use door');
    await pip.waitFor(/The oak door creaks open and you step through\./);
    await pip.waitFor(/Aviary/);
    pip.send('say pretty bird');
    await pip.waitFor(/The parrot squawks: pretty bird!/);
    await bea.waitFor(/The parrot squawks: pretty bird!/);
    return { door, parrot };
  } catch (error) {
    // The builder's side of the story says what went wrong on the way.
    throw new Error(`${(error as Error).message}\n--- the builder saw:\n${bea.text.slice(-3000)}`, { cause: error });
  } finally {
    bea.close();
    pip.close();
  }
}
