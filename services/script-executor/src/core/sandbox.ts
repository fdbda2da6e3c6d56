// Runs one builder script (a handler body) in QuickJS compiled to WebAssembly, with hard limits.
//
// Why it is shaped like this (measured here, see bench/script-sandbox.bench.ts):
// - A fresh runtime+context costs ~0.3 ms and a fresh context ~0.1 ms: at most ~9k runs/s.
//   quickjs-emscripten exposes no bytecode export/import (compileOnly exists, but nothing can run
//   its result), so "compile once" means: keep ONE long-lived context, compile each source once
//   into a function kept in it (cache keyed by source text) and call that function per run
//   (~70k runs/s). The prelude freezes the realm, so runs can't leave state for each other.
// - Each source is compiled as an ES MODULE whose default export wraps the body. A body that
//   closes the wrapper early (`}); ...; (function(){`) only reaches module scope, private to that
//   source, never the shared global scope (QuickJS's own Function() is escapable that way).
// - The API runs inside the VM: a run is ONE host->VM call, one JSON string in and one out.
// - The runtime is rebuilt (~5 ms, deferred to maintain() or the next run) after limits that may
//   leave a dirty heap or job queue, after MAX_COMPILED sources (modules are never freed) and
//   every RECYCLE_RUNS runs to bound slow leaks.
// - Deep recursion in native QuickJS code (parser, join, JSON) can exhaust the HOST's native stack
//   before QuickJS's own check trips (wasm frames live on V8's stack). The pool's workers get a
//   64 MiB stack so that doesn't happen; if it does anyway (e.g. on a 1 MiB main thread), the
//   WebAssembly instance is abandoned and a spare one, loaded in advance, takes over.
// - Memory: QuickJS's own limit is NOT a byte limit under Emscripten (its malloc_usable_size is
//   0 there, so the running total never grows: quickjs-emscripten issues #255/#271); a runtime
//   grew to 2 GiB under a 16 MiB limit here. So each instance gets a fixed-size WebAssembly
//   memory: malloc fails, and QuickJS throws 'out of memory', once the heap reaches the ceiling.
//   QuickJS's limit stays on too: it still refuses any single allocation above it.
// - The CPU limit is watched with the wall clock, which is cheap; when it says the limit is reached,
//   the thread's own CPU clock (thread-cpu.ts) has the last word, so a run whose thread waited for a
//   core (a busy machine) goes on until it has used its CPU, not its wall-clock time.
import type { QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten';
import { scriptModule } from '@loom/world';
import { COUNTDOWN_INIT } from './countdown.ts';
import { ThreadCpuClock } from './thread-cpu.ts';
import { instrument, InstrumentError, type Instrumented, type Shift } from './instrument.ts';
import { classify, describeError, locate, needsRecycle, SCRIPT_FILE, type VmError } from './errors.ts';
import { bootVm, callForString, disposeVm, loadWasm, payload, type RawResult, type SandboxOptions, type Vm } from './vm.ts';
import type { Effect } from '@loom/proto';
import { DEFAULT_LIMITS, resolveLimits, type ErrorKind, type SandboxInput, type SandboxLimits, type SandboxResult } from './view.ts';

export type { SandboxOptions };

const MAX_COMPILED = 300;
const RECYCLE_RUNS = 50_000;
const MAX_SOURCE_CHARS = 64 * 1024;
const NO_ERROR: VmError = { name: 'Error', message: '', stack: '' };
/** A run starts with a short countdown, doubled at each poll while steps are cheap. */
const FIRST_STEPS = 64;
const POLL_MS = 1;
/** The thread's CPU clock is read at a run's start at most this often (ms): the CPU used since that
 * reading exceeds the run's own by less than this. */
const MARK_EVERY_MS = 5;
/** A run that took longer than this (ms) of wall-clock time is charged the CPU it used, if less. */
const SLOW_MS = 5;

class Failure {
  constructor(
    readonly kind: ErrorKind,
    readonly vmError: VmError,
    readonly effects: Effect[] = [],
    /** False only when no script code ran (a plain syntax error): the runtime is still clean. */
    readonly dirty = true,
    /** Replaces the generic sentence for the kind. */
    readonly message?: string,
  ) {}
}

export class Sandbox {
  /** Loads two private WebAssembly instances (current + spare): a trap in one can't touch another. */
  /** `cpu`: the CPU clock of the thread that will run it (this one's by default). */
  static async create(options: SandboxOptions = {}, cpu = ThreadCpuClock.ofThisThread()): Promise<Sandbox> {
    const memoryBytes = resolveLimits({ memoryBytes: options.memoryBytes ?? DEFAULT_LIMITS.memoryBytes }).memoryBytes;
    const [current, spare] = await Promise.all([loadWasm(memoryBytes), loadWasm(memoryBytes)]);
    instrument('try {} catch {}'); // the parser's first call is slow (loading, cold code): not on a run's clock
    return new Sandbox(current, spare, memoryBytes, cpu);
  }

  private vm: Vm | undefined;
  private refill: Promise<void> | undefined;
  private deadline = Infinity;
  /** The running run's CPU limit (ms). */
  private cpuLimitMs = Infinity;
  /** The thread's CPU clock at a moment at most MARK_EVERY_MS before the running run started. */
  private mark = { wallMs: -Infinity, cpuMs: 0 };
  /** Set after a run that dirtied the runtime; the rebuild waits for maintain() or the next run. */
  private stale = false;
  private closed = false;
  /** Set once a run passed its deadline: whatever it did after, it is a timeout. */
  private expired = false;
  /** Set when a script's try block caught a stack overflow: the run ends at the next poll. */
  private overflowed = false;
  /** When the interrupt handler last ran, and the countdown it set (see countdown.ts). */
  private lastPoll = 0;
  private steps = FIRST_STEPS;
  private readonly interrupt = (): boolean => {
    const t = performance.now();
    if (!this.overflowed && (t <= this.deadline || this.waitedForCpu(t))) {
      // About one poll per POLL_MS, however costly the steps in between are.
      const took = t - this.lastPoll;
      this.lastPoll = t;
      this.steps = took < POLL_MS / 2 ? Math.min(COUNTDOWN_INIT, this.steps * 2) : Math.max(1, Math.floor((this.steps * POLL_MS) / took));
      this.vm?.countdown?.(this.steps);
      return false;
    }
    this.expired ||= !this.overflowed;
    // Every call or jump from here on fails at once, even after something swallowed this error.
    this.vm?.countdown?.(1);
    return true;
  };

  private constructor(
    private wasm: QuickJSWASMModule,
    private spare: QuickJSWASMModule | undefined,
    private readonly memoryBytes: number,
    /** Undefined where threads have no CPU clock (not Linux): the wall clock alone decides. */
    private readonly cpu: ThreadCpuClock | undefined,
  ) {
    this.vm = this.boot();
  }

  /** True while no WebAssembly instance is usable (a spare is being loaded; see ready()). */
  get isBroken(): boolean {
    return this.vm === undefined;
  }

  /** Resolves once the replacement of an abandoned WebAssembly instance has finished loading. */
  async ready(): Promise<void> {
    while (this.refill) await this.refill;
  }

  run(input: SandboxInput): SandboxResult {
    const started = performance.now();
    if (this.cpu && started - this.mark.wallMs >= MARK_EVERY_MS) this.mark = { wallMs: started, cpuMs: this.cpu.nowMs() };
    const limits = resolveLimits(input.limits);
    if (limits.memoryBytes > this.memoryBytes) limits.memoryBytes = this.memoryBytes;
    if (!this.vm) return internal('the sandbox is restarting', this.spentMs(started));
    try {
      return this.runIn(this.vm, input, limits, started);
    } catch (err) {
      return this.crashed(err, limits, started);
    } finally {
      this.deadline = this.cpuLimitMs = Infinity;
      this.expired = this.overflowed = false;
    }
  }

  /** Rebuilds a runtime left dirty by the last run. Call when idle so the next run doesn't pay for it. */
  maintain(): void {
    if (!this.stale || !this.vm) return;
    try {
      this.recycle();
    } catch (err) {
      this.crashed(err, resolveLimits(undefined), performance.now());
    }
  }

  /**
   * Past the deadline by the wall clock, but the thread's CPU clock says the run has used less than
   * its limit (its thread waited for a core meanwhile): the deadline moves to when it could have used
   * the rest, and the run goes on.
   */
  private waitedForCpu(t: number): boolean {
    if (this.expired || !this.cpu) return false;
    const used = this.cpu.nowMs() - this.mark.cpuMs;
    if (!(used < this.cpuLimitMs)) return false;
    this.deadline = t + (this.cpuLimitMs - used);
    return true;
  }

  /** What a run cost: its wall-clock time, or for a slow one the CPU its thread used, if less. */
  private spentMs(started: number): number {
    const wall = performance.now() - started;
    return wall < SLOW_MS || !this.cpu ? wall : Math.min(wall, this.cpu.nowMs() - this.mark.cpuMs);
  }

  dispose(): void {
    this.closed = true;
    this.cpu?.close();
    if (this.vm) disposeVm(this.vm);
    this.vm = this.spare = undefined;
  }

  private runIn(vm: Vm, input: SandboxInput, limits: SandboxLimits, started: number): SandboxResult {
    if (this.stale || vm.runs >= RECYCLE_RUNS || (vm.compiled.size >= MAX_COMPILED && !vm.compiled.has(input.source))) {
      vm = this.recycle();
    }
    vm.runs++;
    if (vm.memoryBytes !== limits.memoryBytes) vm.rt.setMemoryLimit((vm.memoryBytes = limits.memoryBytes));
    if (vm.stackBytes !== limits.stackBytes) vm.rt.setMaxStackSize((vm.stackBytes = limits.stackBytes));
    // The host's pass over a new source (bounded by MAX_SOURCE_CHARS) is not the script's time;
    // QuickJS compiling it counts against the first run's budget; a rebuild above does not.
    const fresh = vm.compiled.has(input.source) ? undefined : instrumented(input.source);
    this.deadline = performance.now() + limits.cpuMs;
    this.cpuLimitMs = limits.cpuMs;
    this.lastPoll = performance.now();
    vm.countdown?.((this.steps = FIRST_STEPS));

    let compiled = vm.compiled.get(input.source);
    if (compiled === undefined) {
      const made = this.compile(vm, fresh!);
      if (made instanceof Failure) return this.failed(made, input.source, limits, started);
      vm.compiled.set(input.source, (compiled = made));
    }
    const { fn, shifts } = compiled;
    const arg = vm.ctx.newString(payload(input, limits));
    const res = vm.ctx.callFunction(vm.run, vm.ctx.undefined, fn, arg);
    arg.dispose();
    if (res.error) return this.failed(this.escaped(vm, res.error, 'run'), input.source, limits, started, shifts);
    let text = vm.ctx.getString(res.value);
    res.value.dispose();

    // Promise jobs the script queued run now, under the same deadline, and only so many of them.
    if (vm.rt.hasPendingJob()) {
      const jobs = vm.rt.executePendingJobs(limits.maxJobs);
      if (jobs.error) return this.failed(this.escaped(vm, jobs.error, 'run'), input.source, limits, started, shifts);
      // A job stopped by the deadline is no error QuickJS reports: the effects so far, and a timeout.
      if (this.expired) this.deadline = performance.now() + 20;
      const flood = vm.rt.hasPendingJob();
      text = callForString(vm, vm.finish);
      if (flood) {
        const message = `too many promise jobs (limit ${limits.maxJobs} per run)`;
        const f = new Failure('timeout', NO_ERROR, (JSON.parse(text) as RawResult).effects, true, message);
        return this.failed(f, input.source, limits, started);
      }
    }
    const raw = JSON.parse(text) as RawResult;
    const result: SandboxResult = { effects: raw.effects, cpuMs: this.spentMs(started) };
    if (this.expired) {
      // Past its deadline, whatever the script caught or left in a promise job: a timeout.
      return { ...result, error: describeError('timeout', NO_ERROR, limits), errorKind: 'timeout' };
    }
    if (raw.limit) {
      Object.assign(result, { error: raw.limit.message, errorKind: raw.limit.kind }, locate(raw.limit.stack, input.source, shifts));
    } else if (raw.error) {
      const kind = classify(raw.error, 'run');
      Object.assign(result, { error: describeError(kind, raw.error, limits), errorKind: kind }, locate(raw.error.stack, input.source, shifts));
      if (needsRecycle(kind)) this.stale = true;
    }
    return result;
  }

  private compile(vm: Vm, source: Instrumented | InstrumentError | Failure): { fn: QuickJSHandle; shifts: Shift[] } | Failure {
    if (source instanceof Failure) return source;
    if (source instanceof InstrumentError) return this.refused(vm, source);
    const code = source;
    const r = vm.ctx.evalCode(code.code, SCRIPT_FILE, { type: 'module' });
    if (r.error) return this.escaped(vm, r.error, 'compile');
    const fn = vm.ctx.getProp(r.value, 'default');
    r.value.dispose();
    if (vm.ctx.typeof(fn) !== 'function') {
      fn.dispose(); // only a body that broke out of the wrapper gets here; its module code already ran
      return new Failure('syntax', NO_ERROR, [], true, 'SyntaxError: a script must be a handler body');
    }
    return { fn, shifts: code.shifts };
  }

  /** A body the instrumenting pass could not take. QuickJS's own words are used when it rejects the
   * body too (compiled only, never run), so owners read the same messages as before. */
  private refused(vm: Vm, err: InstrumentError): Failure {
    if (err.kind === 'stack') return new Failure('stack', NO_ERROR, [], false);
    const r = vm.ctx.evalCode(err.source, SCRIPT_FILE, { type: 'module', compileOnly: true });
    if (r.error) return this.escaped(vm, r.error, 'compile');
    r.value.dispose();
    const where = err.line === undefined ? '' : ` (${SCRIPT_FILE}:${err.line}:${err.column ?? 1})`;
    return new Failure('syntax', { name: 'SyntaxError', message: err.message, stack: where }, [], false, err.message);
  }

  /** An exception that escaped the VM's try/catch: an uncatchable interrupt, an OOM/overflow in our own code. */
  private escaped(vm: Vm, handle: QuickJSHandle, phase: 'compile' | 'run'): Failure {
    const overflowed = this.overflowed;
    this.overflowed = false;
    // Describing it and collecting partial effects run VM code (a thrown object may have getters):
    // give that a short fresh deadline and no memory limit; this runtime is rebuilt after anyway.
    // If the VM cannot even describe what escaped, it ran out of time or (far more often) memory.
    const pastDeadline = performance.now() >= this.deadline;
    let e: VmError = { name: 'InternalError', message: pastDeadline ? 'interrupted' : 'out of memory', stack: '' };
    let effects: Effect[] = [];
    try {
      this.deadline = performance.now() + 20;
      vm.rt.setMemoryLimit((vm.memoryBytes = -1));
      e = JSON.parse(callForString(vm, vm.describe, handle)) as VmError;
      if (phase === 'run') effects = (JSON.parse(callForString(vm, vm.finish)) as RawResult).effects;
    } catch {
      // a VM that can't even describe its error still gets a result; it is rebuilt below
    } finally {
      handle.dispose();
    }
    const kind = overflowed ? 'stack' : classify(e, phase);
    return new Failure(kind, e, effects, kind !== 'syntax');
  }

  private failed(f: Failure, source: string, limits: SandboxLimits, started: number, shifts: Shift[] = []): SandboxResult {
    if (f.dirty) this.stale = true;
    return {
      effects: f.effects,
      error: f.message ?? describeError(f.kind, f.vmError, limits),
      errorKind: f.kind,
      ...locate(f.vmError.stack, source, shifts),
      cpuMs: this.spentMs(started),
    };
  }

  /** A trap or a host stack overflow unwound through WebAssembly: abandon that instance (its memory
   * is in an unknown state, so not even dispose it) and switch to the spare. */
  private crashed(err: unknown, limits: SandboxLimits, started: number): SandboxResult {
    this.vm = undefined;
    this.stale = false;
    this.swap();
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      return { effects: [], error: describeError('stack', NO_ERROR, limits), errorKind: 'stack', cpuMs: this.spentMs(started) };
    }
    return internal(`sandbox failure: ${err instanceof Error ? err.message : String(err)}`, this.spentMs(started));
  }

  private swap(): void {
    if (this.closed) return;
    if (this.spare && !this.vm) {
      this.wasm = this.spare;
      this.spare = undefined;
      try {
        this.vm = this.boot();
      } catch {
        return; // a fresh instance that can't boot: stay broken rather than loop
      }
    }
    this.refill ??= loadWasm(this.memoryBytes).then(
      (m) => {
        this.refill = undefined;
        this.spare = m;
        if (!this.vm) this.swap();
      },
      () => {
        this.refill = undefined;
      },
    );
  }

  private boot(): Vm {
    // The prelude is trusted and must not be cut short by the deadline of the run that caused a rebuild.
    const deadline = this.deadline;
    this.deadline = Infinity;
    try {
      return bootVm(this.wasm, this.interrupt, () => (this.overflowed = true));
    } finally {
      this.deadline = deadline;
    }
  }

  private recycle(): Vm {
    if (this.vm) disposeVm(this.vm);
    this.stale = false;
    return (this.vm = this.boot());
  }
}

/** The wrapped, instrumented body; or why it can't be run. */
function instrumented(source: string): Instrumented | InstrumentError | Failure {
  if (source.length > MAX_SOURCE_CHARS) {
    return new Failure('syntax', NO_ERROR, [], false, `script too long (max ${MAX_SOURCE_CHARS} characters)`);
  }
  try {
    return instrument(scriptModule(source));
  } catch (err) {
    if (err instanceof InstrumentError) return err;
    throw err;
  }
}

function internal(message: string, cpuMs: number): SandboxResult {
  return { effects: [], error: message, errorKind: 'internal', cpuMs };
}
