// Applying what a script asked for, with its owner's rights: what the owner could not do, the script cannot.
import { effectKind, type Effect, type EffectKind, type EffectOf, type ObjectRef, type ScriptJob } from '@loom/proto';
import { cleanText, cleanValue, escapeMarkup, isScriptEvent } from '@loom/world';
import type { Game } from '../game.ts';
import type { WorldObj } from '../model.ts';
import { isLockAttribute } from '../locks.ts';
import { place } from '../movement.ts';
import { attributeNamePattern, canLinkTo, canModify, isWorldKept } from '../permissions.ts';
import type { Scripting } from './scripting.ts';
import { RunUndo } from './undo.ts';

const maxTextLength = 2000;
/** A call() chain deeper than this is refused (a lever calls a door calls a bell...). */
const maxCallDepth = 5;
// Besides what the world keeps, locks are their owner's to set (@lock), never a script's.

class Refused extends Error {}

/** Script output as it may reach players: no escape sequences or other controls, no markup of its own. */
function text(value: string, multiline = true): string {
  return escapeMarkup(cleanText(value.slice(0, maxTextLength), multiline));
}

/** A JSON argument the sandbox recorded as text; text that is not JSON is refused. */
function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Refused('expected a JSON value');
  }
}

interface Scope {
  game: Game;
  job: ScriptJob;
  self: WorldObj;
  owner: WorldObj | undefined;
  /** Who the script acts for: its owner and the author of the running version. Both must be allowed. */
  principals: Array<{ who: WorldObj; role: string }>;
  /** Things spawned in this run, by the reference spawn() returned. */
  spawned: Map<string, WorldObj>;
  scripting: Scripting;
  /** Every applier calls undo.before(object) before it changes an object, and undo.made(object) for what it creates. */
  undo: RunUndo;
}

function object(scope: Scope, ref: ObjectRef | undefined): WorldObj {
  const found = ref?.id !== undefined ? scope.game.world.get(ref.id) : ref?.spawn !== undefined ? scope.spawned.get(ref.spawn) : undefined;
  if (!found || found.flags.has('destroyed')) throw new Refused(`no object ${JSON.stringify(ref?.id ?? ref?.spawn ?? null)}`);
  return found;
}

/** Whether the owner and the author both may change the target: a script borrows nobody's rights. */
function mayModify(scope: Scope, target: WorldObj): boolean {
  return scope.principals.length > 0 && scope.principals.every(({ who, role }) => canModify(role, who, target));
}

function mayLinkTo(scope: Scope, room: WorldObj): boolean {
  return scope.principals.length > 0 && scope.principals.every(({ who, role }) => canLinkTo(role, who, room));
}

/** The actor of the event may be moved by the script of what it touched (a trap, a door); anything else must be the owner's. */
function mayMove(scope: Scope, target: WorldObj): boolean {
  return target.id === scope.job.view?.actor?.id || mayModify(scope, target);
}

function roomOf(scope: Scope): WorldObj | undefined {
  return scope.game.roomAround(scope.self);
}

/**
 * Tells the readers (all in one room) what the script says. A line is marked with the object's name
 * (`[parrot] ...`) for readers who asked for that (the nospoof flag), and for all when it starts with the
 * name of someone or something else there: a script may not pass its words off as a player's ("Wiz has
 * entered the world."). Whether it does is worked out once per line, not once per reader.
 */
function say(scope: Scope, readers: WorldObj[], text: string): void {
  const first = readers[0];
  if (!first) return;
  const message = scope.game.options.filterWords?.(text) ?? text;
  const speaker = scope.self;
  const lower = message.toLowerCase();
  const begins = (name: string) => lower.startsWith(name.toLowerCase()) && !/[\p{L}\p{N}]/u.test(lower.charAt(name.length));
  const others = () => [...scope.game.world.contentsOf(scope.game.roomAround(first)?.id ?? 0), ...scope.game.sessions.all().map((s) => scope.game.world.get(s.playerId))];
  const spoofs = !begins(speaker.name) && others().some((o) => o !== undefined && o.id !== speaker.id && o.kind !== 'exit' && begins(o.name));
  const marked = `{w}[${escapeMarkup(speaker.name)}]{x} ${message}`;
  for (const to of readers) scope.game.tell(to, spoofs || to.flags.has('nospoof') ? marked : message);
}

