// Looking, moving and handling things.
import { describeObject } from '../describe.ts';
import { lockRefusal } from '../locks.ts';
import { showRoom, walk } from '../movement.ts';
import { gatewayLabel } from '../sessions.ts';
import type { Command } from './command.ts';
import { findNearby, findOne } from './resolve.ts';

const look: Command = {
  name: 'look',
  aliases: ['l'],
  group: 'general',
  role: 'player',
  syntax: ['look', 'look <thing or person>'],
  help: 'Shows where you are: the place, who and what is here, the ways out. With a name, looks at that.',
  run(context) {
    const { game, actor, args } = context;
    if (!args) return showRoom(game, actor);
    const target = findNearby(context, args);
    if (!target) return;
    context.reply(describeObject(game, actor, target));
    if (target.id !== actor.id) game.scripting?.fire('on_examine', target, { actor });
  },
};

const use: Command = {
  name: 'use',
  aliases: [],
  group: 'general',
  role: 'player',
  syntax: ['use <thing>'],
  help: 'Uses something here or in your hands: a lever, a door, a bell. What happens is up to its builder.',
  run(context) {
    const { game, actor, args } = context;
    if (!args) return context.reply('Use what?');
    const target = findNearby(context, args);
    if (!target) return;
    if (!game.scripting?.handlers.get(target.id, 'on_use')) return context.reply(`You can't think of a way to use ${game.nameOf(target)}.`);
    const refusal = lockRefusal(target, game.lockSubject(actor, context.session.role), `${game.nameOf(target)} does not respond to you.`, 'use');
    if (refusal) return context.reply(refusal);
    game.scripting.fire('on_use', target, { actor, item: target });
  },
};

