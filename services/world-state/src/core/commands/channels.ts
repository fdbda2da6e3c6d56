// Channels: everyone starts on "public"; players join and leave others; admins mute, ban and lock.
import type { ChannelLock } from '@loom/proto';
import { escapeMarkup, roleAtLeast } from '@loom/world';
import type { ChannelLockKind } from '../game.ts';
import { formatLock, keyAdmits, parseLock } from '../locks.ts';
import type { Command, CommandContext } from './command.ts';
import { splitAssignment } from './command.ts';
import { typedKey } from './building-properties.ts';
import { findOne } from './resolve.ts';

export const defaultChannels = ['public'];
const channelName = /^[a-z][a-z0-9_-]{1,19}$/;
const nameRule = 'A channel name has 2 to 20 lowercase letters, digits, - or _, starting with a letter.';
const moderation = new Set(['mute', 'unmute', 'ban', 'unban']);
const lockKinds: ChannelLockKind[] = ['join', 'speech'];

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

/** A stored key as a reader should see it: `has:#44 (iron key)`. */
function shownKey(context: CommandContext, key: string): string {
  try {
    return escapeMarkup(formatLock(parseLock(key), (id) => context.game.world.get(id)?.name));
  } catch {
    return escapeMarkup(key);
  }
}

/** Whether the channel's lock of the kind (if it has one) lets the actor through. */
async function passes(context: CommandContext, channel: string, kind: ChannelLockKind): Promise<boolean> {
  const lock = (await context.game.chat.locks([channel])).find((l) => l.kind === kind);
  return !lock || keyAdmits(lock.key, context.game.lockSubject(context.actor, context.session.role));
}

const lockSummary = (context: CommandContext, locks: ChannelLock[]) => locks.map((l) => `${l.kind} lock ${shownKey(context, l.key)}`).join('; ');

/** `@channel/list`: the channels the actor is on, with the locks of those that have any. */
async function listChannels(context: CommandContext, mine: string[]): Promise<void> {
  if (!mine.length) return context.reply('You are on no channel. "@channel/join public" joins the public one.');
  const locks = await context.game.chat.locks(mine);
  const locked = mine.map((c) => [c, locks.filter((l) => l.channel === c)] as const).filter(([, of]) => of.length);
  context.reply([`You are on: ${mine.join(', ')}.`, ...locked.map(([c, of]) => `  ${c}: ${lockSummary(context, of)}`)].join('\n'));
}

/** `@channel/info ooc`: whether the actor is on it, its locks and whether they pass them. */
async function channelInfo(context: CommandContext, name: string): Promise<void> {
  const locks = await context.game.chat.locks([name]);
  const subject = context.game.lockSubject(context.actor, context.session.role);
  const lines = [`{B}${name}{x}: you are ${channelsOf(context).includes(name) ? '' : 'not '}on it.`];
  for (const kind of lockKinds) {
    const lock = locks.find((l) => l.kind === kind);
    const who = kind === 'join' ? 'join it' : 'speak on it';
    lines.push(lock ? `  ${kind} lock: ${shownKey(context, lock.key)} (you ${keyAdmits(lock.key, subject) ? 'may' : 'may not'} ${who})` : `  ${kind} lock: none (anyone may ${who})`);
  }
  context.reply(lines.join('\n'));
}

/** `@channel/lock/join ooc=<key>`: the kind the second switch names; a speech (TinyMUX: transmit) lock when none. */
function lockKindOf(context: CommandContext): ChannelLockKind | undefined {
  const named = context.switches[1] ?? 'speech';
  const kind = lockKinds.find((k) => k === (named === 'transmit' ? 'speech' : named));
  if (!kind) context.reply(`A channel has a join lock and a speech lock; there is no ${named} lock.`);
  return kind;
}

