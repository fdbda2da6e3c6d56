// Turns a typed line into a command run: prefixes (' : ; +), switches (@channel/join), exits by name, help.
import { LoomError } from '@loom/runtime/transport/errors.ts';
import { cleanInput, roleAtLeast } from '@loom/world';
import type { Game } from '../game.ts';
import type { WorldObj } from '../model.ts';
import { walk } from '../movement.ts';
import type { Session } from '../sessions.ts';
import { accountCommands } from './account.ts';
import { adminCommands } from './admin.ts';
import { buildingCommands } from './building.ts';
import { lifecycleCommands } from './building-lifecycle.ts';
import { propertyCommands } from './building-properties.ts';
import { editorLine, scriptCommands } from './scripting.ts';
import { queuedCommands } from './queued.ts';
import type { Command, CommandContext } from './command.ts';
import { channelCommands, talkOnChannel } from './channels.ts';
import { communicationCommands } from './communication.ts';
import { generalCommands } from './general.ts';
import { socialCommands } from './social.ts';

const prefixes: Record<string, string> = { "'": 'say', '"': 'say', ':': 'pose', ';': 'pose' };
const groupOrder = ['general', 'communication', 'social', 'account', 'building', 'admin'];

export interface ParsedLine {
  verb: string;
  switches: string[];
  args: string;
}

export function parseLine(line: string): ParsedLine {
  const first = line[0]!;
  if (first in prefixes || first === '+') return { verb: first, switches: [], args: line.slice(1).trim() };
  const space = line.search(/\s/);
  const word = space < 0 ? line : line.slice(0, space);
  const args = space < 0 ? '' : line.slice(space + 1).trim();
  const [verb = '', ...switches] = word.split('/');
  return { verb: verb.toLowerCase(), switches: switches.map((s) => s.toLowerCase()).filter(Boolean), args };
}

export class Interpreter {
  private readonly byName = new Map<string, Command>();
  readonly commands: Command[];

  constructor(extra: Command[] = []) {
    this.commands = [...generalCommands, ...communicationCommands, ...channelCommands, ...socialCommands, ...accountCommands, ...buildingCommands, ...propertyCommands, ...lifecycleCommands, ...scriptCommands, ...queuedCommands, ...adminCommands, this.helpCommand(), ...extra];
    for (const command of this.commands) for (const name of [command.name, ...command.aliases]) this.byName.set(name.toLowerCase(), command);
  }

  /**
   * Runs one line for the actor; every answer goes to the actor's session as events. Returns what ran, by a
   * name from a fixed set (a command's name, `exit`, `channel`, `editor`, `unknown`, `none`), for metrics.
   * `log` gets unexpected errors with the verb only: arguments may hold a password.
   */
  async run(game: Game, session: Session, actor: WorldObj, typed: string, log: (error: unknown, verb: string) => void): Promise<string> {
    if (session.editor) {
      const context: CommandContext = { game, actor, session, verb: '', switches: [], args: '', reply: (text) => game.tell(actor, text) };
      await editorLine(context, cleanInput(typed)).catch((error: unknown) => this.failed(context, error, '@script', log));
      return 'editor';
    }
    const line = cleanInput(typed).trim();
    if (!line) return 'none';
    const parsed = parseLine(line);
    const context: CommandContext = { game, actor, session, ...parsed, reply: (text) => game.tell(actor, text) };
    let ran = 'unknown';
    try {
      if (parsed.verb === '+') {
        ran = 'channel';
        const space = parsed.args.search(/\s/);
        const name = (space < 0 ? parsed.args : parsed.args.slice(0, space)).toLowerCase();
        await talkOnChannel({ ...context, args: space < 0 ? '' : parsed.args.slice(space + 1).trim() }, name);
        return ran;
      }
      const command = this.byName.get(prefixes[parsed.verb] ?? parsed.verb);
      if (command) {
        ran = command.name;
        if (!roleAtLeast(session.role, command.role)) context.reply(`Only ${command.role}s may use ${command.name}.`);
        else await command.run({ ...context, verb: parsed.verb });
        return ran;
      }
      const exit = game.exitsOf(actor.locationId).find((e) => [e.name, ...e.aliases].some((n) => n.toLowerCase() === line.toLowerCase()));
      if (exit) {
        ran = 'exit';
        walk(game, actor, exit);
        return ran;
      }
      context.reply(this.unknown(parsed.verb, session.role));
    } catch (error) {
      this.failed(context, error, parsed.verb, log);
    } finally {
      game.sendVitals(actor);
    }
    return ran;
  }

  /** A refusal the player can act on is told as it is; anything else is logged and told vaguely. */
  private failed(context: CommandContext, error: unknown, verb: string, log: (error: unknown, verb: string) => void): void {
    if (error instanceof LoomError) return context.reply(`{r}${error.message}{x}`);
    log(error, verb);
    context.reply('{r}Something went wrong with that command; it has been logged.{x}');
  }

  private unknown(verb: string, role: string): string {
    const close = this.commands.filter((c) => roleAtLeast(role, c.role) && c.name.replace('@', '').startsWith(verb.replace('@', '').slice(0, 2)));
    const hint = close.length && close.length <= 4 ? ` Did you mean ${close.map((c) => c.name).join(', ')}?` : '';
    return `Huh? "${verb}" is not a command here.${hint} Type "help" for the list.`;
  }

  private helpCommand(): Command {
    return {
      name: 'help',
      aliases: ['?'],
      group: 'general',
      role: 'player',
      syntax: ['help', 'help <command>'],
      help: 'Lists the commands, or explains one.',
      run: (context) => {
        const role = context.session.role;
        if (!context.args) {
          const lines = ['{B}Commands{x} (type "help <command>" for one):'];
          for (const group of groupOrder) {
            const names = this.commands.filter((c) => c.group === group && roleAtLeast(role, c.role)).map((c) => c.name);
            if (names.length) lines.push(`  {c}${group}{x}: ${names.join(', ')}`);
          }
          return context.reply(lines.join('\n'));
        }
        const topic = context.args.toLowerCase().replace(/^\+.*/, '@channel');
        const command = this.byName.get(topic) ?? this.byName.get(prefixes[topic] ?? '');
        if (!command || !roleAtLeast(role, command.role)) return context.reply(`There is no help on "${context.args}". Type "help" for the list.`);
        context.reply(helpText(command));
      },
    };
  }
}

export function helpText(command: Command): string {
  const lines = [`{B}${command.name}{x}${command.aliases.length ? ` (also: ${command.aliases.join(' ')})` : ''}`];
  lines.push(...command.syntax.map((s) => `  ${s}`), command.help);
  if (command.role !== 'player') lines.push(`For ${command.role}s.`);
  return lines.join('\n');
}

/** docs/commands.md: every command with its syntax and help, grouped as `help` shows them. */
export function commandsMarkdown(): string {
  const { commands } = new Interpreter();
  const lines = ['# Commands', '', 'Generated from the command declarations (`npx loom commands > docs/commands.md`); `help <command>` in the game says the same.', ''];
  for (const group of groupOrder) {
    lines.push(`## ${group[0]!.toUpperCase()}${group.slice(1)}`, '');
    for (const command of commands.filter((c) => c.group === group)) {
      const also = command.aliases.length ? ` (also ${command.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
      const who = command.role === 'player' ? '' : ` For ${command.role}s.`;
      lines.push(`### \`${command.name}\`${also}`, '', ...command.syntax.map((s) => `    ${s}`), '', `${command.help}${who}`, '');
    }
  }
  return lines.join('\n');
}
