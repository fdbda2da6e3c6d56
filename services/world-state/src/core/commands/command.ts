// A command carries its own syntax, permission and help (as in Evennia): `help` and docs/commands.md are made from these.
import type { Role } from '@loom/world';
import type { Game } from '../game.ts';
import type { WorldObj } from '../model.ts';
import type { Session } from '../sessions.ts';

export interface CommandContext {
  game: Game;
  actor: WorldObj;
  session: Session;
  /** The word typed ("l" for look). */
  verb: string;
  /** `/join` of `@channel/join` */
  switches: string[];
  /** Everything after the verb, trimmed. */
  args: string;
  /** Tells the actor. */
  reply(text: string): void;
}

export interface Command {
  name: string;
  aliases: string[];
  /** Help groups: general, communication, social, admin. */
  group: string;
  role: Role;
  /** Usage lines, e.g. `give <thing> to <name>`. */
  syntax: string[];
  help: string;
  run(context: CommandContext): void | Promise<void>;
}

/** Splits `a=b` at the first `=`; both sides trimmed. */
export function splitAssignment(args: string): [string, string] | undefined {
  const at = args.indexOf('=');
  if (at < 0) return undefined;
  return [args.slice(0, at).trim(), args.slice(at + 1).trim()];
}
