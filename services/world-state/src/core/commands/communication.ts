// Talking: in the room, to one person, across the world, and on channels (through chat-service).
import { escapeMarkup } from '../markup.ts';
import type { Command, CommandContext } from './command.ts';
import { splitAssignment } from './command.ts';
import { findOne, findOnline } from './resolve.ts';

export const defaultChannels = ['public'];
const channelName = /^[a-z][a-z0-9_-]{1,19}$/;

export function channelsOf(context: CommandContext): string[] {
  const stored = context.actor.attributes.channels;
  return Array.isArray(stored) ? stored.filter((c): c is string => typeof c === 'string') : [...defaultChannels];
}

const say: Command = {
  name: 'say',
  aliases: ["'", '"'],
  group: 'communication',
  role: 'player',
  syntax: ['say <message>', "'<message>"],
  help: 'Says something to everyone in the same place.',
  run(context) {
    const { game, actor, args } = context;
    if (!args) return context.reply('Say what?');
    const text = escapeMarkup(args);
    context.reply(`You say, "${text}"`);
    game.tellRoom(actor.locationId, `${game.nameOf(actor)} says, "${text}"`, [actor.id]);
  },
};

const pose: Command = {
  name: 'pose',
  aliases: ['emote', ':', ';'],
  group: 'communication',
  role: 'player',
  syntax: ['pose <action>', ':<action>', ';<action> (no space after your name)'],
  help: 'Shows everyone here an action: ":waves." shows "Ada waves.".',
  run(context) {
    const { game, actor, args, verb } = context;
    if (!args) return context.reply('Pose what?');
    const text = `${game.nameOf(actor)}${verb === ';' ? '' : ' '}${escapeMarkup(args)}`;
    game.tellRoom(actor.locationId, text);
  },
};

const whisper: Command = {
  name: 'whisper',
  aliases: ['wh'],
  group: 'communication',
  role: 'player',
  syntax: ['whisper <name>=<message>'],
  help: 'Says something only one person in the same place hears; the others see that you whisper.',
  run(context) {
    const { game, actor } = context;
    const parts = splitAssignment(context.args);
    if (!parts || !parts[1]) return context.reply('Whisper what to whom? Try "whisper Bob=hello".');
    const people = game.playersIn(actor.locationId).filter((p) => p.id !== actor.id);
    const to = findOne(context, parts[0], people, `Nobody called "${parts[0]}" is here.`);
    if (!to) return;
    const text = escapeMarkup(parts[1]);
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
  run(context) {
    const { game, actor } = context;
    const parts = splitAssignment(context.args);
    if (!parts || !parts[1]) return context.reply('Page whom with what? Try "page Bob=where are you?".');
    const to = findOnline(context, parts[0]);
    if (!to) return;
    const text = escapeMarkup(parts[1]);
    context.reply(`You page ${game.nameOf(to)}: ${text}`);
    game.tell(to, `{m}${game.nameOf(actor)} pages: ${text}{x}`);
  },
};

function setChannels(context: CommandContext, channels: string[]): void {
  context.actor.attributes.channels = channels;
  context.game.world.touch(context.actor);
}

async function showHistory(context: CommandContext, channel: string, limit: number): Promise<void> {
  const lines = await context.game.chat.history(channel, limit);
  if (!lines.length) return context.reply(`Nothing has been said on ${channel} yet.`);
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  context.reply([`{B}Last ${lines.length} on ${channel}:{x}`, ...lines.map((l) => `  ${time(l.sentAtMs)} [${channel}] ${escapeMarkup(l.senderName)}: ${escapeMarkup(l.text)}`)].join('\n'));
}

const channel: Command = {
  name: '@channel',
  aliases: ['@chan', 'channel'],
  group: 'communication',
  role: 'player',
  syntax: ['@channel/list', '@channel/join <name>', '@channel/leave <name>', '@channel/history <name> [lines]', '+<name> <message>'],
  help: 'Channels carry talk across the world. Everyone starts on "public". Joining shows the last lines said; "+name message" talks on one.',
  async run(context) {
    const [sub = 'list'] = context.switches;
    const [name = '', count] = context.args.toLowerCase().split(/\s+/);
    const mine = channelsOf(context);
    if (sub === 'list') return context.reply(mine.length ? `You are on: ${mine.join(', ')}.` : 'You are on no channel. "@channel/join public" joins the public one.');
    if (!channelName.test(name)) return context.reply('A channel name has 2 to 20 lowercase letters, digits, - or _, starting with a letter.');
    if (sub === 'join') {
      if (mine.includes(name)) return context.reply(`You are already on ${name}.`);
      setChannels(context, [...mine, name]);
      context.reply(`You join ${name}. Talk on it with "+${name} <message>".`);
      return showHistory(context, name, 10);
    }
    if (sub === 'leave') {
      if (!mine.includes(name)) return context.reply(`You are not on ${name}.`);
      setChannels(context, mine.filter((c) => c !== name));
      return context.reply(`You leave ${name}.`);
    }
    if (sub === 'history') {
      const limit = Math.min(Math.max(Number(count) || 20, 1), 100);
      return showHistory(context, name, limit);
    }
    context.reply(`@channel has no /${sub}: use /list, /join, /leave or /history.`);
  },
};

/** `+ooc hello`: the interpreter routes every `+` line here, with the channel as the verb. */
export async function talkOnChannel(context: CommandContext, name: string): Promise<void> {
  if (!channelsOf(context).includes(name)) return context.reply(`You are not on ${name}. "@channel/join ${name}" joins it.`);
  if (!context.args) return context.reply(`Say what on ${name}?`);
  await context.game.chat.post(name, context.actor, context.args);
}

export const communicationCommands: Command[] = [say, pose, whisper, page, channel];