/** One applier per kind of effect script.proto declares: a kind without one fails the typecheck. */
const appliers: { [K in EffectKind]: (scope: Scope, effect: EffectOf<K>) => void } = {
  emit(scope, { text: message }) {
    const actor = scope.job.view?.actor && scope.game.world.get(scope.job.view.actor.id);
    if (actor) say(scope, [actor], text(message));
  },
  tell(scope, { target, text: message }) {
    const to = object(scope, target);
    const room = roomOf(scope);
    if (to.id !== scope.job.view?.actor?.id && scope.game.roomAround(to)?.id !== room?.id) throw new Refused(`${to.name} is not here to be told`);
    say(scope, [to], text(message));
  },
  emitRoom(scope, { text: message }) {
    const room = roomOf(scope);
    if (!room) return;
    say(scope, scope.game.playersIn(room.id), text(message));
  },
  teleport(scope, { target, room: roomId }) {
    const who = object(scope, target);
    const room = object(scope, roomId);
    if (room.kind !== 'room') throw new Refused(`#${room.id} is not a room`);
    if (!mayMove(scope, who)) throw new Refused(`the owner may not move ${who.name}`);
    if (!mayLinkTo(scope, room)) throw new Refused(`the owner may not send anyone to ${room.name} (not theirs, not public)`);
    const name = scope.game.nameOf(who);
    scope.undo.before(who);
    if (who.kind === 'player') place(scope.game, who, room.id, `${name} appears.`, `${name} vanishes.`);
    else scope.game.world.move(who, room.id);
  },
  move(scope, { thing, destination }) {
    const what = object(scope, thing);
    const to = object(scope, destination);
    if (what.kind === 'room' || what.kind === 'player') throw new Refused('move() moves things; teleport() moves people');
    if (!mayMove(scope, what)) throw new Refused(`the owner may not move ${what.name}`);
    const allowed = to.id === scope.job.view?.actor?.id || to.id === scope.self.id || mayLinkTo(scope, to);
    if (!allowed) throw new Refused(`the owner may not put things into ${to.name}`);
    scope.undo.before(what);
    scope.game.world.move(what, to.id);
  },
  spawn(scope, { ref, name, description }) {
    const room = roomOf(scope);
    if (!room || !scope.owner) throw new Refused('nowhere to spawn into');
    const refused = scope.game.takenByPlayer(text(name, false)) ?? scope.game.overQuota(scope.owner);
    if (refused) throw new Refused(refused);
    const thing = scope.game.world.create({ name: text(name, false).slice(0, 60), kind: 'thing', locationId: room.id, ownerId: scope.owner.id, description: text(description) });
    scope.undo.made(thing);
    scope.spawned.set(ref, thing);
  },
  log(scope, { text: message }) {
    scope.game.tell(scope.job.ownerId, `{w}[log ${scope.self.name} #${scope.self.id}]{x} ${text(message)}`);
  },
  setAttr(scope, { target, name, valueJson }) {
    const on = object(scope, target);
    if (!attributeNamePattern.test(name) || isWorldKept(on, name) || isLockAttribute(name)) throw new Refused(`"${name}" cannot be set by a script`);
    if (on.id !== scope.self.id && !mayModify(scope, on)) throw new Refused(`the owner may not change ${on.name}`);
    const value = json(valueJson);
    scope.undo.before(on);
    if (value === null) delete on.attributes[name];
    else on.attributes[name] = cleanValue(value);
    scope.game.world.touch(on);
  },
  call(scope, { target, event, argsJson }) {
    const callee = object(scope, target);
    if (!isScriptEvent(event)) throw new Refused(`"${event}" is not an event`);
    const depth = (scope.job.depth ?? 0) + 1;
    if (depth > maxCallDepth) throw new Refused(`calls go at most ${maxCallDepth} deep`);
    const near = scope.game.roomAround(callee)?.id === roomOf(scope)?.id;
    if (!near && callee.ownerId !== scope.self.ownerId && !callee.flags.has('public')) throw new Refused(`${callee.name} is not here, not the owner's and not public`);
    const actor = scope.job.view?.actor ? scope.game.world.get(scope.job.view.actor.id) : undefined;
    // The callee runs as its own owner's script, after its own runs before it, when this run is kept.
    scope.scripting.fire(event, callee, { actor, caller: scope.self, args: json(argsJson || 'null') ?? undefined, depth });
  },
  schedule(scope, { seconds, event }) {
    if (!(seconds >= 0 && seconds <= 86400)) throw new Refused('schedule() takes 0 to 86400 seconds');
    const name = event || 'on_timer';
    if (!isScriptEvent(name)) throw new Refused(`"${name}" is not an event`);
    try {
      scope.undo.before(scope.self);
      scope.scripting.schedule(scope.self, seconds, name);
    } catch (error) {
      throw new Refused((error as Error).message);
    }
  },
};

/** Applies one effect by the applier of its kind. */
function applyOne<K extends EffectKind>(scope: Scope, kind: K, effect: Effect): void {
  const fields = effect[kind];
  if (fields !== undefined) appliers[kind](scope, fields);
}

/**
 * Applies a run's effects together or not at all: the first that is refused undoes those before it, and
 * nothing the run said reaches anyone. Returns why it was refused (nothing, if every effect was kept).
 */
export function applyEffects(game: Game, scripting: Scripting, job: ScriptJob, self: WorldObj, effects: Effect[]): string | undefined {
  const roleOf = (who: WorldObj) => (typeof who.attributes.role === 'string' ? who.attributes.role : 'player');
  const owner = game.world.get(job.ownerId);
  const author = game.world.get(job.authorId);
  const principals = [owner, author].filter((who, i, all): who is WorldObj => who !== undefined && all.indexOf(who) === i).map((who) => ({ who, role: roleOf(who) }));
  // An author who is gone leaves the script with no rights beyond the actor's own moves.
  if (job.authorId && !author) principals.length = 0;
  const undo = new RunUndo(game.world, game.components);
  const scope: Scope = { game, job, self, owner, principals, spawned: new Map(), scripting, undo };
  let refusal: string | undefined;
  game.withheld(() => {
    for (const effect of effects) {
      const kind = effectKind(effect);
      try {
        if (!kind) throw new Refused('an effect of no kind this world knows');
        applyOne(scope, kind, effect);
      } catch (error) {
        refusal = `${kind ?? 'effect'}: ${error instanceof Refused ? error.message : `could not be applied (${(error as Error).message})`}`;
        undo.undo();
        return false;
      }
    }
    return true;
  });
  return refusal;
}
