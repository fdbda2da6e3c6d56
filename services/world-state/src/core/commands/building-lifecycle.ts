// Destroying (with a confirmation, recoverable by an admin) and looking at everything an object holds.
import { roleAtLeast } from '@loom/world';
import { place } from '../movement.ts';
import type { WorldObj } from '../model.ts';
import type { Command, CommandContext } from './command.ts';
import { findModifiable, findTarget, ref } from './build-targets.ts';

function destroyObject(context: CommandContext, target: WorldObj): void {
  const { game } = context;
  const refuge = game.world.startRoom();
  for (const inside of game.world.contentsOf(target.id)) {
    if (inside.kind === 'exit') continue; // a room's exits go with it and come back with it
    if (inside.kind === 'player' && refuge) place(game, inside, refuge.id, `${game.nameOf(inside)} tumbles in, looking dazed.`);
    else if (refuge) game.world.move(inside, refuge.id);
  }
  target.attributes.destroyed_from = target.locationId;
  target.flags.add('destroyed');
  if (target.kind !== 'room') game.world.move(target, 0);
  else game.world.touch(target);
}

const destroy: Command = {
  name: '@destroy',
  aliases: ['@nuke'],
  group: 'building',
  role: 'builder',
  syntax: ['@destroy <object>', '@destroy/confirm <object>'],
  help: 'Destroys something you own, after you confirm. People and things inside go to the start room. An admin can @recover it.',
  run(context) {
    const target = findModifiable(context, context.args);
    if (!target) return;
    if (target.kind === 'player') return context.reply('Characters are removed with their accounts, not destroyed.');
    if (target.flags.has('start')) return context.reply('The start room cannot be destroyed.');
    if (!context.switches.includes('confirm')) return context.reply(`Are you sure? Type "@destroy/confirm #${target.id}" to destroy ${ref(target)}.`);
    destroyObject(context, target);
    context.reply(`Destroyed ${ref(target)}. An admin can bring it back with "@recover #${target.id}".`);
  },
};

const recover: Command = {
  name: '@recover',
  aliases: [],
  group: 'building',
  role: 'admin',
  syntax: ['@recover #<id>'],
  help: 'Brings back a destroyed object where it was (or into your hands if that place is gone).',
  run(context) {
    const { game, actor } = context;
    const target = findTarget(context, context.args, { destroyed: true });
    if (!target) return;
    target.flags.delete('destroyed');
    const from = Number(target.attributes.destroyed_from ?? 0);
    delete target.attributes.destroyed_from;
    const home = game.world.get(from);
    if (target.kind !== 'room') game.world.move(target, home && !home.flags.has('destroyed') ? home.id : actor.id);
    else game.world.touch(target);
    context.reply(`Recovered ${ref(target)}.`);
  },
};

const examineFully: Command = {
  name: '@examine',
  aliases: ['@ex'],
  group: 'building',
  role: 'builder',
  syntax: ['@examine <object>'],
  help: 'Everything about something you own (admins: anything; anyone: public things): owner, flags, attributes, lock, contents, exits, scripts.',
  async run(context) {
    const { game, actor } = context;
    const target = findTarget(context, context.args || 'here');
    if (!target) return;
    const mine = roleAtLeast(context.session.role, 'admin') || target.ownerId === actor.id || target.id === actor.id;
    if (!mine && !target.flags.has('public')) return context.reply(`${ref(target)} is not yours and not public.`);
    const owner = game.world.get(target.ownerId);
    const lines = [
      `{B}${ref(target)}{x}  ${target.kind}, owned by ${owner ? ref(owner) : 'nobody'}`,
      `Flags: ${[...target.flags].sort().join(' ') || 'none'}`,
      `Description: ${target.description || '(none)'}`,
    ];
    if (target.aliases.length) lines.push(`Aliases: ${target.aliases.join(', ')}`);
    if (target.kind === 'exit') lines.push(`Leads to: ${target.destinationId ? ref(game.world.get(target.destinationId) ?? ({ id: target.destinationId, name: '?' } as WorldObj)) : 'nowhere'}`);
    const location = game.world.get(target.locationId);
    lines.push(`Location: ${location ? ref(location) : 'nowhere'}`);
    const attributes = Object.entries(target.attributes).filter(([name]) => !['userId', 'channels'].includes(name));
    for (const [name, value] of attributes) lines.push(`  ${name} = ${JSON.stringify(value)}`);
    const inside = game.world.contentsOf(target.id);
    if (inside.length) lines.push(`Contents: ${inside.map(ref).join(', ')}`);
    const scripts = await game.scripts.events(target.id);
    lines.push(scripts.length ? `Scripts: ${scripts.map((s) => `${s.event} (v${s.version})`).join(', ')}` : 'Scripts: none');
    context.reply(lines.join('\n'));
  },
};

export const lifecycleCommands: Command[] = [destroy, recover, examineFully];
