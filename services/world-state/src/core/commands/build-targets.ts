// Finding what a builder means: `#12` anywhere, `here`, `me`, or a name nearby; and checking they may change it.
import { canModify } from '../permissions.ts';
import type { WorldObj } from '../model.ts';
import type { CommandContext } from './command.ts';
import { findNearby } from './resolve.ts';

/** An object by #id (anywhere) or by name nearby; destroyed objects only for admins' @recover. */
export function findTarget(context: CommandContext, text: string, options: { destroyed?: boolean } = {}): WorldObj | undefined {
  const trimmed = text.trim();
  if (/^#\d+$/.test(trimmed)) {
    const object = context.game.world.get(Number(trimmed.slice(1)));
    if (!object || object.flags.has('destroyed') !== Boolean(options.destroyed)) {
      context.reply(`There is no ${options.destroyed ? 'destroyed ' : ''}object ${trimmed}.`);
      return undefined;
    }
    return object;
  }
  if (!trimmed) {
    context.reply('Which object? Give a name here, "here", "me" or an #id.');
    return undefined;
  }
  return findNearby(context, trimmed);
}

/** The target, if the actor may change it; otherwise says why not. */
export function findModifiable(context: CommandContext, text: string): WorldObj | undefined {
  const target = findTarget(context, text);
  if (!target) return undefined;
  if (!canModify(context.session.role, context.actor, target)) {
    context.reply(`You don't own ${context.game.nameOf(target)}.`);
    return undefined;
  }
  return target;
}

/** `north;n` -> name "north", aliases ["n"]. */
export function splitExitName(text: string): { name: string; aliases: string[] } {
  const [name = '', ...aliases] = text.split(';').map((part) => part.trim()).filter(Boolean);
  return { name, aliases };
}

/** Object names: 1-60 characters, no control characters, no leading # or markup brace. */
export function validName(name: string): string | undefined {
  if (name.length < 1 || name.length > 60) return 'A name has 1 to 60 characters.';
  if (/^[#*]/.test(name)) return 'A name cannot start with # or *.';
  if (['me', 'here'].includes(name.toLowerCase())) return `"${name}" is a word the parser keeps for itself.`;
  return undefined;
}

export const ref = (object: WorldObj) => `${object.name} (#${object.id})`;
