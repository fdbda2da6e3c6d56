// Channels: everyone starts on "public"; players join and leave others; admins mute and ban.
import { escapeMarkup, roleAtLeast } from '@loom/world';
import type { Command, CommandContext } from './command.ts';
import { splitAssignment } from './command.ts';
import { findOne } from './resolve.ts';

export const defaultChannels = ['public'];
const channelName = /^[a-z][a-z0-9_-]{1,19}$/;
const moderation = new Set(['mute', 'unmute', 'ban', 'unban']);

export function channelsOf(context: CommandContext): string[] {
  const stored = context.actor.attributes.channels;
  return Array.isArray(stored) ? stored.filter((c): c is string => typeof c === 'string') : [...defaultChannels];
}

function setChannels(context: CommandContext, channels: string[]): void {
  context.actor.attributes.channels = channels;
  context.game.world.touch(context.actor);
}

function showLines(context: CommandContext, channel: string, lines: Array<{ senderName: string; text: string; sentAtMs: number }>): void {
  if (!lines.length) return context.reply(`Nothing has been said on ${channel} yet.`);
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  context.reply([`{B}Last ${lines.length} on ${channel}:{x}`, ...lines.map((l) => `  ${time(l.sentAtMs)} [${channel}] ${escapeMarkup(l.senderName)}: ${escapeMarkup(l.text)}`)].join('\n'));
}

/** `@channel/mute ooc=Bob,10`: minutes optional (until lifted); `*` = every channel. */
async function moderate(context: CommandContext, action: string): Promise<void> {
  const { game, actor } = context;
  if (!roleAtLeast(context.session.role, 'admin')) return context.reply(`Only admins may ${action} players on channels.`);
  const parts = splitAssignment(context.args);
  const [name = '', minutes = '0'] = (parts?.[1] ?? '').split(',').map((p) => p.trim());
  const channel = parts?.[0].toLowerCase() ?? '';
  if (!parts || !name || !(channel === '*' || channelName.test(channel))) return context.reply(`Type "@channel/${action} <channel or *>=<name>[,<minutes>]".`);
  if (!/^\d{1,6}$/.test(minutes)) return context.reply('The minutes must be a whole number (0 = until lifted).');
  const players = [...game.world.all()].filter((o) => o.kind === 'player');
  const target = findOne(context, name, players, `There is no character called "${name}".`);
  if (!target) return;
  const what = await game.chat.moderate(channel, target.id, action, Number(minutes) * 60, actor.id);
  context.reply(`${game.nameOf(target)} is ${what}.`);
  if (!action.startsWith('un')) game.tell(target, `{r}You have been ${what} by ${game.nameOf(actor)}.{x}`);
}

const channel: Command = {
  name: '@channel',
  aliases: ['@chan', 'channel'],
  group: 'communication',
  role: 'player',
  syntax: [
    '@channel/list',
    '@channel/join <name>',
    '@channel/leave <name>',
    '@channel/history <name> [lines]',
    '+<name> <message>',
    '@channel/mute <name or *>=<player>[,<minutes>]   (admins; also /unmute, /ban, /unban)',
  ],
  help: 'Channels carry talk across the world. Everyone starts on "public". Joining shows the last lines said; "+name message" talks on one.',
  async run(context) {
    const { game, actor } = context;
    const [sub = 'list'] = context.switches;
    if (moderation.has(sub)) return moderate(context, sub);
    const [name = '', count] = context.args.toLowerCase().split(/\s+/);
    const mine = channelsOf(context);
    if (sub === 'list') return context.reply(mine.length ? `You are on: ${mine.join(', ')}.` : 'You are on no channel. "@channel/join public" joins the public one.');
    if (!channelName.test(name)) return context.reply('A channel name has 2 to 20 lowercase letters, digits, - or _, starting with a letter.');
    if (sub === 'join') {
      if (mine.includes(name)) return context.reply(`You are already on ${name}.`);
      const recent = await game.chat.join(name, actor, 10);
      setChannels(context, [...mine, name]);
      context.reply(`You join ${name}. Talk on it with "+${name} <message>".`);
      return recent.length ? showLines(context, name, recent) : undefined;
    }
    if (sub === 'leave') {
      if (!mine.includes(name)) return context.reply(`You are not on ${name}.`);
      setChannels(context, mine.filter((c) => c !== name));
      return context.reply(`You leave ${name}.`);
    }
    if (sub === 'history') return showLines(context, name, await game.chat.history(name, Math.min(Math.max(Number(count) || 20, 1), 100)));
    context.reply(`@channel has no /${sub}: use /list, /join, /leave, /history (admins: /mute, /unmute, /ban, /unban).`);
  },
};

/** `+ooc hello`: the interpreter routes every `+` line here, with the channel as the verb. */
export async function talkOnChannel(context: CommandContext, name: string): Promise<void> {
  if (!channelsOf(context).includes(name)) return context.reply(`You are not on ${name}. "@channel/join ${name}" joins it.`);
  if (!context.args) return context.reply(`Say what on ${name}?`);
  await context.game.chat.post(name, context.actor, context.args);
}

export const channelCommands: Command[] = [channel];
