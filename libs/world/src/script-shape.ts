// The shape of a script (DESIGN.md §6): the body of a handler, made a module the same way wherever it is
// read: by the sandbox that runs it, and by world-state that checks it when it is saved.
import { parse } from 'acorn';

export const scriptHead = 'export default function (self, event) {\n';
export const scriptTail = '\n}';
/** Lines the head adds before the script's first line. */
export const scriptHeadLines = 1;

export const scriptModule = (source: string): string => scriptHead + source + scriptTail;

export interface ScriptSyntaxError {
  message: string;
  /** Of the script as written (1-based). */
  line: number;
  column: number;
}

/** Why the script does not parse, with where in it; undefined when it does. */
export function scriptSyntaxError(source: string): ScriptSyntaxError | undefined {
  try {
    parse(scriptModule(source), { ecmaVersion: 'latest', sourceType: 'module' });
    return undefined;
  } catch (error) {
    // A nesting too deep for the parser is for the sandbox to refuse, with its own limit.
    if (error instanceof RangeError) return undefined;
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const lines = source.split('\n');
    const line = Math.max(1, (loc?.line ?? 1) - scriptHeadLines);
    const message = (error as Error).message.replace(/ \(\d+:\d+\)$/, '');
    // Past the last line (something left open): the end of the script is where it went wrong.
    if (line > lines.length) return { message, line: lines.length, column: lines.at(-1)!.length + 1 };
    return { message, line, column: (loc?.column ?? 0) + 1 };
  }
}
