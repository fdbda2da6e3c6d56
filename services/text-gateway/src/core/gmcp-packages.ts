// The world's events in GMCP's shapes, as MUD clients read them (Mudlet's mapper, TinTin++'s scripts).
import type { ChatLine, RoomInfo, Vitals } from '@loom/proto';

/** Room.Info: num, name, area, environment, exits {direction: room number}; dark exits are not listed. */
export function roomInfoPackage(room: RoomInfo): Record<string, unknown> {
  const exits: Record<string, number> = {};
  for (const exit of room.exits) if (!exit.dark) exits[exit.name.toLowerCase()] = exit.destinationId;
  return { num: room.id, name: room.name, area: room.zone, environment: room.environment, exits };
}

/** Char.Vitals' names for the vitals, in the order clients list them. */
const vitalNames: Array<[keyof Vitals, string]> = [['hp', 'hp'], ['maxHp', 'maxhp'], ['mp', 'mp'], ['maxMp', 'maxmp'], ['mv', 'mv'], ['maxMv', 'maxmv']];

/** Char.Vitals: each vital the character has, as a string ({"hp": "7", "maxhp": "10"}). */
export function vitalsPackage(vitals: Vitals): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [field, name] of vitalNames) {
    const value = vitals[field];
    if (value !== undefined) values[name] = String(value);
  }
  return values;
}

/** Comm.Channel.Text: channel, talker, text. */
export function channelTextPackage(line: ChatLine): Record<string, string> {
  return { channel: line.channel, talker: line.senderName, text: line.text };
}
