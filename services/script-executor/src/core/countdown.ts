// QuickJS asks its interrupt handler only once per 10,000 calls and jumps (a countdown in the
// JSContext, JS_INTERRUPT_COUNTER_INIT), however long they take: a call that overflows the stack
// builds a backtrace of the whole stack (~1 ms), so 10,000 of them ran seconds past a 50 ms limit.
// And the 'interrupted' error, uncatchable by `catch`, is turned into a rejection or dropped by
// async functions, promise executors and iterator closing: a script recursing through them
// survived each poll with 10,000 more calls (measured: minutes). So the sandbox sets the countdown
// itself: short at a run's start, longer while steps are cheap, shorter when they are not, and 1
// once the run must end, so that every next call or jump fails at once.
// quickjs-emscripten has no API for the countdown; its offset in the JSContext is found once per
// process by watching the handler's calls (it is the one word reset to 10,000 at each), then checked.
import type { QuickJSContext, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';

/** QuickJS's own countdown, the longest the sandbox sets. */
export const COUNTDOWN_INIT = 10_000;
const INIT = COUNTDOWN_INIT;
/** JSContext is well under 2 KiB in this build; the countdown sits in its first few hundred bytes. */
const SCAN_WORDS = 512;
/** Byte offset of the countdown in JSContext; null: calibration failed (runs then end at the next
 * ordinary poll, as without this file). */
let offset: number | null | undefined;

/** Sets how many calls and jumps the context makes before it polls the interrupt handler again. */
export type SetCountdown = (steps: number) => void;

/** Returns the countdown setter of `ctx`, calibrating on first use (the runtime's interrupt
 * handler is replaced meanwhile; the caller sets its own after). */
export function countdownOf(wasm: QuickJSWASMModule, rt: QuickJSRuntime, ctx: QuickJSContext): SetCountdown | undefined {
  const base = (ctx as unknown as { ctx: { value: number } }).ctx.value; // the JSContext pointer
  const memory = wasm.getWasmMemory();
  const words = (): Int32Array => new Int32Array(memory.buffer, base, Math.min(SCAN_WORDS, (memory.buffer.byteLength - base) >> 2));
  if (offset === undefined) offset = calibrate(rt, ctx, words) ?? null;
  if (offset === null) return undefined;
  const index = offset >> 2;
  return (steps) => void (words()[index] = steps);
}

function calibrate(rt: QuickJSRuntime, ctx: QuickJSContext, words: () => Int32Array): number | undefined {
  let candidates: number[] | undefined;
  rt.setInterruptHandler(() => {
    const w = words();
    candidates = (candidates ?? [...w.keys()]).filter((i) => w[i] === INIT);
    return false;
  });
  ctx.evalCode('for (let i = 0; i < 35000; i++) {}').dispose();
  // Since the last poll the countdown moved; a field that merely holds 10,000 did not.
  const w = words();
  const moved = (candidates ?? []).filter((i) => w[i]! > 0 && w[i]! < INIT);
  if (moved.length !== 1) return undefined;
  const index = moved[0]!;
  let polls = 0;
  words()[index] = 1;
  rt.setInterruptHandler(() => {
    polls++;
    words()[index] = 1;
    return false;
  });
  ctx.evalCode('for (let i = 0; i < 100; i++) {}').dispose();
  rt.removeInterruptHandler();
  return polls >= 100 ? index * 4 : undefined;
}
