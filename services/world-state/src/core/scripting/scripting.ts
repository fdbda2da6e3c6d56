// Events become script runs (off the tick's thread); their effects come back and are applied on a later tick.
import { randomUUID } from 'node:crypto';
import type { Components } from '../ecs.ts';
import type { Game } from '../game.ts';
import type { WorldObj } from '../model.ts';
import type { ScriptJob, ScriptOutcome } from '@loom/proto';
import { cleanText, escapeMarkup } from '@loom/world';
import { applyEffects } from './effects.ts';
import type { HandlerIndex } from './handlers.ts';
import { RunBudget } from './run-budget.ts';
import { scriptView, type EventContext } from './views.ts';

/** Sends jobs to the sandbox; outcomes come back to the engine later, never blocking the tick. */
export interface ScriptRunner {
  submit(job: ScriptJob): Promise<void>;
}

export interface ScriptingOptions {
  runner: ScriptRunner;
  /** Runs each owner's scripts may start per second; more are dropped and the owner told once. */
  runsPerOwnerPerSecond: number;
  onError: (error: unknown) => void;
}

const maxKeptErrors = 10;
const maxTimersPerObject = 20;

/**
 * Matches a listen pattern: `*` stands for anything (what it stood for is returned), the rest is literal,
 * case aside. Each literal piece is found left to right with indexOf, so a pattern of many stars costs
 * one pass over the line, never a regular expression's backtracking.
 */
export function matchListen(pattern: string, line: string): string[] | undefined {
  const pieces = pattern.toLowerCase().split('*');
  const text = line.toLowerCase();
  const first = pieces[0]!;
  if (!text.startsWith(first)) return undefined;
  if (pieces.length === 1) return text === first ? [] : undefined;
  const last = pieces.at(-1)!;
  const end = text.length - last.length;
  if (end < first.length || !text.endsWith(last)) return undefined;
  const captured: string[] = [];
  let at = first.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return undefined;
    captured.push(line.slice(at, found));
    at = found + piece.length;
  }
  captured.push(line.slice(at, end));
  return captured;
}

/** A run waiting for the one before it on the same object. */
interface Waiting {
  event: string;
  context: EventContext;
}

/** Runs one object may have waiting behind the running one; more are dropped and the owner told. */
const maxWaitingPerObject = 100;
/** A run whose outcome has not come back by then (an executor died with it) is given up, so its object's runs go on. */
const lostAfterMs = 30_000;

export class Scripting {
  /** Runs submitted and not yet back, by run id. */
  private readonly pending = new Map<string, { job: ScriptJob; submittedAtMs: number }>();
  /** The run each object has in flight: one at a time per object, so each run sees what the one before did. */
  private readonly running = new Map<number, string>();
  private readonly waiting = new Map<number, Waiting[]>();
  private readonly runs: RunBudget;
  /** When each owner was last told that the executor refused a run for CPU budget. */
  private readonly toldBudgetAtMs = new Map<number, number>();
  /** When each owner was last told that runs were skipped, over runsPerOwnerPerSecond. */
  private readonly toldSkippedAtMs = new Map<number, number>();

  constructor(
    private readonly game: Game,
    readonly handlers: HandlerIndex,
    private readonly options: ScriptingOptions,
  ) {
    this.runs = new RunBudget({ perSecond: options.runsPerOwnerPerSecond, now: () => game.now() });
  }

  private get components(): Components {
    return this.game.components;
  }

  /**
   * Runs the object's handler for the event, if it has one: now, or after the object's run in flight
   * (runs on one object go one at a time, in order; runs on different objects go in parallel).
   */
  fire(event: string, self: WorldObj, context: EventContext = {}): void {
    // Caused by a run's effects: fires only if they are kept.
    if (this.game.deferredIfWithheld(() => this.fire(event, self, context))) return;
    // Halted (given to a new owner, or by hand): nothing runs until the owner clears the flag.
    if (!this.handlers.get(self.id, event) || !this.mayRun(self) || !this.withinBudget(self.ownerId)) return;
    if (!this.running.has(self.id)) return this.dispatch(event, self, context);
    const queue = this.waiting.get(self.id) ?? [];
    if (queue.length >= maxWaitingPerObject) {
      if (queue.length === maxWaitingPerObject) this.game.tell(self.ownerId, `{r}${self.name} (#${self.id}) has ${maxWaitingPerObject} runs waiting; more are dropped until it catches up.{x}`);
      return;
    }
    queue.push({ event, context });
    this.waiting.set(self.id, queue);
  }

