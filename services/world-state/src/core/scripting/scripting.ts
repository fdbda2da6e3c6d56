// Events become script runs (off the tick's thread); their effects come back and are applied on a later tick.
import { randomUUID } from 'node:crypto';
import type { Components } from '../ecs.ts';
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

const maxKeptErrors = 10;
const maxTimersPerObject = 20;

export class Scripting {
  private readonly pending = new Map<string, ScriptJob>();
  private readonly outcomes: ScriptOutcome[] = [];
  private budgetSecond = 0;
  private readonly spent = new Map<number, number>();

  constructor(
    private readonly game: Game,
    readonly handlers: HandlerIndex,
    private readonly options: ScriptingOptions,
  ) {}

  private get components(): Components {
    return this.game.components;
  }

  /** Runs the object's handler for the event, if it has one. */
  fire(event: string, self: WorldObj, context: EventContext = {}): void {
    const handler = this.handlers.get(self.id, event);
    // Halted (given to a new owner, or by hand): nothing runs until the owner clears the flag.
    if (!handler || self.flags.has('destroyed') || self.flags.has('halted') || !this.withinBudget(self.ownerId)) return;
    const job: ScriptJob = {
      runId: randomUUID(),
      objectId: self.id,
      ownerId: self.ownerId,
      authorId: handler.authorId,
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

  /** A channel line: objects whose attribute `channels` lists the channel hear it (on_chat). */
  chatHeard(channel: string, text: string, sender: WorldObj | undefined): void {
    for (const id of this.handlers.withEvent('on_chat')) {
      const listener = this.game.world.get(id);
      const channels = listener?.attributes.channels;
      if (listener && Array.isArray(channels) && channels.includes(channel)) this.fire('on_chat', listener, { actor: sender, text, channel });
    }
  }

  /** An outcome from the sandbox, applied on the next tick. */
  received(outcome: ScriptOutcome): void {
    if (this.pending.has(outcome.runId)) this.outcomes.push(outcome);
  }

  /** Fires `event` (on_timer unless the script named another) on the object after a delay; saved with it. */
  schedule(object: WorldObj, seconds: number, event: string): void {
    const timers = this.components.get(object, 'timers') ?? [];
    if (timers.length >= maxTimersPerObject) throw new Error(`an object may have at most ${maxTimersPerObject} timers waiting`);
    this.components.set(object, 'timers', [...timers, { dueMs: this.game.now() + seconds * 1000, event }]);
  }

  /** Called every tick: applies what came back, fires timers that are due. */
  tick(): void {
    for (const outcome of this.outcomes.splice(0)) {
      const job = this.pending.get(outcome.runId);
      this.pending.delete(outcome.runId);
      if (job) this.apply(job, outcome);
    }
    this.runTimers();
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
