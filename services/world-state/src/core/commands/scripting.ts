// @script: builders write, show, test, roll back and delete the scripts of what they own.
import { escapeMarkup, isScriptEvent, scriptEvents } from '@loom/world';
import { mayScript } from '../permissions.ts';
import type { WorldObj } from '../model.ts';
import type { Command, CommandContext } from './command.ts';
import { splitAssignment } from './command.ts';
import { findTarget, ref } from './build-targets.ts';

export const maxScriptBytes = 16 * 1024;

/** `parrot/on_say` -> the object and the event, checked; says why not otherwise. */
export function handlerOf(context: CommandContext, text: string, needsWrite: boolean): { target: WorldObj; event: string } | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) {
    context.reply(`Name the object and the event: "@script parrot/on_say". Events: ${scriptEvents.join(', ')}.`);
    return undefined;
  }
  const event = text.slice(slash + 1).trim().toLowerCase();
  if (!isScriptEvent(event)) {
    context.reply(`"${event}" is not an event. Events: ${scriptEvents.join(', ')}, or your own, on_<name> (for call, schedule and @trigger).`);
    return undefined;
  }
  const target = findTarget(context, text.slice(0, slash));
  if (!target) return undefined;
  if (!mayScript(context.session.role, context.actor, target, needsWrite ? 'write' : 'read')) {
    context.reply(`You don't own ${context.game.nameOf(target)}.`);
    return undefined;
  }
  return { target, event };
}

/** Runs an object's handler now, the one who typed it as the actor (@script/test, @trigger); false when it has none. */
export function fireNow(context: CommandContext, target: WorldObj, event: string, text: string): boolean {
  const scripting = context.game.scripting;
  if (!scripting?.handlers.get(target.id, event)) return false;
  scripting.fire(event, target, { actor: context.actor, item: target, text });
  return true;
}

function numbered(source: string): string {
  return source
    .split('\n')
    .map((line, i) => `{w}${String(i + 1).padStart(3)}{x}  ${escapeMarkup(line)}`)
    .join('\n');
}

async function save(context: CommandContext, target: WorldObj, event: string, source: string): Promise<void> {
  if (Buffer.byteLength(source) > maxScriptBytes) return context.reply(`A script has at most ${maxScriptBytes} bytes; this one was not saved.`);
  const saved = await context.game.saveScript(target.id, event, source, context.actor.id);
  context.reply(`Saved ${event} of ${ref(target)} as version ${saved.version}.`);
}

/** Lines typed while the editor is open: "." saves, ".abort" throws the draft away. */
export async function editorLine(context: CommandContext, line: string): Promise<void> {
  const editor = context.session.editor!;
  if (line.trim() === '.abort') {
    context.session.editor = undefined;
    return context.reply('Editing abandoned; nothing was saved.');
  }
  if (line.trim() !== '.') {
    editor.lines.push(line);
    return;
  }
  context.session.editor = undefined;
  const target = context.game.world.get(editor.objectId);
  if (!target) return context.reply('That object is gone; nothing was saved.');
  await save(context, target, editor.event, editor.lines.join('\n'));
}

const script: Command = {
  name: '@script',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: [
    '@script <object>/<event>            (then the lines, and a lone "." to save; ".abort" to give up)',
    '@script <object>/<event>=<one line>',
    '@script/show <object>/<event> [version]',
    '@script/history <object>/<event>',
    '@script/rollback <object>/<event>=<version>',
    '@script/delete <object>/<event>',
    '@script/list <object>',
    '@script/test <object>/<event>[=<text>]   (runs it now, with you as the actor)',
    '@script/errors <object>',
  ],
  help: 'Scripts make objects act: see docs/scripting.md. Every save is a new version; rolling back saves an old one again.',
  async run(context) {
    const { game } = context;
    const [sub = 'edit'] = context.switches;
    if (sub === 'errors') {
      const target = findTarget(context, context.args || 'here');
      if (!target) return;
      const errors = Array.isArray(target.attributes.script_errors) ? (target.attributes.script_errors as Array<Record<string, unknown>>) : [];
      if (!errors.length) return context.reply(`${ref(target)} has had no script errors.`);
      const when = (ms: unknown) => new Date(Number(ms)).toISOString().slice(0, 19).replace('T', ' ');
      return context.reply(errors.map((e) => `  ${when(e.atMs)}  ${String(e.event)} v${String(e.version)}  ${escapeMarkup(String(e.message))}`).join('\n'));
    }
    if (sub === 'list') {
      const target = findTarget(context, context.args || 'here');
      if (!target) return;
      const events = await game.scripts.events(target.id);
      return context.reply(events.length ? `Scripts of ${ref(target)}: ${events.map((e) => `${e.event} (v${e.version})`).join(', ')}` : `${ref(target)} has no scripts.`);
    }
    const [left, right] = splitAssignment(context.args) ?? [context.args, undefined];
    const showVersion = sub === 'show' ? /\s+(\d+)$/.exec(left) : null;
    const handler = handlerOf(context, showVersion ? left.slice(0, showVersion.index) : left, sub !== 'show' && sub !== 'history');
    if (!handler) return;
    const { target, event } = handler;
    switch (sub) {
      case 'edit':
        if (right !== undefined) return save(context, target, event, right);
        context.session.editor = { objectId: target.id, event, lines: [] };
        return context.reply(`Editing ${event} of ${ref(target)}. Type the lines; a lone "." saves, ".abort" gives up.`);
      case 'show': {
        const version = await game.scripts.get(target.id, event, showVersion ? Number(showVersion[1]) : undefined);
        return context.reply(`{B}${event} of ${ref(target)}, version ${version.version}:{x}\n${numbered(version.source)}`);
      }
      case 'history': {
        const versions = await game.scripts.history(target.id, event);
        if (!versions.length) return context.reply(`${ref(target)} has never had ${event}.`);
        const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
        return context.reply(versions.map((v) => `  v${v.version}  ${when(v.createdAtMs)}  by #${v.authorId}  ${v.deleted ? '(deleted)' : `${v.source.split('\n').length} lines`}`).join('\n'));
      }
      case 'rollback': {
        if (!right || !/^\d+$/.test(right)) return context.reply('Type "@script/rollback <object>/<event>=<version>".');
        const old = await game.scripts.get(target.id, event, Number(right));
        if (old.deleted) return context.reply(`Version ${old.version} is a deletion; pick another.`);
        const saved = await game.saveScript(target.id, event, old.source, context.actor.id);
        return context.reply(`Rolled ${event} of ${ref(target)} back to version ${old.version}, saved as version ${saved.version}.`);
      }
      case 'test': {
        if (!fireNow(context, target, event, right ?? '')) return context.reply(`${ref(target)} has no ${event} to test.`);
        return context.reply(`Running ${event} of ${ref(target)}; what it does follows.`);
      }
      case 'delete': {
        const saved = await game.saveScript(target.id, event, '', context.actor.id, true);
        return context.reply(`Deleted ${event} of ${ref(target)} (version ${saved.version}; roll back to bring it back).`);
      }
      default:
        return context.reply(`@script has no /${sub}: use /show, /history, /rollback, /delete or /list.`);
    }
  },
};

export const scriptCommands: Command[] = [script];
