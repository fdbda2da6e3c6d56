// The VM boundary: WebAssembly instances with a memory ceiling, one QuickJS runtime + context with
// the prelude loaded (the unit the sandbox reuses and rebuilds), and the text formats of a run.
import { newQuickJSWASMModule, newVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import type { VmError } from './errors.ts';
import { countdownOf, type SetCountdown } from './countdown.ts';
import { OVERFLOW_GUARD, type Shift } from './instrument.ts';
import { PRELUDE_SOURCE } from './prelude.ts';
import type { Effect, ObjectView } from '@loom/proto';
import type { ErrorKind, SandboxInput, SandboxLimits } from './view.ts';

const PAGE = 64 * 1024;
/** The module declares 16 MiB as its minimum memory. */
const MIN_PAGES = 256;
/** Static data and the 5 MiB C stack of this build, plus the runtime, the prelude, the compiled-script
 * cache and room for the host's calls after an out-of-memory: memory a script can't use. */
const FIXED_BYTES = 10 * 1024 * 1024;

export interface SandboxOptions {
  /** The heap a script may fill, enforced by the size of the WebAssembly memory (default 16 MiB).
   * A run's limits.memoryBytes can lower QuickJS's own limit, not raise this ceiling. */
  memoryBytes?: number;
}

/** A private WebAssembly instance whose memory can't grow past the ceiling. */
export function loadWasm(memoryBytes: number): Promise<QuickJSWASMModule> {
  const maximum = Math.max(MIN_PAGES, Math.ceil((FIXED_BYTES + memoryBytes) / PAGE));
  const wasmMemory = new WebAssembly.Memory({ initial: MIN_PAGES, maximum });
  return newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory }));
}

/** What the VM's run()/finish() return. */
export interface RawResult {
  effects: Effect[];
  limit: { kind: ErrorKind; message: string; stack: string } | null;
  error: VmError | null;
}

export interface Vm {
  rt: QuickJSRuntime;
  ctx: QuickJSContext;
  /** The prelude's run(fn, inputJson) -> resultJson. */
  run: QuickJSHandle;
  /** The prelude's finish() -> resultJson, for after promise jobs ran. */
  finish: QuickJSHandle;
  /** The prelude's describe(error) -> {name,message,stack} JSON. */
  describe: QuickJSHandle;
  /** Compiled handlers by source text, with the columns instrumenting shifted. */
  compiled: Map<string, { fn: QuickJSHandle; shifts: Shift[] }>;
  /** Sets when QuickJS next polls the interrupt handler (see countdown.ts); undefined: can't. */
  countdown: SetCountdown | undefined;
  runs: number;
  /** Limits currently set on the runtime (-1: none), so a run only pays for a change. */
  memoryBytes: number;
  stackBytes: number;
}

/** Builds a runtime whose interrupt handler asks `interrupt` (a deadline check) and loads the
 * prelude, which calls `overflowed` when a script's try block caught a stack overflow. */
export function bootVm(wasm: QuickJSWASMModule, interrupt: () => boolean, overflowed: () => void): Vm {
  const rt = wasm.newRuntime();
  const ctx = rt.newContext();
  const countdown = countdownOf(wasm, rt, ctx);
  rt.setInterruptHandler(interrupt);
  // Handed to the prelude through a global it deletes at once: no script can reach it.
  ctx.newFunction('overflowed', () => void overflowed()).consume((fn) => ctx.setProp(ctx.global, `${OVERFLOW_GUARD}_host`, fn));
  const api = ctx.unwrapResult(ctx.evalCode(PRELUDE_SOURCE, 'prelude', { type: 'global' }));
  const vm: Vm = {
    rt,
    ctx,
    run: ctx.getProp(api, 'run'),
    finish: ctx.getProp(api, 'finish'),
    describe: ctx.getProp(api, 'describe'),
    compiled: new Map(),
    countdown,
    runs: 0,
    memoryBytes: -1,
    stackBytes: -1,
  };
  api.dispose();
  return vm;
}

export function disposeVm(vm: Vm): void {
  for (const c of vm.compiled.values()) c.fn.dispose();
  vm.run.dispose();
  vm.finish.dispose();
  vm.describe.dispose();
  vm.ctx.dispose();
  vm.rt.dispose();
}

/** Calls a VM function that returns a string; throws (host-side) if it threw. */
export function callForString(vm: Vm, fn: QuickJSHandle, ...args: QuickJSHandle[]): string {
  const r = vm.ctx.callFunction(fn, vm.ctx.undefined, ...args);
  if (r.error) {
    r.error.dispose();
    throw new Error('VM call failed');
  }
  const s = vm.ctx.getString(r.value);
  r.value.dispose();
  return s;
}

/** An object as scripts read it, in JSON, its attributes spliced in as the JSON text they came as. */
function objectJson(o: ObjectView | undefined, listsContents: boolean): string {
  if (!o) return '';
  const contents = listsContents ? `,"contents":${JSON.stringify(o.contents)}` : '';
  return `{"id":${o.id},"name":${JSON.stringify(o.name)},"kind":${JSON.stringify(o.kind)},"attributes":${o.attributesJson || '{}'}${contents}}`;
}

/** The VM's input: a JSON header line, then each view object's JSON back to back, so the VM can
 * parse only the ones the script touches (see the prelude's part()). Contents are listed for self,
 * actor, room and the players (script.proto's ObjectView). */
export function payload(input: SandboxInput, limits: SandboxLimits): string {
  const v = input.view;
  const seed = input.seed ?? (Math.random() * 0x100000000) | 0;
  const header: unknown[] = [input.eventName, v.text ?? null, seed, input.now ?? Date.now(), limits.maxEffects, limits.maxOutputBytes, 0];
  const players = v.players.length === 0 ? '' : `[${v.players.map((p) => objectJson(p, true)).join(',')}]`;
  const slices = [objectJson(v.self, true), objectJson(v.actor, true), objectJson(v.room, true), objectJson(v.item, false), objectJson(v.from, false), objectJson(v.to, false), players];
  for (const json of slices) header.push(json.length);
  // After the slices' lengths: what only some events carry (on_chat's channel, call()'s args and caller).
  const caller = v.caller && { id: v.caller.id, name: v.caller.name, kind: v.caller.kind };
  header.push(v.channel ?? null, v.argsJson ? JSON.parse(v.argsJson) : null, caller ?? null);
  return JSON.stringify(header) + '\n' + slices.join('');
}