  private mayRun(self: WorldObj): boolean {
    return this.game.world.get(self.id) === self && !self.flags.has('destroyed') && !self.flags.has('halted');
  }

  /** Sends the run to the sandbox with a view of the world as it is now (after the object's previous run). */
  private dispatch(event: string, self: WorldObj, context: EventContext): void {
    const handler = this.handlers.get(self.id, event);
    if (!handler) return this.next(self.id);
    const job: ScriptJob = {
      runId: randomUUID(),
      objectId: self.id,
      ownerId: self.ownerId,
      authorId: handler.authorId,
      event,
      version: handler.version,
      source: handler.source,
      view: scriptView(this.game, self, context),
      depth: context.depth ?? 0,
    };
    this.pending.set(job.runId, { job, submittedAtMs: this.game.now() });
    this.running.set(self.id, job.runId);
    this.options.runner.submit(job).catch((error: unknown) => {
      this.options.onError(error);
      this.finished(job.runId);
    });
  }

  /** The run is over (applied, failed to start, or lost): the object's next waiting run goes. */
  private finished(runId: string): void {
    const entry = this.pending.get(runId);
    if (!entry) return;
    this.pending.delete(runId);
    if (this.running.get(entry.job.objectId) === runId) this.running.delete(entry.job.objectId);
    this.next(entry.job.objectId);
  }

  private next(objectId: number): void {
    const queue = this.waiting.get(objectId);
    const self = this.game.world.get(objectId);
    for (let run = queue?.shift(); run; run = queue?.shift()) {
      if (!self || !this.mayRun(self)) break;
      if (!this.handlers.get(objectId, run.event)) continue;
      if (!queue?.length) this.waiting.delete(objectId);
      return this.dispatch(run.event, self, run.context);
    }
    this.waiting.delete(objectId);
  }

  /** The room and everything in it (but the actor) hear the event. */
  fireAround(event: string, room: WorldObj, context: EventContext): void {
    this.fire(event, room, context);
    for (const object of this.game.world.contentsOf(room.id)) {
      if (object.id !== context.actor?.id && object.kind !== 'exit') this.fire(event, object, context);
    }
  }

  /**
   * A line said or posed in the room, as others read it: things there whose attribute `listen` is a
   * pattern it matches (`*hello*`; * matches anything, case aside) hear it (on_listen), with what each
   * * matched as event.args (the MUSH ^-listen).
   */
  heard(room: WorldObj, line: string, actor: WorldObj): void {
    for (const object of this.game.world.contentsOf(room.id)) {
      const pattern = object.attributes.listen;
      if (object.id === actor.id || typeof pattern !== 'string' || !this.handlers.get(object.id, 'on_listen')) continue;
      const args = matchListen(pattern, line);
      if (args) this.fire('on_listen', object, { actor, text: line, args });
    }
  }

  /** A channel line: objects whose attribute `channels` lists the channel hear it (on_chat). */
  chatHeard(channel: string, text: string, sender: WorldObj | undefined): void {
    for (const id of this.handlers.withEvent('on_chat')) {
      const listener = this.game.world.get(id);
      const channels = listener?.attributes.channels;
      if (listener && Array.isArray(channels) && channels.includes(channel)) this.fire('on_chat', listener, { actor: sender, text, channel });
    }
  }

  /** An outcome from the sandbox, applied as it arrives (as a typed command is); then the object's next run goes. */
  received(outcome: ScriptOutcome): void {
    const entry = this.pending.get(outcome.runId);
    if (!entry) return; // a duplicate delivery, or a run given up as lost
    try {
      this.apply(entry.job, outcome);
    } finally {
      this.finished(outcome.runId);
    }
  }

