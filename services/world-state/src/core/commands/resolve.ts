// Name lookups shared by commands, with the answers players expect when a name finds nothing or too much.
import type { WorldObj } from '../model.ts';
import { matchObject, whichOne } from '../match.ts';
import type { CommandContext } from './command.ts';

/** Finds one of the candidates or tells the actor why not; `missing` is the "not found" answer. */
export function findOne(context: CommandContext, text: string, candidates: WorldObj[], missing: string): WorldObj | undefined {
  const match = matchObject(text, candidates);
  if ('found' in match) return match.found;
  context.reply('ambiguous' in match ? whichOne(match.ambiguous) : missing);
  return undefined;
}

/** What the actor can point at here: itself, its room, what is in the room, what it carries. */
export function nearby(context: CommandContext): WorldObj[] {
  const { game, actor } = context;
  const room = game.room(actor);
  const here = room ? [room, ...game.world.contentsOf(room.id).filter((o) => o.id !== actor.id && (o.kind !== 'player' || game.sessions.isOnline(o.id)))] : [];
  return [actor, ...here, ...game.world.contentsOf(actor.id)];
}

/** Resolves "me" and "here" before matching names. */
export function findNearby(context: CommandContext, text: string): WorldObj | undefined {
  const word = text.trim().toLowerCase();
  if (word === 'me') return context.actor;
  if (word === 'here') {
    const room = context.game.room(context.actor);
    if (!room) context.reply('You are nowhere.');
    return room;
  }
  return findOne(context, text, nearby(context), "You don't see that here.");
}

/** Connected characters anywhere, by name. */
export function findOnline(context: CommandContext, name: string): WorldObj | undefined {
  const online = context.game.sessions.all().map((s) => context.game.world.get(s.playerId)!).filter(Boolean);
  return findOne(context, name, online, `Nobody called "${name}" is connected.`);
}
