// Commands that run something later or elsewhere: @trigger (an object's handler, now) and @wait (a line, later).
import type { Command } from './command.ts';
import { splitAssignment } from './command.ts';
import { ref } from './build-targets.ts';
import { fireNow, handlerOf } from './scripting.ts';

/** The longest @wait, and how many lines one player may have waiting. */
export const maxWaitSeconds = 3600;
export const maxWaitingLines = 10;

const trigger: Command = {
  name: '@trigger',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@trigger <object>/<event>[=<text>]'],
  help: 'Runs a handler of something you own now, with you as the actor and the text as event.text: a world event (on_use) or one of your own (on_open), as call() does from a script.',
  run(context) {
    const [left, text] = splitAssignment(context.args) ?? [context.args, undefined];
    const handler = handlerOf(context, left, true);
    if (!handler) return;
    const { target, event } = handler;
    if (!fireNow(context, target, event, text ?? '')) return context.reply(`${ref(target)} has no ${event}.`);
    context.reply(`Triggered ${event} of ${ref(target)}.`);
  },
};

const wait: Command = {
  name: '@wait',
  aliases: [],
  group: 'general',
  role: 'player',
  syntax: ['@wait <seconds>=<command>'],
  help: `Types the command for you after the given seconds (up to ${maxWaitSeconds}; at most ${maxWaitingLines} waiting at once; forgotten if you leave or the world restarts). "@wait 2=say hi".`,
  run(context) {
    const parts = splitAssignment(context.args);
    const seconds = parts ? Number(parts[0]) : NaN;
    if (!parts || !parts[1] || !(seconds >= 0 && seconds <= maxWaitSeconds)) return context.reply(`Type "@wait <seconds>=<command>", with 0 to ${maxWaitSeconds} seconds.`);
    if (/^@wait\b/i.test(parts[1])) return context.reply('A @wait cannot wait for another @wait.');
    const runLater = context.game.runLater;
    if (!runLater) return context.reply('Nothing can wait in this world.');
    if (!runLater(context.session, seconds * 1000, parts[1])) return context.reply(`You have ${maxWaitingLines} commands waiting already.`);
    context.reply(`In ${seconds} second${seconds === 1 ? '' : 's'}: ${parts[1]}`);
  },
};

export const queuedCommands: Command[] = [trigger, wait];
