// The VM-side program evaluated once per QuickJS context, before any script. It installs the API
// as globals, swaps Date and Math.random for per-run deterministic versions, then FREEZES the whole
// realm (every intrinsic reachable from the global object, plus hidden ones such as generator and
// iterator prototypes). Freezing is what makes reusing one context for many scripts safe: a script
// cannot leave anything behind for the next run (of another owner) to trip over. It evaluates to
// { run, finish, describe }, held only by the host (no script can reach them).
import { attributeNamePattern } from '@loom/world';
import { API_SOURCE } from './api.ts';
import { OVERFLOW_GUARD } from './instrument.ts';

export const PRELUDE_SOURCE = String.raw`(() => {
'use strict';
const G = globalThis, O = Object;
const freeze = O.freeze, getProto = O.getPrototypeOf, gopd = O.getOwnPropertyDescriptor;
const defProp = O.defineProperty, ownKeys = Reflect.ownKeys, hasOwnP = O.prototype.hasOwnProperty;
const hasOwn = (o, k) => hasOwnP.call(o, k);
const parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray, isInteger = Number.isInteger;
const floor = Math.floor, imul = Math.imul, RealDate = G.Date, RealPromise = G.Promise;
const NON_ASCII = /[^\x00-\x7f]/;

// ---- per-run state, reset by run() ----
let out = [], outBytes = 0, maxEffects = 0, maxOutput = 0, limit = null, runError = null;
let writes = null, spawned = null, spawns = 0, rng = 0, now = 0;
// The view arrives as JSON text, one slice per object (self, actor, room, item, from, to, players);
// each is parsed the first time the script (or the API) touches it, so a run pays only for what
// it reads (most handlers read self and one or two fields of event).
const SELF = 0, PLAYERS = 6;
let src = '', h = null, parsed = [];
const part = (i) => {
  if (parsed[i] === undefined) {
    let at = h[6];
    for (let k = 0; k < i; k++) at += h[7 + k];
    const v = h[7 + i] === 0 ? null : parse(src.slice(at, at + h[7 + i]));
    if (writes !== null) { if (i === PLAYERS && isArray(v)) v.forEach(applyWrites); else applyWrites(v); }
    parsed[i] = v;
  }
  return parsed[i] === null ? undefined : parsed[i];
};
const players = () => { const p = part(PLAYERS); return isArray(p) ? p : (parsed[PLAYERS] = []); };

const utf8 = (s) => {
  if (!NON_ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c < 0xe000) ? 2 : 3; }
  return n;
};
const fail = (kind, message) => {
  if (limit === null) limit = { kind, message, stack: String(new Error(message).stack) };
  throw new RangeError(message);
};
// Limits are checked here, in trusted code; a script that catches the RangeError is still reported.
// An effect leaves as {"<kind>": <fields>}, the JSON of script.proto's Effect.
const recordAs = (kind) => (fieldsJson) => {
  if (limit !== null) throw new RangeError(limit.message);
  if (out.length >= maxEffects) fail('effects', 'too many effects (limit ' + maxEffects + ' per run)');
  outBytes += utf8(fieldsJson);
  if (outBytes > maxOutput) fail('output', 'too much output (limit ' + maxOutput + ' bytes per run)');
  out.push('{"' + kind + '":' + fieldsJson + '}');
};
const typeName = (v) => (v === null ? 'null' : isArray(v) ? 'an array' : typeof v);
const text = (fn, v) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TypeError(fn + ': text must be a string, got ' + typeName(v));
};
const SPAWN = /^spawn:[1-9][0-9]{0,5}$/;
const ref = (fn, what, v) => {
  if (typeof v === 'object' && v !== null) v = v.id;
  if (typeof v === 'number' && isInteger(v) && v > 0) return v;
  if (typeof v === 'string' && SPAWN.test(v) && +v.slice(6) <= spawns) return v;
  throw new TypeError(fn + ': ' + what + ' must be an object, an object id or a spawn reference, got ' + typeName(v));
};
// What ref() returned, as script.proto's ObjectRef in JSON (a spawn reference matches SPAWN: nothing to escape).
const objectRef = (r) => (typeof r === 'number' ? '{"id":' + r + '}' : '{"spawn":"' + r + '"}');
// The world's own rule for attribute names (a name it would refuse fails here, at the line that used it).
const ATTR = /${attributeNamePattern.source}/;
const attrName = (fn, name) => {
  if (typeof name !== 'string' || !ATTR.test(name) || name === '__proto__' || name === 'constructor' || name === 'prototype')
    throw new TypeError(fn + ': name must be 1-64 letters, digits, _ . - (and not a reserved word)');
};
// Own '__proto__' keys (JSON.parse makes them) are dropped so no consumer can misuse them.
const dropProto = (k, v) => (k === '__proto__' ? undefined : v);
// Objects are looked up by id through the slices, parsing only as far as needed (self first).
const viewOf = (id) => {
  if (typeof id === 'string') return spawned === null ? undefined : spawned.get(id);
  for (let i = SELF; i < PLAYERS; i++) { const v = part(i); if (v !== undefined && v !== null && v.id === id) return v; }
  return players().find((p) => p !== null && typeof p === 'object' && p.id === id);
};
const setOn = (v, name, json) => {
  if (typeof v.attributes !== 'object' || v.attributes === null) v.attributes = {};
  v.attributes[name] = parse(json);
};
// setAttr updates every copy of the object already parsed, and is remembered in writes for the
// copies parsed later (the actor is often in players too), so getAttr always sees it.
const applyWrites = (v) => {
  if (v === null || typeof v !== 'object') return;
  const w = writes.get(v.id);
  if (w) for (const [name, json] of w) setOn(v, name, json);
};
const writeAttr = (id, name, json) => {
  if (typeof id === 'string') { const v = viewOf(id); if (v) setOn(v, name, json); return; }
  if (writes === null) writes = new Map();
  if (!writes.has(id)) writes.set(id, new Map());
  writes.get(id).set(name, json);
  for (let i = SELF; i <= PLAYERS; i++) {
    const v = parsed[i];
    if (v === undefined || v === null || typeof v !== 'object') continue;
    if (i !== PLAYERS) { if (v.id === id) setOn(v, name, json); } else if (isArray(v)) {
      for (const p of v) if (p !== null && typeof p === 'object' && p.id === id) setOn(p, name, json);
    }
  }
};
const spawnRef = () => 'spawn:' + (spawns + 1);
const addSpawn = (r, name) => {
  spawns++;
  if (spawned === null) spawned = new Map();
  spawned.set(r, { id: r, name, kind: 'thing', attributes: {}, contents: [] });
};
const show = (v) => {
  if (typeof v === 'string') return v;
  try { const s = stringify(v); return s === undefined ? String(v) : s; } catch (e) { caught(e); return '[unprintable]'; }
};
// mulberry32: tiny, fast, seeded per run by the host.
const nextRandom = () => {
  rng = (rng + 0x6d2b79f5) | 0;
  let t = imul(rng ^ (rng >>> 15), 1 | rng);
  t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const api = ${API_SOURCE};

// ---- the clock and randomness a script sees ----
const Date = function Date(...a) {
  if (new.target === undefined) return new RealDate(now).toString();
  return a.length === 0 ? new RealDate(now) : new RealDate(...a);
};
Date.prototype = RealDate.prototype;
Date.now = () => now;
Date.parse = RealDate.parse;
Date.UTC = RealDate.UTC;
defProp(RealDate.prototype, 'constructor', { value: Date });
G.Date = Date;
G.Math.random = () => nextRandom();
// Callbacks that fire on GC could run during a later run (another owner's): remove them.
delete G.WeakRef;
delete G.FinalizationRegistry;
// Code made from strings would escape the host's pass over the source (instrument.ts), so there is none.
delete G.eval;
const noCode = function Function() { throw new EvalError('scripts cannot make code from strings (eval, Function)'); };
defProp(noCode, 'prototype', { value: Function.prototype });
for (const proto of [Function.prototype, getProto(function* () {}), getProto(async function () {}), getProto(async function* () {})])
  defProp(proto, 'constructor', { value: noCode });
G.Function = noCode;
// Every try block of a script hands what it caught here first (instrument.ts). A stack overflow
// is not the script's to catch: the host is told, and the interrupt handler then ends the run,
// with an error no catch or finally sees. Reaching a poll takes the loop below a few microseconds.
const InternalError = G.InternalError, overflowed = G.${OVERFLOW_GUARD}_host;
delete G.${OVERFLOW_GUARD}_host;
const caught = (e) => {
  if (e instanceof InternalError && e.message === 'stack overflow') { overflowed(); for (;;) {} }
};
defProp(G, '${OVERFLOW_GUARD}', { value: caught });
for (const name of O.keys(api)) defProp(G, name, { value: api[name] });
G.console = { log: api.log };

// Some native loops never poll the interrupt handler, so the CPU deadline can't stop them (the
// pool's wall-clock cap kills the worker instead, at a cost). The cheap ways to reach them are
// refused up front: array methods walk every index up to .length (an array-like with
// length 2**53-1 pins the thread for hours; no real array in this heap gets near MAX_LEN), and
// string search is O(haystack x needle).
const MAX_LEN = 1 << 21, MAX_SEARCH = 5e7, apply = Reflect.apply;
const guard = (proto, names, check) => {
  for (const name of names) {
    const f = proto[name];
    if (typeof f !== 'function') continue;
    const wrapped = { [name](...args) { check(this, args[0], name); return apply(f, this, args); } }[name];
    defProp(proto, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
  }
};
guard(Array.prototype, ownKeys(Array.prototype).filter((k) => typeof k === 'string' && k !== 'constructor'), (o, _a, name) => {
  const n = o === null || o === undefined ? 0 : o.length;
  if (n > MAX_LEN) throw new RangeError('Array.prototype.' + name + ': length ' + n + ' is over the sandbox limit ' + MAX_LEN);
});
guard(String.prototype, ['indexOf', 'lastIndexOf', 'includes', 'split', 'replace', 'replaceAll'], (s, needle, name) => {
  if (typeof s === 'string' && typeof needle === 'string' && s.length * needle.length > MAX_SEARCH)
    throw new RangeError('String.prototype.' + name + ': text and search string too long for the sandbox');
});

// Frozen data properties break 'obj.toString = ...' on ordinary objects (the "override mistake");
// these accessors keep the common cases working while the prototypes stay immutable.
const overridable = (obj, name) => {
  const d = gopd(obj, name);
  if (!d || !('value' in d)) return;
  const value = d.value;
  defProp(obj, name, {
    get() { return value; },
    set(v) {
      if (this === obj) throw new TypeError('Cannot assign to read only property ' + name);
      defProp(this, name, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: d.enumerable, configurable: false,
  });
};
for (const n of ['toString', 'valueOf', 'constructor', 'toJSON']) overridable(O.prototype, n);
for (const E of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, G.InternalError, G.AggregateError])
  if (E) { overridable(E.prototype, 'name'); overridable(E.prototype, 'message'); }

// ---- freeze everything reachable ----
const hidden = [];
const tryAdd = (f) => { try { hidden.push(f()); } catch { /* not in this engine */ } };
tryAdd(() => getProto(function* () {}));
tryAdd(() => getProto(async function () {}));
tryAdd(() => getProto(async function* () {}));
tryAdd(() => getProto((function* () {})()));
tryAdd(() => getProto((async function* () {})()));
tryAdd(() => getProto([][Symbol.iterator]()));
tryAdd(() => getProto(new Map()[Symbol.iterator]()));
tryAdd(() => getProto(new Set()[Symbol.iterator]()));
tryAdd(() => getProto(''[Symbol.iterator]()));
tryAdd(() => getProto(/x/[Symbol.matchAll]('')));
tryAdd(() => getProto([].values().map((x) => x)));
tryAdd(() => getProto(G.Iterator.from({ next() { return { done: true }; } })));
tryAdd(() => getProto(Promise.resolve()));
const seen = new Set();
const stack = [G, ...hidden];
while (stack.length > 0) {
  const o = stack.pop();
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
  seen.add(o);
  freeze(o);
  stack.push(getProto(o));
  for (const k of ownKeys(o)) {
    const d = gopd(o, k);
    if (d === undefined) continue;
    if ('value' in d) stack.push(d.value); else stack.push(d.get, d.set);
  }
}

const describe = (e) => {
  if (e instanceof Error) return { name: String(e.name), message: String(e.message), stack: String(e.stack ?? '') };
  return { name: 'Error', message: 'uncaught ' + show(e), stack: '' };
};
const finish = () => '{"effects":[' + out.join(',') + (limit === null && runError === null ? '],"limit":null,"error":null}'
  : '],"limit":' + stringify(limit) + ',"error":' + stringify(runError) + '}');
// event's objects are getters on a shared, frozen prototype (no setters: the event is read-only),
// parsing on demand; defining them per run cost more than the parsing saved. toJSON makes
// log(event) show them all.
const EVENT = freeze({
  get actor() { return part(1); }, get room() { return part(2); }, get item() { return part(3); },
  get from() { return part(4); }, get to() { return part(5); }, get players() { return players(); },
  toJSON() { return { name: this.name, text: this.text, channel: this.channel, args: this.args, caller: this.caller, actor: this.actor, room: this.room, item: this.item, from: this.from, to: this.to, players: this.players }; },
});
// input: a header line [eventName, text, seed, now, maxEffects, maxOutput, 0, ...lengths of the
// view's slices], then the slices back to back.
const run = (fn, input) => {
  const nl = input.indexOf('\n');
  h = parse(input.slice(0, nl));
  h[6] = nl + 1; // where the first slice starts
  src = input; parsed = [];
  out = []; outBytes = 0; limit = null; runError = null; writes = null; spawned = null; spawns = 0;
  if (ballast === null) try { ballast = new ArrayBuffer(BALLAST); } catch { /* next time */ }
  maxEffects = h[4]; maxOutput = h[5]; rng = h[2] | 0; now = h[3];
  const event = O.create(EVENT);
  event.name = h[0];
  if (h[1] !== null) event.text = h[1];
  if (h[14] !== null && h[14] !== undefined) event.channel = h[14];
  if (h[15] !== null && h[15] !== undefined) event.args = h[15];
  if (h[16] !== null && h[16] !== undefined) event.caller = h[16];
  try {
    const r = fn(part(SELF), event);
    if (r instanceof RealPromise) r.then(undefined, (e) => { if (runError === null) runError = describe(e); });
  } catch (e) {
    runError = describe(e);
  }
  return finish();
};
// Memory held back so that, after a script filled the heap, describing its error and collecting
// its effects can still allocate: describe() (called only then) releases it; run() takes it back.
const BALLAST = 1 << 18;
let ballast = new ArrayBuffer(BALLAST);
return { run, finish, describe: (e) => { ballast = null; return stringify(describe(e)); } };
})()`;
