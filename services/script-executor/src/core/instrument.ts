// Makes a stack overflow uncatchable by the script. QuickJS lets `catch` and `finally` see its
// 'stack overflow' error, and each overflow that reaches a script's handler costs a backtrace of the
// whole stack (~1 µs a frame) while the interrupt handler is only polled every 10,000 calls: so
// `function f() { try { f() } catch { f() } }` ran for seconds past a 50 ms deadline. Every try
// block is therefore wrapped, before QuickJS compiles it, in one that first hands the exception to
// the prelude's OVERFLOW_GUARD: an overflow ends the run (see prelude.ts) before the script's own
// catch or finally runs. eval and Function are gone from the realm, so no code escapes this pass.
import { parse, type Node } from 'acorn';

/** The global the wrapped try blocks call; names starting with RESERVED can't be used by a script. */
export const OVERFLOW_GUARD = '__loom_caught';
const RESERVED = '__loom';
const OPEN = 'try{';
const CLOSE = `}catch(__loom_e){${OVERFLOW_GUARD}(__loom_e);throw __loom_e}`;

/** Text inserted into a line: columns after it are shifted back by `length` when reported. */
export interface Shift {
  line: number;
  /** 0-based column of the original text where the insertion sits. */
  column: number;
  length: number;
}

export interface Instrumented {
  code: string;
  shifts: Shift[];
}

export class InstrumentError extends Error {
  constructor(
    message: string,
    /** The text that was refused. */
    readonly source: string,
    readonly kind: 'syntax' | 'stack',
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** Returns the module text with every try block guarded, or throws an InstrumentError. */
export function instrument(code: string): Instrumented {
  let ast: Node;
  try {
    ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  } catch (err) {
    // Acorn recurses per nesting level: a deeply nested body overflows the host's stack here.
    if (err instanceof RangeError) throw new InstrumentError('nesting too deep', code, 'stack');
    const loc = (err as { loc?: { line: number; column: number } }).loc;
    throw new InstrumentError(`SyntaxError: ${(err as Error).message.replace(/ \(\d+:\d+\)$/, '')}`, code, 'syntax', loc?.line, loc && loc.column + 1);
  }
  const inserts: Array<{ at: number; text: string; line: number; column: number }> = [];
  const guard = (block: Node & { loc?: { start: { line: number; column: number }; end: { line: number; column: number } } | null }) => {
    const { start, end } = block.loc!;
    inserts.push({ at: block.start + 1, text: OPEN, line: start.line, column: start.column + 1 });
    inserts.push({ at: block.end - 1, text: CLOSE, line: end.line, column: end.column - 1 });
  };
  // An explicit stack, not recursion: a deep tree must not overflow the host here either.
  const todo: unknown[] = [ast];
  while (todo.length > 0) {
    const node = todo.pop();
    if (Array.isArray(node)) {
      todo.push(...(node as unknown[]));
      continue;
    }
    if (typeof node !== 'object' || node === null || typeof (node as Node).type !== 'string') continue;
    const n = node as Node & Record<string, unknown>;
    if ((n.type === 'Identifier' || n.type === 'PrivateIdentifier') && String(n.name).startsWith(RESERVED)) {
      const at = n.loc!.start;
      throw new InstrumentError(`SyntaxError: names starting with ${RESERVED} are reserved`, code, 'syntax', at.line, at.column + 1);
    }
    if (n.type === 'TryStatement') {
      guard(n.block as Node);
      // A catch body's overflow would otherwise reach the finally block.
      if (n.handler && n.finalizer) guard((n.handler as { body: Node }).body);
    }
    for (const key of Object.keys(n)) if (key !== 'loc') todo.push(n[key]);
  }
  inserts.sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const i of inserts) {
    out += code.slice(from, i.at) + i.text;
    from = i.at;
  }
  out += code.slice(from);
  return { code: out, shifts: inserts.map((i) => ({ line: i.line, column: i.column, length: i.text.length })) };
}

/** Maps a 1-based column QuickJS reported in the instrumented text back to the original text. */
export function unshift(line: number, column: number, shifts: readonly Shift[]): number {
  let added = 0;
  for (const s of shifts) {
    if (s.line !== line) continue;
    const at = s.column + added; // 0-based, in instrumented text
    if (column - 1 < at) break;
    if (column - 1 < at + s.length) return s.column + 1; // inside inserted text: where it was inserted
    added += s.length;
  }
  return column - added;
}
