// A Node bot over UDP and a telnet player in the same room see each other move and talk.
import assert from 'node:assert/strict';
import { GameClient, type ServerEvent } from '@loom/netcode';
import { udpTransport } from '../../../services/graphics-gateway/test/udp-transport.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { eventually } from '@loom/runtime/testing/patience.ts';

export async function udpBotStory(ports: { telnet: number; udp: number; http: number }, suffix = ''): Promise<void> {
  const telnet = await PlayerClient.connect(ports.telnet);
  telnet.send(`create Tess${suffix} tess-password-1`);
  await telnet.waitFor(new RegExp(`Welcome to \\w+, Tess${suffix}!`));
  const registered = await fetch(`http://127.0.0.1:${ports.http}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `Botty${suffix}`, password: 'botty-password-1' }),
  });
  const { accessToken } = (await registered.json()) as { accessToken: string };
  const bot = new GameClient(await udpTransport(ports.udp));
  const events: ServerEvent[] = [];
  bot.onEvent((event) => events.push(event));
  const ticker = setInterval(() => bot.tick(), 20);
  const until = <T>(find: () => T | undefined | false, what: string): Promise<T> => eventually(find, what, () => `events: ${JSON.stringify(events.slice(-6))}`);
  try {
    await bot.connect(accessToken);
    await telnet.waitFor(new RegExp(`Botty${suffix} has entered the world\\.`));
    // The bot sees the telnet player standing in the square.
    const tess = await until(() => bot.view?.entities.find((e) => e.name === `Tess${suffix}`), 'Tess in a snapshot');
    assert.equal(tess.kind, 'player');
    await until(() => events.find((e) => e.t === 'room' && e.name === 'The Loom Square'), 'room event');
    // The telnet player sees the bot, and they talk.
    telnet.send('look');
    await telnet.waitFor(new RegExp(`Botty${suffix}`));
    bot.command('say hello from the bot');
    await telnet.waitFor(new RegExp(`Botty${suffix} says, "hello from the bot"`));
    telnet.send('say hello bot');
    await until(() => events.find((e) => e.t === 'text' && new RegExp(`Tess${suffix} says, "hello bot"`).test(e.text)), 'Tess talking');
    // The telnet player walks out and back: the bot reads it and sees her gone from, then back in, its snapshots.
    telnet.send('east');
    await until(() => events.find((e) => e.t === 'text' && new RegExp(`Tess${suffix} leaves east\\.`).test(e.text)), 'Tess leaving east');
    await until(() => !bot.view?.entities.some((e) => e.name === `Tess${suffix}`), 'Tess gone from the snapshot');
    telnet.send('west');
    await until(() => events.find((e) => e.t === 'text' && new RegExp(`Tess${suffix} arrives from the east\\.`).test(e.text)), 'Tess coming back');
    await until(() => bot.view?.entities.find((e) => e.name === `Tess${suffix}`), 'Tess back in the snapshot');
    // The bot walks north through the doorway: the same room change as a text `go north`.
    // The snapshot names the bot's own character.
    const start = bot.view!.entities.find((e) => e.id === bot.view!.viewerEntityId)!;
    assert.equal(start.name, `Botty${suffix}`);
    let clientTick = 0;
    const walking = setInterval(() => bot.sendInput({ clientTick: ++clientTick, dx: 0, dz: -1, yaw: 0, jump: false }), 50);
    try {
      await until(() => bot.view?.entities.find((e) => e.name === `Botty${suffix}` && e.z < start.z - 1), 'the bot moving north');
      await telnet.waitFor(new RegExp(`Botty${suffix} leaves north\\.`));
      await until(() => events.find((e) => e.t === 'room' && e.name === "Weavers' Lane"), "the room change to Weavers' Lane");
    } finally {
      clearInterval(walking);
    }
  } finally {
    clearInterval(ticker);
    bot.close();
    telnet.close();
  }
}