  /** Resolves once no run is out, or after `withinMs`: a stopping world waits for the runs it sent. */
  async settled(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Fires `event` (on_timer unless the script named another) on the object after a delay; saved with it. */
  schedule(object: WorldObj, seconds: number, event: string): void {
    const timers = this.components.get(object, 'timers') ?? [];
    if (timers.length >= maxTimersPerObject) throw new Error(`an object may have at most ${maxTimersPerObject} timers waiting`);
    this.components.set(object, 'timers', [...timers, { dueMs: this.game.now() + seconds * 1000, event }]);
  }

  /** Called every tick: fires timers that are due, gives up runs that never came back. */
  tick(): void {
    this.runTimers();
    const now = this.game.now();
    for (const [runId, { job, submittedAtMs }] of this.pending) {
      if (now - submittedAtMs < lostAfterMs) continue;
      const self = this.game.world.get(job.objectId);
      if (self) this.reportError(job, self, `the run did not come back within ${lostAfterMs / 1000} s and was given up`, 'lost');
      this.finished(runId);
    }
  }

  /** The timer system: fires what is due, keeps the rest. */
  private runTimers(): void {
    const now = this.game.now();
    for (const object of this.components.with('timers')) {
      const timers = this.components.get(object, 'timers') ?? [];
      if (!timers.some((t) => t.dueMs <= now)) continue;
      const waiting = timers.filter((t) => t.dueMs > now);
      if (waiting.length) this.components.set(object, 'timers', waiting);
      else this.components.remove(object, 'timers');
      for (const timer of timers) if (timer.dueMs <= now) this.fire(timer.event, object);
    }
  }

  /** A run that failed or was refused changes nothing; the owner is told why, the actor what the object says. */
  private apply(job: ScriptJob, outcome: ScriptOutcome): void {
    const self = this.game.world.get(job.objectId);
    if (!self) return;
    const problem = outcome.error
      ? `${outcome.error}${outcome.line ? ` (line ${outcome.line}${outcome.column ? `, column ${outcome.column}` : ''})` : ''}`
      : applyEffects(this.game, this, job, self, outcome.effects);
    if (problem === undefined) return;
    this.reportError(job, self, problem, outcome.errorKind || 'effect');
    const actor = job.view?.actor?.id;
    const failText = typeof self.attributes.fail === 'string' ? escapeMarkup(cleanText(self.attributes.fail)) : job.event === 'on_use' ? 'Nothing happens.' : undefined;
    if (actor && failText) this.game.tell(actor, failText);
  }

  /** Told to the owner in-world, kept on the object for @script/errors; nobody else notices. */
  private reportError(job: ScriptJob, self: WorldObj, message: string, kind: string): void {
    const kept = Array.isArray(self.attributes.script_errors) ? (self.attributes.script_errors as unknown[]) : [];
    self.attributes.script_errors = [...kept, { atMs: this.game.now(), event: job.event, version: job.version, kind, message }].slice(-maxKeptErrors);
    this.game.world.touch(self);
    if (kind === 'budget' && toldLately(this.toldBudgetAtMs, job.ownerId, this.game.now())) return;
    this.game.tell(job.ownerId, `{r}Script error in ${job.event} of ${self.name} (#${self.id}), version ${job.version}: ${message}{x}`);
  }

  /** Takes one run from the owner's budget; the owner is told (once a second at most) when runs are skipped. */
  private withinBudget(ownerId: number): boolean {
    if (this.runs.tryTake(ownerId)) return true;
    if (!toldLately(this.toldSkippedAtMs, ownerId, this.game.now())) {
      this.game.tell(ownerId, `{r}Your scripts started more than ${this.options.runsPerOwnerPerSecond} runs this second; the rest were skipped.{x}`);
    }
    return false;
  }
}

/**
 * Whether the owner was told within the last second, noting now if not. An owner over a budget has
 * every run refused, maybe hundreds a second: they are told once a second at most (every refusal
 * of the CPU budget is still kept on its object). Other errors are told each time: each cost a run
 * the owner's budget allowed.
 */
function toldLately(toldAtMs: Map<number, number>, ownerId: number, now: number): boolean {
  for (const [owner, atMs] of toldAtMs) if (now - atMs >= 1000) toldAtMs.delete(owner);
  if (toldAtMs.has(ownerId)) return true;
  toldAtMs.set(ownerId, now);
  return false;
}
