// The scripting API: its reference (for docs/scripting.md and @help) and its implementation,
// which runs INSIDE QuickJS. Running the API in the VM means a script never calls back into the
// host during a run: no bridge crossings to attack, and ~10x more runs per second than
// host-implemented functions. Effects are serialised to JSON text inside the VM (each the fields of
// its kind's message in script.proto) and only that text leaves it. The helpers used here (recordAs,
// text, ref, objectRef, attrName, viewOf, writeAttr, nextRandom, players, spawnRef, addSpawn,
// dropProto, show) are defined by prelude.ts around this source.

import type { EffectKind } from '@loom/proto';

export interface ApiEntry {
  name: string;
  signature: string;
  description: string;
  example: string;
}

export const apiReference: ApiEntry[] = [
  /** emit: a message to the actor who caused the event. */
  { name: 'emit', signature: 'emit(text: string): void', description: 'Sends text to the actor who caused the event.', example: "emit('The lever does not budge.');" },
  /** tell: a message to one object (usually a player). */
  { name: 'tell', signature: 'tell(target: object | number, text: string): void', description: "Sends text to one player, given as an object from the event or its id: the actor, or someone in this object's room.", example: "tell(event.actor, 'Psst.');" },
  /** emitRoom: a message to everyone in the room. */
  { name: 'emitRoom', signature: 'emitRoom(text: string): void', description: "Sends text to everyone in this object's room (for a thing carried, the room its holder is in).", example: 'emitRoom(`${self.name} squawks: ${event.text}!`);' },
  /** teleport: move a player or thing to a room. */
  { name: 'teleport', signature: 'teleport(target: object | number, roomId: object | number): void', description: "Moves a player or thing to a room that the script's owner owns or that is public. The actor of the event may always be moved; anyone or anything else only if the owner could move it by hand.", example: 'teleport(event.actor, 42);' },
  /** move: put a thing somewhere (a room, a player, a container). */
  { name: 'move', signature: 'move(thing: object | number | string, destinationId: object | number | string): void', description: "Moves a thing the script's owner owns (or one it spawned) into the actor, this object, or a room or container the owner owns or that is public; accepts spawn references.", example: 'move(spawn("a rubber duck"), event.actor);' },
  /** spawn: create a new thing; returns a reference usable in later calls of the same run. */
  { name: 'spawn', signature: 'spawn(name: string, description?: string): string', description: "Creates a new thing, owned by the script's owner and counted in their quota, in the script's room unless moved; returns a reference like 'spawn:1' that later calls in this run accept as an object. A player's name is refused.", example: "const gem = spawn('a red gem', 'It glows faintly.'); setAttr(gem, 'value', 10);" },
  /** setAttr: store a JSON value on an object; getAttr sees it for the rest of the run. */
  { name: 'setAttr', signature: 'setAttr(target: object | number | string, name: string, value: JSON): void', description: 'Stores a JSON value in an attribute of an object. Names are letters, digits, _ . - (max 64).', example: "setAttr(self, 'visits', (getAttr(self, 'visits') ?? 0) + 1);" },
  /** getAttr: read an attribute of an object in the event (undefined if unknown). */
  { name: 'getAttr', signature: 'getAttr(target: object | number | string, name: string): JSON | undefined', description: 'Reads an attribute of an object that is part of the event (self, actor, room, item, from, to, players, spawned things).', example: "if (getAttr(event.actor, 'hasKey')) emit('Click.');" },
  /** schedule: run this object's on_timer (or another event) later. */
  { name: 'schedule', signature: 'schedule(seconds: number, eventName?: string): void', description: "Fires an event on this object after a delay (0 to 86400 s): 'on_timer' unless another is named, like 'on_ping'. A waiting timer is saved with the object, so it fires after a restart too; an object has at most 20 waiting.", example: 'schedule(30);' },
  /** call: run another object's handler, as its owner's script, after this run is kept. */
  { name: 'call', signature: 'call(target: object | number, eventName: string, args?: JSON): void', description: "Runs another object's handler for an event (its own, like 'on_open', or a world event) once this run's effects are kept, with that object's owner's rights; it sees event.caller and event.args. The target must be in the same room, the same owner's, or public; calls go at most 5 deep.", example: "call(42, 'on_open', { by: self.name });" },
  /** random: an integer in [min, max], from a per-run seeded generator (Math.random uses it too). */
  { name: 'random', signature: 'random(min: number, max: number): number', description: 'Returns a random integer between min and max inclusive.', example: "if (random(1, 6) === 6) emit('Lucky!');" },
  /** countPlayers: connected players in the room. */
  { name: 'countPlayers', signature: 'countPlayers(): number', description: 'Counts the connected players in the room.', example: "if (countPlayers() > 3) emitRoom('It is getting crowded.');" },
  /** hasItem: whether an object carries something, by name (case-insensitive) or id. */
  { name: 'hasItem', signature: 'hasItem(who: object | number, nameOrId: string | number): boolean', description: "Tells whether an object in the event carries an item, by name or id (from the object's contents).", example: "if (!hasItem(event.actor, 'lamp')) emit('It is dark.');" },
  /** log: a line in the owner's script log (console.log does the same). */
  { name: 'log', signature: 'log(...values: unknown[]): void', description: "Tells the script's owner a line, marked [log <object> #<id>], if the run's effects are kept (it counts as an effect); console.log is the same function.", example: "log('visits', getAttr(self, 'visits'));" },
];

