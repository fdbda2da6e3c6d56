// Turning what QuickJS throws into what a script's owner is told: a kind, a message, and a
// line/column in the body they wrote (not in our module wrapper).
import { scriptHeadLines } from '@loom/world';
import { unshift, type Shift } from './instrument.ts';
import type { ErrorKind, SandboxLimits } from './view.ts';

/** The file name scripts are compiled under; stack frames in it belong to the script. */
export const SCRIPT_FILE = 'script';

/** An error as described inside the VM (by the prelude's describe). */
export interface VmError {
  name: string;
  message: string;
  stack: string;
}

export interface Located {
  line?: number;
  column?: number;
}

/** How the prelude's describe() words a thrown null. */
export const THROWN_NULL = 'uncaught null';

const FRAME = new RegExp(`\\b${SCRIPT_FILE}:(\\d+):(\\d+)`);

/** The first stack frame in the script, mapped back to body coordinates (clamped into the body),
 * columns net of what instrument() inserted. */
export function locate(stack: string | undefined, source: string, shifts: readonly Shift[] = []): Located {
  const m = stack ? FRAME.exec(stack) : null;
  if (!m) return {};
  const lines = source.split('\n').length;
  const line = Math.min(lines, Math.max(1, Number(m[1]) - scriptHeadLines));
  return { line, column: unshift(Number(m[1]), Number(m[2]), shifts) };
}

/** Which limit (if any) an engine error is. `phase` tells whether it happened while compiling. */
export function classify(e: VmError, phase: 'compile' | 'run'): ErrorKind {
  // The parser reports overflow as a SyntaxError, the interpreter as an InternalError.
  if (e.message === 'stack overflow') return 'stack';
  // When even the 'out of memory' error can't be allocated, QuickJS throws null. A script that
  // throws null itself is told about memory too: rare, and far less confusing than the reverse.
  if (e.message === THROWN_NULL) return 'memory';
  if (e.name === 'InternalError') {
    if (e.message === 'interrupted') return 'timeout';
    if (e.message === 'out of memory' || e.message === 'string too long') return 'memory';
  }
  if (phase === 'compile' && e.name === 'SyntaxError') return 'syntax';
  return 'runtime';
}

/** The sentence the owner reads. Limits are phrased as limits, script errors as themselves. */
export function describeError(kind: ErrorKind, e: VmError, limits: SandboxLimits): string {
  switch (kind) {
    case 'timeout':
      return `the script ran longer than its ${limits.cpuMs} ms limit`;
    case 'memory':
      return `the script used more than its ${Math.round(limits.memoryBytes / 1024 / 1024)} MiB memory limit${e.message === THROWN_NULL ? ' (or threw null)' : ''}`;
    case 'stack':
      return `too much recursion (stack limit ${Math.round(limits.stackBytes / 1024)} KiB)`;
    default:
      return `${e.name}: ${e.message}`;
  }
}

/** Kinds after which the runtime is thrown away: its heap or job queue can't be trusted to be clean. */
export function needsRecycle(kind: ErrorKind | undefined): boolean {
  return kind === 'timeout' || kind === 'memory' || kind === 'stack' || kind === 'internal';
}
