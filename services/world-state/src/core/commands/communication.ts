// Talking: in the room, to one person, across the world. Every line passes chat-service (filter, flood, mutes, history).
import { privateChannel, roomChannel } from '../game.ts';
import { escapeMarkup } from '@loom/world';
import { lockRefusal } from '../locks.ts';
import type { Command, CommandContext } from './command.ts';
import { splitAssignment } from './command.ts';
import { findOne, findOnline } from './resolve.ts';

/** A room's speech lock decides who may say or pose there; the refused read why. */
function maySpeakHere(context: CommandContext): boolean {
  const room = context.game.room(context.actor);
  const refusal = room && lockRefusal(room, context.game.lockSubject(context.actor, context.session.role), 'Your voice does not carry here.', 'speech');
  if (refusal) context.reply(refusal);
  return !refusal;
}

const say: Command = {
  name: 'say',
  aliases: ["'", '"'],
  group: 'communication',
  role: 'player',
  syntax: ['say <message>', "'<message>"],
  help: 'Says something to everyone in the same place.',
  async run(context) {
    const { game, actor, args } = context;
    if (!args) return context.reply('Say what?');
    if (!maySpeakHere(context)) return;
    const text = escapeMarkup(await game.chat.post(roomChannel(actor.locationId), actor, args));
    context.reply(`You say, "${text}"`);
    game.tellRoom(actor.locationId, `${game.nameOf(actor)} says, "${text}"`, [actor.id]);
    const room = game.room(actor);
    if (room) game.scripting?.fireAround('on_say', room, { actor, text: args });
    if (room) game.scripting?.heard(room, `${actor.name} says, "${args}"`, actor);
  },
};

const pose: Command = {
  name: 'pose',
  aliases: ['emote', ':', ';'],
  group: 'communication',
  role: 'player',
  syntax: ['pose <action>', ':<action>', ';<action> (no space after your name)'],
  help: 'Shows everyone here an action: ":waves." shows "Ada waves.".',
  async run(context) {
    const { game, actor, args, verb } = context;
    if (!args) return context.reply('Pose what?');
    if (!maySpeakHere(context)) return;
    const action = await game.chat.post(roomChannel(actor.locationId), actor, args);
    const text = `${game.nameOf(actor)}${verb === ';' ? '' : ' '}${escapeMarkup(action)}`;
    game.tellRoom(actor.locationId, text);
    const room = game.room(actor);
    if (room) game.scripting?.heard(room, `${actor.name}${verb === ';' ? '' : ' '}${action}`, actor);
  },
};

const whisper: Command = {
  name: 'whisper',
  aliases: ['wh'],
  group: 'communication',
  role: 'player',
  syntax: ['whisper <name>=<message>'],
  help: 'Says something only one person in the same place hears; the others see that you whisper.',
  async run(context) {
    const { game, actor } = context;
    const parts = splitAssignment(context.args);
    if (!parts || !parts[1]) return context.reply('Whisper what to whom? Try "whisper Bob=hello".');
    const people = game.playersIn(actor.locationId).filter((p) => p.id !== actor.id);
    const to = findOne(context, parts[0], people, `Nobody called "${parts[0]}" is here.`);
    if (!to) return;
    const text = escapeMarkup(await game.chat.post(privateChannel(actor.id, to.id), actor, parts[1]));
    context.reply(`You whisper to ${game.nameOf(to)}, "${text}"`);
    game.tell(to, `${game.nameOf(actor)} whispers to you, "${text}"`);
    game.tellRoom(actor.locationId, `${game.nameOf(actor)} whispers something to ${game.nameOf(to)}.`, [actor.id, to.id]);
  },
};

const page: Command = {
  name: 'page',
  aliases: ['p', 'tell'],
  group: 'communication',
  role: 'player',
  syntax: ['page <name>=<message>'],
  help: 'Sends a message to someone connected, wherever they are.',
  async run(context) {
    const { game, actor } = context;
    const parts = splitAssignment(context.args);
    if (!parts || !parts[1]) return context.reply('Page whom with what? Try "page Bob=where are you?".');
    const to = findOnline(context, parts[0]);
    if (!to) return;
    const text = escapeMarkup(await game.chat.post(privateChannel(actor.id, to.id), actor, parts[1]));
    context.reply(`You page ${game.nameOf(to)}: ${text}`);
    game.tell(to, `{m}${game.nameOf(actor)} pages: ${text}{x}`);
  },
};

export const communicationCommands: Command[] = [say, pose, whisper, page];