/** `@channel/lock[/kind] ooc=<key>` and `@channel/unlock[/kind] ooc` (admins); `@channel/lock ooc` shows them. */
async function lockChannel(context: CommandContext, action: 'lock' | 'unlock'): Promise<void> {
  const kind = lockKindOf(context);
  if (!kind) return;
  const parts = splitAssignment(context.args);
  const name = (parts ? parts[0] : context.args).toLowerCase();
  if (!channelName.test(name)) return context.reply(nameRule);
  if (action === 'lock' && !parts) return channelInfo(context, name);
  if (!roleAtLeast(context.session.role, 'admin')) return context.reply(`Only admins may ${action} channels.`);
  const { chat } = context.game;
  if (action === 'unlock') return context.reply((await chat.unlock(name, kind)) ? `Unlocked ${name} (${kind}).` : `${name} has no ${kind} lock.`);
  if (!parts?.[1]) return context.reply(`Type "@channel/lock/${kind} ${name}=<key>", or "@channel/unlock/${kind} ${name}" to remove the lock.`);
  const key = typedKey(context, parts[1]);
  if (!key) return;
  await chat.lock(name, kind, formatLock(key), context.actor.id);
  context.reply(`Locked ${name} (${kind}): ${shownKey(context, formatLock(key))}`);
}

const channel: Command = {
  name: '@channel',
  aliases: ['@chan', 'channel'],
  group: 'communication',
  role: 'player',
  syntax: [
    '@channel/list',
    '@channel/info <name>',
    '@channel/join <name>',
    '@channel/leave <name>',
    '@channel/history <name> [lines]',
    '+<name> <message>',
    '@channel/mute <name or *>=<player>[,<minutes>]   (admins; also /unmute, /ban, /unban)',
    '@channel/lock[/join or /speech] <name>=<key>   (admins; no kind: the speech lock)',
    '@channel/unlock[/join or /speech] <name>   (admins)',
  ],
  help:
    'Channels carry talk across the world. Everyone starts on "public". Joining shows the last lines said; "+name message" talks on one. ' +
    'A channel\'s join lock decides who may join it and its speech lock who may talk on it; the keys are those of @lock ' +
    '("@channel/lock guild=attr:guild=smiths | role:admin"), and those already on a channel keep hearing it; whom a join lock keeps out cannot read its history either.',
  async run(context) {
    const { game, actor } = context;
    const [sub = 'list'] = context.switches;
    if (moderation.has(sub)) return moderate(context, sub);
    if (sub === 'lock' || sub === 'unlock') return lockChannel(context, sub);
    const [name = '', count] = context.args.toLowerCase().split(/\s+/);
    const mine = channelsOf(context);
    if (sub === 'list') return listChannels(context, mine);
    if (!channelName.test(name)) return context.reply(nameRule);
    if (sub === 'info') return channelInfo(context, name);
    if (sub === 'join') {
      if (mine.includes(name)) return context.reply(`You are already on ${name}.`);
      if (!(await passes(context, name, 'join'))) return context.reply(`You may not join ${name}: its join lock keeps you out.`);
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
    if (sub === 'history') {
      // What a join lock keeps private stays private: only those on it, or who may join it, read back.
      if (!mine.includes(name) && !(await passes(context, name, 'join'))) return context.reply(`You may not read ${name}: its join lock keeps you out.`);
      return showLines(context, name, await game.chat.history(name, Math.min(Math.max(Number(count) || 20, 1), 100)));
    }
    context.reply(`@channel has no /${sub}: use /list, /info, /join, /leave, /history (admins: /mute, /unmute, /ban, /unban, /lock, /unlock).`);
  },
};

/** `+ooc hello`: the interpreter routes every `+` line here, with the channel as the verb. */
export async function talkOnChannel(context: CommandContext, name: string): Promise<void> {
  if (!channelsOf(context).includes(name)) return context.reply(`You are not on ${name}. "@channel/join ${name}" joins it.`);
  if (!context.args) return context.reply(`Say what on ${name}?`);
  if (!(await passes(context, name, 'speech'))) return context.reply(`You may not speak on ${name}: its speech lock keeps you out.`);
  await context.game.chat.post(name, context.actor, context.args);
}

export const channelCommands: Command[] = [channel];