const examine: Command = {
  name: 'examine',
  aliases: ['ex', 'exa'],
  group: 'general',
  role: 'player',
  syntax: ['examine <thing or person>'],
  help: 'Looks closely: the description, and for builders and admins the id, kind, owner and flags.',
  run(context) {
    const { game, actor, args } = context;
    const target = findNearby(context, args || 'here');
    if (!target) return;
    const lines = [describeObject(game, actor, target)];
    if (target.id !== actor.id) game.scripting?.fire('on_examine', target, { actor });
    if (game.showsIds(actor) || target.ownerId === actor.id) {
      const owner = game.world.get(target.ownerId);
      lines.push(`Kind: ${target.kind}. Owner: ${owner ? `${owner.name} (#${owner.id})` : 'nobody'}. Flags: ${[...target.flags].join(' ') || 'none'}.`);
      if (target.aliases.length) lines.push(`Aliases: ${target.aliases.join(', ')}.`);
    }
    context.reply(lines.join('\n'));
  },
};

const go: Command = {
  name: 'go',
  aliases: ['walk', 'move'],
  group: 'general',
  role: 'player',
  syntax: ['go <exit>', '<exit>', 'n s e w ne nw se sw u d'],
  help: 'Leaves by an exit. Typing the exit\'s name or alias alone ("north", "n") does the same.',
  run(context) {
    const { game, actor, args } = context;
    if (!args) return context.reply('Go where? Type "look" to see the ways out.');
    const exit = findOne(context, args, game.exitsOf(actor.locationId), "You can't go that way.");
    if (exit) walk(game, actor, exit);
  },
};

const inventory: Command = {
  name: 'inventory',
  aliases: ['i', 'inv'],
  group: 'general',
  role: 'player',
  syntax: ['inventory'],
  help: 'Lists what you carry.',
  run(context) {
    const carried = context.game.world.contentsOf(context.actor.id);
    context.reply(carried.length ? `You are carrying:\n${carried.map((c) => `  ${context.game.nameOf(c)}`).join('\n')}` : 'You are carrying nothing.');
  },
};

const get: Command = {
  name: 'get',
  aliases: ['take', 'pick'],
  group: 'general',
  role: 'player',
  syntax: ['get <thing>'],
  help: 'Picks something up from the floor.',
  run(context) {
    const { game, actor } = context;
    const what = context.args.replace(/^up\s+/i, '');
    if (!what) return context.reply('Get what?');
    const here = game.world.contentsOf(actor.locationId).filter((o) => o.kind !== 'exit' && o.id !== actor.id);
    const thing = findOne(context, what, here, "You don't see that here.");
    if (!thing) return;
    if (thing.kind !== 'thing' || thing.flags.has('fixed')) return context.reply(`You can't take ${game.nameOf(thing)}.`);
    const refusal = lockRefusal(thing, game.lockSubject(actor, context.session.role), `You can't take ${game.nameOf(thing)}: it is locked.`, 'get');
    if (refusal) return context.reply(refusal);
    game.world.move(thing, actor.id);
    context.reply(`You pick up ${game.nameOf(thing)}.`);
    game.tellRoom(actor.locationId, `${game.nameOf(actor)} picks up ${game.nameOf(thing)}.`, [actor.id]);
  },
};

const drop: Command = {
  name: 'drop',
  aliases: [],
  group: 'general',
  role: 'player',
  syntax: ['drop <thing>'],
  help: 'Puts down something you carry.',
  run(context) {
    const { game, actor, args } = context;
    if (!args) return context.reply('Drop what?');
    const thing = findOne(context, args, game.world.contentsOf(actor.id), "You aren't carrying that.");
    if (!thing) return;
    const subject = game.lockSubject(actor, context.session.role);
    const room = game.world.get(actor.locationId);
    const refusal =
      lockRefusal(thing, subject, `You can't put ${game.nameOf(thing)} down.`, 'drop') ??
      (room ? lockRefusal(room, subject, `You can't leave things here.`, 'drop') : undefined);
    if (refusal) return context.reply(refusal);
    game.world.move(thing, actor.locationId);
    context.reply(`You drop ${game.nameOf(thing)}.`);
    game.tellRoom(actor.locationId, `${game.nameOf(actor)} drops ${game.nameOf(thing)}.`, [actor.id]);
  },
};

const give: Command = {
  name: 'give',
  aliases: [],
  group: 'general',
  role: 'player',
  syntax: ['give <thing> to <name>', 'give <name>=<thing>'],
  help: 'Hands something you carry to someone in the same place.',
  run(context) {
    const { game, actor, args } = context;
    const parts = /^(.+?)\s+to\s+(.+)$/i.exec(args) ?? (/^(.+?)=(.+)$/.exec(args) ? [args, args.split('=')[1]!, args.split('=')[0]!] : undefined);
    if (!parts) return context.reply('Give what to whom? Try "give ball to Bob".');
    const thing = findOne(context, parts[1]!.trim(), game.world.contentsOf(actor.id), "You aren't carrying that.");
    if (!thing) return;
    const people = game.playersIn(actor.locationId).filter((p) => p.id !== actor.id);
    const to = findOne(context, parts[2]!.trim(), people, `Nobody called "${parts[2]!.trim()}" is here.`);
    if (!to) return;
    const refusal = lockRefusal(thing, game.lockSubject(actor, context.session.role), `You can't give ${game.nameOf(thing)} away.`, 'give');
    if (refusal) return context.reply(refusal);
    game.world.move(thing, to.id);
    context.reply(`You give ${game.nameOf(thing)} to ${game.nameOf(to)}.`);
    game.tell(to, `${game.nameOf(actor)} gives you ${game.nameOf(thing)}.`);
    game.tellRoom(actor.locationId, `${game.nameOf(actor)} gives ${game.nameOf(thing)} to ${game.nameOf(to)}.`, [actor.id, to.id]);
  },
};

function idle(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

const who: Command = {
  name: 'who',
  aliases: [],
  group: 'general',
  role: 'player',
  syntax: ['who'],
  help: 'Lists who is connected, how long they have been on and idle; admins also see where they are.',
  run(context) {
    const { game, actor } = context;
    const admin = game.roleOf(actor) === 'admin';
    const now = game.now();
    const rows = game.sessions.all().map((s) => {
      const player = game.world.get(s.playerId)!;
      const where = admin ? `  ${game.room(player)?.name ?? 'nowhere'} (${gatewayLabel(s.gateway)} ${s.clientAddress})` : '';
      return `  ${game.nameOf(player).padEnd(20)} ${idle(now - s.connectedAtMs).padStart(5)} ${idle(now - s.lastCommandAtMs).padStart(5)}${where}`;
    });
    context.reply([`{B}  ${'Name'.padEnd(20)}    On  Idle{x}`, ...rows, `${rows.length} connected.`].join('\n'));
  },
};

export const generalCommands: Command[] = [look, examine, use, go, inventory, get, drop, give, who];
