// What crosses the sandbox boundary: the job's view of the world in, recorded effects out, both the
// messages of script.proto. Inside the VM both are JSON text: the bridge never carries functions or host objects.
import type { Effect, ScriptView } from '@loom/proto';

export interface SandboxLimits {
  /** CPU deadline for compile + run + promise jobs, enforced by QuickJS's interrupt handler. */
  cpuMs: number;
  /** QuickJS's heap limit for the run; it refuses any single allocation above it. The total heap is
   * capped by the Sandbox's WebAssembly memory (SandboxOptions.memoryBytes), which this can't raise. */
  memoryBytes: number;
  /** QuickJS stack limit: without it, unbounded recursion overflows the WASM stack and kills the host. */
  stackBytes: number;
  maxEffects: number;
  /** UTF-8 bytes of all effects' fields, JSON-encoded. */
  maxOutputBytes: number;
  /** Promise jobs run after the handler returns; more than this and the run fails. */
  maxJobs: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  cpuMs: 50,
  memoryBytes: 16 * 1024 * 1024,
  stackBytes: 256 * 1024,
  maxEffects: 50,
  maxOutputBytes: 8 * 1024,
  maxJobs: 1000,
});

export interface SandboxInput {
  /** The handler body. */
  source: string;
  /** on_say, on_enter, ... (scripts see it as event.name). */
  eventName: string;
  view: ScriptView;
  limits?: Partial<SandboxLimits>;
  /** Seeds random() and Math.random(); a fresh host-random seed when absent. */
  seed?: number;
  /** What Date.now() returns inside the run (ms); the host clock at run start when absent. */
  now?: number;
}

export type ErrorKind =
  | 'timeout'
  | 'memory'
  | 'stack'
  | 'effects'
  | 'output'
  | 'syntax'
  | 'runtime'
  /** Refused unrun: the owner's scripts used their CPU budget (cpu-budget.ts). */
  | 'budget'
  /** The sandbox itself failed (a crashed or killed worker); not the script's doing as far as we know. */
  | 'internal';

export interface SandboxResult {
  /** Effects recorded before any error, in order; the world decides whether to apply them. */
  effects: Effect[];
  error?: string;
  errorKind?: ErrorKind;
  /** 1-based, relative to the script body. */
  line?: number;
  column?: number;
  /** Wall-clock time spent in the sandbox for this run. */
  cpuMs: number;
}

/** Fills in the defaults and clamps what a caller asks for into a range the host can survive. */
export function resolveLimits(partial: Partial<SandboxLimits> | undefined): SandboxLimits {
  if (!partial) return { ...DEFAULT_LIMITS };
  const pick = (key: keyof SandboxLimits, min: number, max: number): number => {
    const v = partial[key];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(max, Math.max(min, Math.floor(v))) : DEFAULT_LIMITS[key];
  };
  return {
    cpuMs: pick('cpuMs', 1, 10_000),
    memoryBytes: pick('memoryBytes', 2 * 1024 * 1024, 512 * 1024 * 1024),
    stackBytes: pick('stackBytes', 32 * 1024, 512 * 1024),
    maxEffects: pick('maxEffects', 1, 10_000),
    maxOutputBytes: pick('maxOutputBytes', 1, 16 * 1024 * 1024),
    maxJobs: pick('maxJobs', 1, 1_000_000),
  };
}
