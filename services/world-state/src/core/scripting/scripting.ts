// Events become script runs (off the tick's thread); their effects come back and are applied on a later tick.
import { randomUUID } from 'node:crypto';
import type { Game } from '../game.ts';
import type { WorldObj } from '../model.ts';
import type { ScriptJob, ScriptOutcome, ScriptRunner } from '@loom/world';
import { applyEffects } from './effects.ts';
import type { HandlerIndex } from './handlers.ts';
import { scriptView, type EventContext } from './views.ts';

export interface ScriptingOptions {
  runner: ScriptRunner;
  /** Runs each owner's scripts may start per second; more are dropped and the owner told once. */
  runsPerOwnerPerSecond: number;
  onError: (error: unknown) => void;
}

interface Timer {
  dueMs: number;
  objectId: number;
  event: string;
}

const maxKeptErrors = 10;

export class Scripting {
  private readonly pending = new Map<string, ScriptJob>();
  private readonly outcomes: ScriptOutcome[] = [];
  private timers: Timer[] = [];
  private budgetSecond = 0;
  private readonly spent = new Map<number, number>();

  constructor(
    private readonly game: Game,
    readonly handlers: HandlerIndex,
    private readonly options: ScriptingOptions,
  ) {}

  /** Runs the object's handler for the event, if it has one. */
  fire(event: string, self: WorldObj, context: EventContext = {}): void {
    const handler = this.handlers.get(self.id, event);
    if (!handler || self.flags.has('destroyed') || !this.withinBudget(self.ownerId)) return;
    const job: ScriptJob = {
      runId: randomUUID(),
      objectId: self.id,
      ownerId: self.ownerId,
      event,
      version: handler.version,
      source: handler.source,
      view: scriptView(this.game, self, context),
    };
    this.pending.set(job.runId, job);
    this.options.runner.submit(job).catch((error: unknown) => {
      this.pending.delete(job.runId);
      this.options.onError(error);
    });
  }

  /** The room and everything in it (but the actor) hear the event. */
  fireAround(event: string, room: WorldObj, context: EventContext): void {
    this.fire(event, room, context);
    for (const object of this.game.world.contentsOf(room.id)) {
      if (object.id !== context.actor?.id && object.kind !== 'exit') this.fire(event, object, context);
    }
  }

  /** An outcome from the sandbox, applied on the next tick. */
  received(outcome: ScriptOutcome): void {
    if (this.pending.has(outcome.runId)) this.outcomes.push(outcome);
  }

  /** Fires `event` (on_timer unless the script named another) on the object after a delay. */
  schedule(objectId: number, seconds: number, event: string): void {
    this.timers.push({ dueMs: this.game.now() + seconds * 1000, objectId, event });
  }

  /** Called every tick: applies what came back, fires timers that are due. */
  tick(): void {
    for (const outcome of this.outcomes.splice(0)) {
      const job = this.pending.get(outcome.runId);
      this.pending.delete(outcome.runId);
      if (job) this.apply(job, outcome);
    }
    const now = this.game.now();
    const due = this.timers.filter((t) => t.dueMs <= now);
    if (due.length === 0) return;
    this.timers = this.timers.filter((t) => t.dueMs > now);
    for (const timer of due) {
      const self = this.game.world.get(timer.objectId);
      if (self) this.fire(timer.event, self);
    }
  }

  private apply(job: ScriptJob, outcome: ScriptOutcome): void {
    const self = this.game.world.get(job.objectId);
    if (!self) return;
    const problems = applyEffects(this.game, this, job, self, outcome.effects);
    if (outcome.error) problems.unshift(`${outcome.error}${outcome.line ? ` (line ${outcome.line}${outcome.column ? `, column ${outcome.column}` : ''})` : ''}`);
    for (const problem of problems) this.reportError(job, self, problem, outcome.errorKind ?? 'effect');
  }

  /** Told to the owner in-world, kept on the object for @script/errors; nobody else notices. */
  private reportError(job: ScriptJob, self: WorldObj, message: string, kind: string): void {
    const kept = Array.isArray(self.attributes.script_errors) ? (self.attributes.script_errors as unknown[]) : [];
    self.attributes.script_errors = [...kept, { atMs: this.game.now(), event: job.event, version: job.version, kind, message }].slice(-maxKeptErrors);
    this.game.world.touch(self);
    this.game.tell(job.ownerId, `{r}Script error in ${job.event} of ${self.name} (#${self.id}), version ${job.version}: ${message}{x}`);
  }

  private withinBudget(ownerId: number): boolean {
    const second = Math.floor(this.game.now() / 1000);
    if (second !== this.budgetSecond) {
      this.budgetSecond = second;
      this.spent.clear();
    }
    const used = (this.spent.get(ownerId) ?? 0) + 1;
    this.spent.set(ownerId, used);
    if (used === this.options.runsPerOwnerPerSecond + 1) {
      this.game.tell(ownerId, `{r}Your scripts started more than ${this.options.runsPerOwnerPerSecond} runs this second; the rest were skipped.{x}`);
    }
    return used <= this.options.runsPerOwnerPerSecond;
  }
}
