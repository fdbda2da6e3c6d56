// How a place and the things in it read: the text a player sees, and the room as gateways show it (a MUD
// client's map, a 3D client's walls and doorways).
import type { RoomInfo } from '@loom/proto';
import type { Game } from './game.ts';
import { escapeMarkup } from '@loom/world';
import { label, type WorldObj } from './model.ts';
import { doorwayOf, roomGeometry } from './space.ts';

/** The first name of an exit is its direction word ("north" of "north;n"). */
function exitWord(exit: WorldObj): string {
  return exit.name.toLowerCase();
}

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export function describeRoom(game: Game, viewer: WorldObj, room: WorldObj): string {
  const withIds = game.showsIds(viewer);
  const lines = [`{c}{B}${escapeMarkup(label(room, withIds))}{x}`];
  if (room.description) lines.push(escapeMarkup(room.description));
  const visible = game.visibleIn(room.id, viewer);
  const people = visible.filter((o) => o.kind === 'player');
  const things = visible.filter((o) => o.kind === 'thing');
  if (people.length) lines.push(`{g}${listNames(people.map((p) => escapeMarkup(label(p, withIds))))} ${people.length === 1 ? 'is' : 'are'} here.{x}`);
  if (things.length) lines.push(`{y}You see ${listNames(things.map((t) => escapeMarkup(label(t, withIds))))}.{x}`);
  const exits = game.exitsOf(room.id).filter((e) => !e.flags.has('dark'));
  lines.push(exits.length ? `{w}Exits: ${exits.map((e) => escapeMarkup(exitWord(e))).join(', ')}{x}` : '{w}There is no way out.{x}');
  return lines.join('\n');
}

export function describeObject(game: Game, viewer: WorldObj, object: WorldObj): string {
  const lines = [`{B}${escapeMarkup(label(object, game.showsIds(viewer)))}{x}`];
  lines.push(object.description ? escapeMarkup(object.description) : 'You see nothing special.');
  if (object.kind === 'player') {
    const carried = game.world.contentsOf(object.id).filter((o) => o.kind === 'thing');
    if (carried.length) lines.push(`Carrying: ${listNames(carried.map((c) => escapeMarkup(c.name)))}.`);
    if (!game.sessions.isOnline(object.id)) lines.push(`${escapeMarkup(object.name)} is asleep.`);
  }
  return lines.join('\n');
}

/** The room a player is in: its exits (with the rooms they lead to) and its box with the doorways in its walls. */
export function roomInfo(game: Game, room: WorldObj): RoomInfo {
  const all = game.exitsOf(room.id);
  return {
    id: room.id,
    name: room.name,
    zone: typeof room.attributes.area === 'string' ? room.attributes.area : game.options.worldName,
    environment: typeof room.attributes.environment === 'string' ? room.attributes.environment : 'indoors',
    size: roomGeometry(room).size,
    exits: all.map((exit) => ({ id: exit.id, name: exit.name, destinationId: exit.destinationId, dark: exit.flags.has('dark'), doorway: doorwayOf(exit, room, all) })),
  };
}