/**
 * Each effect's API function, as VM source, keyed by the effect kinds of script.proto (a kind without
 * its function here, or a function for no kind, fails the typecheck). Each checks its arguments and
 * calls record(json) with the effect's fields (Effect.<kind>) as JSON, written out by hand rather
 * than through stringify() of an object (one allocation fewer per field, on the hottest path of a
 * run); record is bound to the kind. Attribute and event names, spawn references and seconds were
 * checked against patterns with no character JSON escapes.
 */
const effectFunctions: { [K in EffectKind]: string } = {
  emit: String.raw`(t) => { record('{"text":' + stringify(text('emit(text)', t)) + '}'); }`,
  tell: String.raw`(target, t) => {
    const fn = 'tell(target, text)';
    record('{"target":' + objectRef(ref(fn, 'target', target)) + ',"text":' + stringify(text(fn, t)) + '}');
  }`,
  emitRoom: String.raw`(t) => { record('{"text":' + stringify(text('emitRoom(text)', t)) + '}'); }`,
  teleport: String.raw`(target, room) => {
    const fn = 'teleport(target, roomId)';
    record('{"target":' + objectRef(ref(fn, 'target', target)) + ',"room":' + objectRef(ref(fn, 'roomId', room)) + '}');
  }`,
  move: String.raw`(thing, dest) => {
    const fn = 'move(thing, destinationId)';
    record('{"thing":' + objectRef(ref(fn, 'thing', thing)) + ',"destination":' + objectRef(ref(fn, 'destinationId', dest)) + '}');
  }`,
  spawn: String.raw`(name, description) => {
    const fn = 'spawn(name, description)';
    const n = text(fn, name);
    if (n.length === 0 || n.length > 100) throw new TypeError(fn + ': name must be 1 to 100 characters');
    const d = description === undefined ? '' : text(fn, description);
    const r = spawnRef();
    record('{"ref":"' + r + '","name":' + stringify(n) + ',"description":' + stringify(d) + '}');
    addSpawn(r, n);
    return r;
  }`,
  setAttr: String.raw`(target, name, value) => {
    const fn = 'setAttr(target, name, value)';
    const id = ref(fn, 'target', target);
    attrName(fn, name);
    let json = stringify(value, dropProto);
    if (json === undefined) json = 'null';
    record('{"target":' + objectRef(id) + ',"name":"' + name + '","valueJson":' + stringify(json) + '}');
    writeAttr(id, name, json);
  }`,
  schedule: String.raw`(seconds, eventName) => {
    const fn = 'schedule(seconds, eventName)';
    if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 86400)) throw new TypeError(fn + ': seconds must be a number from 0 to 86400');
    const e = eventName === undefined ? 'on_timer' : eventName;
    if (typeof e !== 'string' || !/^on_[a-z][a-z0-9_]{0,31}$/.test(e)) throw new TypeError(fn + ": eventName must look like 'on_timer'");
    record('{"seconds":' + seconds + ',"event":"' + e + '"}');
  }`,
  call: String.raw`(target, eventName, args) => {
    const fn = 'call(target, eventName, args)';
    const id = ref(fn, 'target', target);
    if (typeof eventName !== 'string' || !/^on_[a-z][a-z0-9_]{0,31}$/.test(eventName)) throw new TypeError(fn + ": eventName must look like 'on_open'");
    let json = args === undefined ? 'null' : stringify(args, dropProto);
    if (json === undefined) json = 'null';
    record('{"target":' + objectRef(id) + ',"event":"' + eventName + '","argsJson":' + stringify(json) + '}');
  }`,
  log: String.raw`(...values) => { record('{"text":' + stringify(values.map(show).join(' ')) + '}'); }`,
};

/** The API functions that record nothing: they read the view or the run's state. */
const queryFunctions = String.raw`
  getAttr: (target, name) => {
    const fn = 'getAttr(target, name)';
    const id = ref(fn, 'target', target);
    attrName(fn, name);
    const v = viewOf(id);
    const a = v && v.attributes;
    return typeof a === 'object' && a !== null && hasOwn(a, name) ? a[name] : undefined;
  },
  random: (min, max) => {
    if (!isInteger(min) || !isInteger(max) || min > max) throw new TypeError('random(min, max): min and max must be integers with min <= max');
    return min + floor(nextRandom() * (max - min + 1));
  },
  countPlayers: () => players().length,
  hasItem: (who, item) => {
    const fn = 'hasItem(who, nameOrId)';
    const v = viewOf(ref(fn, 'who', who));
    if (typeof item === 'object' && item !== null) item = item.id;
    if (typeof item !== 'number' && typeof item !== 'string') throw new TypeError(fn + ': nameOrId must be a name or an id');
    const c = v && v.contents;
    if (!isArray(c)) return false;
    const lower = typeof item === 'string' ? item.toLowerCase() : '';
    return c.some((o) => o !== null && typeof o === 'object' &&
      (typeof item === 'number' ? o.id === item : typeof o.name === 'string' && o.name.toLowerCase() === lower));
  },`;

/** VM source: evaluates to the API object. recordAs(kind) is the prelude's recorder for one kind of effect. */
export const API_SOURCE = `({${Object.entries(effectFunctions)
  .map(([kind, fn]) => `\n  ${kind}: ((record) => ${fn})(recordAs('${kind}')),`)
  .join('')}${queryFunctions}\n})`;
