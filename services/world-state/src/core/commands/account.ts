// The player's own account and connection: leaving, colour, password.
import type { Command } from './command.ts';
import { splitAssignment } from './command.ts';

const quit: Command = {
  name: 'quit',
  aliases: ['QUIT', 'logout'],
  group: 'account',
  role: 'player',
  syntax: ['quit'],
  help: 'Leaves the world and closes the connection. Your character and what it carries stay where they are.',
  run(context) {
    const { game, actor, session } = context;
    game.disconnect(session, `Goodbye, ${game.nameOf(actor)}. Come back soon!`);
    game.tellRoom(actor.locationId, `${game.nameOf(actor)} has left the world.`);
  },
};

const colour: Command = {
  name: '@colour',
  aliases: ['@color'],
  group: 'account',
  role: 'player',
  syntax: ['@colour on', '@colour off'],
  help: 'Turns ANSI colour on or off for you. The choice is kept with your character.',
  run(context) {
    const { game, actor, args } = context;
    const wanted = args.toLowerCase();
    if (wanted !== 'on' && wanted !== 'off') return context.reply(`Colour is ${actor.attributes.colour === false ? 'off' : 'on'}. "@colour on" or "@colour off" changes it.`);
    actor.attributes.colour = wanted === 'on';
    game.world.touch(actor);
    game.sendSettings(actor);
    context.reply(wanted === 'on' ? 'Colour is {g}on{x}.' : 'Colour is off.');
  },
};

const password: Command = {
  name: '@password',
  aliases: [],
  group: 'account',
  role: 'player',
  syntax: ['@password <current password>=<new password>'],
  help: 'Changes your password (at least 8 characters). Your other connections are logged out; this one stays.',
  async run(context) {
    const parts = splitAssignment(context.args);
    if (!parts || !parts[0] || !parts[1]) return context.reply('Type "@password <current password>=<new password>".');
    await context.game.options.account.changePassword(context.session.accessToken, parts[0], parts[1]);
    context.reply('Your password has been changed.');
  },
};

export const accountCommands: Command[] = [quit, colour, password];
