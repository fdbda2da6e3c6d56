// Moving characters between rooms, with what the rooms on both sides are told.
import { describeRoom, roomInfo } from './describe.ts';
import type { Game } from './game.ts';
import { lockRefusal } from './locks.ts';
import { standIn } from './space.ts';
import type { WorldObj } from './model.ts';

/** Shows the room to the player: its text, and the room's info for clients that map or draw it. */
export function showRoom(game: Game, player: WorldObj): void {
  const room = game.room(player);
  if (!room) return game.tell(player, 'You are nowhere. Ask an admin to @teleport you somewhere.');
  game.tell(player, describeRoom(game, player, room));
  game.send(player, { room: roomInfo(game, room) });
}

/** The exit of `room` that leads back to `from`, to say where someone arrives from. */
function wayBack(game: Game, room: WorldObj, from: number): WorldObj | undefined {
  return game.exitsOf(room.id).find((e) => e.destinationId === from);
}

export function walk(game: Game, player: WorldObj, exit: WorldObj): void {
  const destination = game.world.get(exit.destinationId);
  if (!destination || destination.kind !== 'room') return game.tell(player, `The way ${exit.name} leads nowhere.`);
  if (destination.flags.has('destroyed')) return game.tell(player, `The way ${exit.name} leads nowhere.`);
  const subject = game.lockSubject(player);
  const refusal = lockRefusal(exit, subject, `The way ${exit.name} is locked.`, 'enter') ?? lockRefusal(destination, subject, `You can't go into ${destination.name}.`, 'enter');
  if (refusal) return game.tell(player, refusal);
  const from = player.locationId;
  const origin = game.world.get(from);
  const name = game.nameOf(player);
  game.tellRoom(from, `${name} leaves ${exit.name}.`, [player.id]);
  game.world.move(player, destination.id);
  const back = wayBack(game, destination, from);
  standIn(game.components, player, destination, game.exitsOf(destination.id), back);
  game.tellRoom(destination.id, back ? `${name} arrives from the ${back.name}.` : `${name} arrives.`, [player.id]);
  showRoom(game, player);
  if (origin) game.scripting?.fireAround('on_leave', origin, { actor: player, from: origin, to: destination });
  game.scripting?.fireAround('on_enter', destination, { actor: player, from: origin, to: destination });
}

/** Moves without walking (teleport, connect): the rooms see an appearance, not a departure by an exit. */
export function place(game: Game, player: WorldObj, roomId: number, arrival: string, departure?: string): void {
  const from = player.locationId;
  if (departure && from !== roomId) game.tellRoom(from, departure, [player.id]);
  if (from !== roomId) game.world.move(player, roomId);
  const target = game.world.get(roomId);
  if (target && (from !== roomId || !game.components.get(player, 'transform'))) standIn(game.components, player, target, game.exitsOf(roomId));
  game.tellRoom(roomId, arrival, [player.id]);
  showRoom(game, player);
  if (target && from !== roomId) game.scripting?.fireAround('on_enter', target, { actor: player, from: game.world.get(from), to: target });
}
