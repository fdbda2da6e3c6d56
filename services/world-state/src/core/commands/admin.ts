// The admin's tools: speak to all, remove someone, move anything anywhere, stop the world.
import { place } from '../movement.ts';
import { escapeMarkup } from '@loom/world';
import type { Command } from './command.ts';
import { splitAssignment } from './command.ts';
import { findOne, findOnline, nearby } from './resolve.ts';

const announce: Command = {
  name: '@announce',
  aliases: ['@wall'],
  group: 'admin',
  role: 'admin',
  syntax: ['@announce <message>'],
  help: 'Tells everyone connected.',
  run(context) {
    if (!context.args) return context.reply('Announce what?');
    context.game.announce(`{r}{B}Announcement from ${context.game.nameOf(context.actor)}:{x} ${escapeMarkup(context.args)}`);
  },
};

const boot: Command = {
  name: '@boot',
  aliases: [],
  group: 'admin',
  role: 'admin',
  syntax: ['@boot <name>[=<reason>]'],
  help: 'Disconnects someone. Their account stays as it is (ban it through the admin API to keep them out).',
  run(context) {
    const { game } = context;
    const [name, reason] = splitAssignment(context.args) ?? [context.args, ''];
    if (!name) return context.reply('Boot whom?');
    const target = findOnline(context, name);
    if (!target) return;
    if (target.id === context.actor.id) return context.reply('You cannot boot yourself; use quit.');
    game.disconnect(game.sessionOf(target)!, `You have been booted by ${game.nameOf(context.actor)}${reason ? `: ${escapeMarkup(reason)}` : '.'}`);
    game.tellRoom(target.locationId, `${game.nameOf(target)} has been removed from the world.`);
    context.reply(`You boot ${game.nameOf(target)}.`);
  },
};

const teleport: Command = {
  name: '@teleport',
  aliases: ['@tel', '@tp'],
  group: 'admin',
  role: 'admin',
  syntax: ['@teleport <room>', '@teleport <object>=<room>', '@teleport <person>=here'],
  help: 'Moves you, or an object or person, to a room given by #id or by name ("here" is where you are).',
  run(context) {
    const { game, actor } = context;
    const [what, where] = splitAssignment(context.args) ?? ['me', context.args];
    if (!where) return context.reply('Teleport where? "@teleport #12" or "@teleport Bob=#12".');
    const rooms = [...game.world.all()].filter((o) => o.kind === 'room' && !o.flags.has('destroyed'));
    const room = where.toLowerCase() === 'here' ? game.room(actor) : findOne(context, where, rooms, `There is no room "${where}".`);
    if (!room) return;
    const online = game.sessions.all().map((s) => game.world.get(s.playerId)!);
    const subject = what.toLowerCase() === 'me' ? actor : findOne(context, what, [...online, ...nearby(context)], `You don't see "${what}" here or online.`);
    if (!subject) return;
    if (subject.kind === 'room') return context.reply('Rooms stay where they are.');
    const name = game.nameOf(subject);
    if (subject.kind === 'player') place(game, subject, room.id, `${name} appears out of thin air.`, `${name} vanishes.`);
    else game.world.move(subject, room.id);
    if (subject.id !== actor.id) context.reply(`You teleport ${name} to ${game.nameOf(room)}.`);
  },
};

const shutdown: Command = {
  name: '@shutdown',
  aliases: [],
  group: 'admin',
  role: 'admin',
  syntax: ['@shutdown [reason]'],
  help: 'Saves the world and stops the server gracefully; everyone is told first.',
  run(context) {
    const reason = context.args || 'maintenance';
    context.game.announce(`{r}{B}The world is shutting down (${escapeMarkup(reason)}), by ${context.game.nameOf(context.actor)}.{x}`);
    context.game.options.requestShutdown(reason);
  },
};

export const adminCommands: Command[] = [announce, boot, teleport, shutdown];
