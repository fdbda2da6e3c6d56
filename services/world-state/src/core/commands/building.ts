// Building the world from inside: digging rooms, opening and linking exits, creating and naming things.
import type { WorldObj } from '../model.ts';
import { canLinkTo } from '../permissions.ts';
import type { Command, CommandContext } from './command.ts';
import { splitAssignment } from './command.ts';
import { findModifiable, findTarget, ref, splitExitName, validName } from './build-targets.ts';

function openExit(context: CommandContext, from: WorldObj, spec: string, to: WorldObj): WorldObj | undefined {
  const { name, aliases } = splitExitName(spec);
  const problem = validName(name);
  if (problem) {
    context.reply(problem);
    return undefined;
  }
  return context.game.world.create({ name, aliases, kind: 'exit', locationId: from.id, destinationId: to.id, ownerId: context.actor.id });
}

const dig: Command = {
  name: '@dig',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@dig <room>', '@dig <room>=<exit there>[,<exit back>]'],
  help: 'Makes a new room. With exits, also opens a way there from here and, if given, a way back: "@dig Cellar=down;d,up;u".',
  run(context) {
    const { game, actor } = context;
    const [name, exits] = splitAssignment(context.args) ?? [context.args.trim(), ''];
    const problem = validName(name) ?? game.takenByPlayer(name);
    if (problem) return context.reply(problem);
    const [there = '', back = ''] = exits.split(',').map((e) => e.trim());
    const here = game.room(actor);
    if (there && (!here || !canLinkTo(context.session.role, actor, here))) return context.reply("You can only open exits from rooms you own; the room was not dug.");
    const over = game.overQuota(actor, 1 + (there ? 1 : 0) + (back ? 1 : 0));
    if (over) return context.reply(`${over}; the room was not dug.`);
    const room = game.world.create({ name, kind: 'room', ownerId: actor.id, attributes: { area: here?.attributes.area ?? game.options.worldName } });
    context.reply(`Dug ${ref(room)}.`);
    if (there && here) {
      const exit = openExit(context, here, there, room);
      if (exit) context.reply(`Opened ${ref(exit)} from here to ${room.name}.`);
    }
    if (back && here) {
      const exit = openExit(context, room, back, here);
      if (exit) context.reply(`Opened ${ref(exit)} from ${room.name} back here.`);
    }
  },
};

const open: Command = {
  name: '@open',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@open <exit>=<room>', '@open <exit>'],
  help: 'Opens an exit from this room, to a room given by #id (or unlinked, to @link later). "@open north;n=#42".',
  run(context) {
    const { game, actor } = context;
    const [spec, where] = splitAssignment(context.args) ?? [context.args.trim(), ''];
    const here = game.room(actor);
    if (!here || !findModifiable(context, 'here')) return;
    const to = where ? findTarget(context, where) : undefined;
    if (where && !to) return;
    if (to && to.kind !== 'room') return context.reply(`${ref(to)} is not a room.`);
    if (to && !canLinkTo(context.session.role, actor, to)) return context.reply(`${ref(to)} is not yours and not public: you cannot link to it.`);
    const { name, aliases } = splitExitName(spec);
    const problem = validName(name) ?? game.overQuota(actor);
    if (problem) return context.reply(problem);
    const exit = game.world.create({ name, aliases, kind: 'exit', locationId: here.id, destinationId: to?.id ?? 0, ownerId: actor.id });
    context.reply(to ? `Opened ${ref(exit)} to ${ref(to)}.` : `Opened ${ref(exit)}, leading nowhere yet: "@link ${exit.name}=<room>".`);
  },
};

const link: Command = {
  name: '@link',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@link <exit>=<room>'],
  help: 'Points an exit you own at a room (yours, or a public one).',
  run(context) {
    const parts = splitAssignment(context.args);
    if (!parts) return context.reply('Type "@link <exit>=<room>".');
    const exit = findModifiable(context, parts[0]);
    if (!exit) return;
    if (exit.kind !== 'exit') return context.reply(`${ref(exit)} is not an exit.`);
    const to = findTarget(context, parts[1]);
    if (!to) return;
    if (to.kind !== 'room') return context.reply(`${ref(to)} is not a room.`);
    if (!canLinkTo(context.session.role, context.actor, to)) return context.reply(`${ref(to)} is not yours and not public: you cannot link to it.`);
    exit.destinationId = to.id;
    context.game.world.touch(exit);
    context.reply(`${ref(exit)} now leads to ${ref(to)}.`);
  },
};

const unlink: Command = {
  name: '@unlink',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@unlink <exit>'],
  help: 'Makes an exit you own lead nowhere.',
  run(context) {
    const exit = findModifiable(context, context.args);
    if (!exit) return;
    if (exit.kind !== 'exit') return context.reply(`${ref(exit)} is not an exit.`);
    exit.destinationId = 0;
    context.game.world.touch(exit);
    context.reply(`${ref(exit)} now leads nowhere.`);
  },
};

const create: Command = {
  name: '@create',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@create <thing>'],
  help: 'Makes a new thing, in your hands. Describe it with @describe, drop it where it belongs.',
  run(context) {
    const name = context.args.trim();
    const problem = validName(name) ?? context.game.takenByPlayer(name) ?? context.game.overQuota(context.actor);
    if (problem) return context.reply(problem);
    const thing = context.game.world.create({ name, kind: 'thing', locationId: context.actor.id, ownerId: context.actor.id });
    context.reply(`Created ${ref(thing)}. It is in your hands.`);
  },
};

const describe: Command = {
  name: '@describe',
  aliases: ['@desc'],
  group: 'building',
  role: 'player',
  syntax: ['@describe <object>=<text>'],
  help: 'Sets what people see when they look at something you own (anyone may describe themselves: "@describe me=...").',
  run(context) {
    const parts = splitAssignment(context.args);
    if (!parts) return context.reply('Type "@describe <object>=<text>".');
    const target = findModifiable(context, parts[0]);
    if (!target) return;
    if (parts[1].length > 4000) return context.reply('A description has at most 4000 characters.');
    target.description = parts[1];
    context.game.world.touch(target);
    context.reply(`Described ${ref(target)}.`);
  },
};

const rename: Command = {
  name: '@name',
  aliases: ['@rename'],
  group: 'building',
  role: 'builder',
  syntax: ['@name <object>=<new name>', '@name <exit>=<name>;<alias>;<alias>'],
  help: 'Renames something you own; exits take their aliases after semicolons.',
  run(context) {
    const parts = splitAssignment(context.args);
    if (!parts) return context.reply('Type "@name <object>=<new name>".');
    const target = findModifiable(context, parts[0]);
    if (!target) return;
    if (target.kind === 'player') return context.reply("A character's name is its account's name.");
    const { name, aliases } = target.kind === 'exit' ? splitExitName(parts[1]) : { name: parts[1].trim(), aliases: target.aliases };
    const problem = validName(name) ?? context.game.takenByPlayer(name);
    if (problem) return context.reply(problem);
    const old = ref(target);
    target.name = name;
    target.aliases = aliases;
    context.game.world.touch(target);
    context.reply(`${old} is now called ${target.name}.`);
  },
};

export const buildingCommands: Command[] = [dig, open, link, unlink, create, describe, rename];
