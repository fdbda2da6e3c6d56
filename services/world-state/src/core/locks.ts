// Lock keys (`@lock door=has:#44 | role:admin`): who may pass an exit, take a thing, use it, drop, give, speak.
// Keys name objects by id: `has:iron key` is resolved to `has:#44` when the lock is set, so a look-alike
// someone else makes never opens it.
import { isRole, roleAtLeast, roles, type Role } from '@loom/world';
import type { WorldObj } from './model.ts';

export type LockKey =
  | { kind: 'has'; item: string }
  | { kind: 'is'; player: string }
  | { kind: 'role'; role: Role }
  | { kind: 'attr'; name: string; op: AttrOp; value: string }
  | { kind: 'indirect'; objectId: number; type: LockType }
  | { kind: 'not'; key: LockKey }
  | { kind: 'and' | 'or'; left: LockKey; right: LockKey };

type AttrOp = '>=' | '<=' | '>' | '<' | '=';

/** What a lock guards. `basic` (the attribute `lock`) stands in for use, get and enter when they have none. */
export const lockTypes = ['basic', 'use', 'enter', 'get', 'drop', 'give', 'speech'] as const;
export type LockType = (typeof lockTypes)[number];
const basicStandsIn = new Set<LockType>(['use', 'enter', 'get']);

/** The attribute a lock of the type is kept in. */
export const lockAttribute = (type: LockType): string => (type === 'basic' ? 'lock' : `lock_${type}`);
export const isLockAttribute = (name: string): boolean => /^lock(_(use|enter|get|drop|give|speech))?$/i.test(name);

export interface LockSubject {
  player: WorldObj;
  role: string;
  carried: WorldObj[];
  /** For indirect keys (`@#12`): the object whose lock of the same type decides. */
  lookup: (id: number) => WorldObj | undefined;
}

const maxIndirection = 5;

const matchesName = (object: WorldObj, text: string) =>
  text.startsWith('#') ? `#${object.id}` === text : object.name.toLowerCase() === text.toLowerCase() || object.aliases.some((a) => a.toLowerCase() === text.toLowerCase());

/** Parses a key expression; throws an Error whose message a builder can act on. */
export function parseLock(text: string): LockKey {
  const tokens = text.match(/\(|\)|&|\||!|[^()&|!]+/g)?.map((t) => t.trim()).filter(Boolean) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const orExpr = (): LockKey => {
    let left = andExpr();
    while (peek() === '|') {
      at++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): LockKey => {
    let left = unary();
    while (peek() === '&') {
      at++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): LockKey => {
    const token = tokens[at++];
    if (token === '!') return { kind: 'not', key: unary() };
    if (token === '(') {
      const inner = orExpr();
      if (tokens[at++] !== ')') throw new Error('a "(" is never closed');
      return inner;
    }
    return term(token ?? '');
  };
  const key = orExpr();
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at]}" in the key`);
  return key;
}

function term(token: string): LockKey {
  const indirect = /^@\s*#(\d+)(?:\/(\w+))?$/.exec(token);
  if (indirect) {
    const type = lockTypes.find((t) => t === (indirect[2] ?? 'basic').toLowerCase());
    if (!type) throw new Error(`"${indirect[2]}" is not a kind of lock (${lockTypes.join(', ')})`);
    return { kind: 'indirect', objectId: Number(indirect[1]), type };
  }
  const match = /^(has|is|role|attr):\s*(.+)$/i.exec(token);
  if (!match) throw new Error(`"${token}" is not a key: use has:<item>, is:<player>, role:<player|builder|admin>, attr:<name><op><value>, @#<id> or @#<id>/<kind>, with & | ! and ( )`);
  const kind = match[1]!.toLowerCase();
  const value = match[2]!.trim();
  if (kind === 'role') {
    const role = value.toLowerCase();
    if (!isRole(role)) throw new Error(`"${value}" is not a role (${roles.join(', ')})`);
    return { kind: 'role', role };
  }
  if (kind === 'attr') {
    const compare = /^([A-Za-z0-9_.-]{1,64})\s*(>=|<=|>|<|=)\s*(.+)$/.exec(value);
    if (!compare) throw new Error(`"${value}" is not an attribute test: use attr:<name><op><value>, with >= <= > < or =`);
    return { kind: 'attr', name: compare[1]!, op: compare[2] as AttrOp, value: compare[3]!.trim() };
  }
  return kind === 'has' ? { kind: 'has', item: value } : { kind: 'is', player: value };
}

/**
 * Names in `has:` and `is:` terms turned into ids (`resolve` answers a name with an object, or throws
 * with what the builder should do instead), so the lock names objects, not whatever bears a name.
 */
export function resolveLock(key: LockKey, resolve: (kind: 'has' | 'is', name: string) => WorldObj): LockKey {
  switch (key.kind) {
    case 'has':
      return key.item.startsWith('#') ? key : { kind: 'has', item: `#${resolve('has', key.item).id}` };
    case 'is':
      return key.player.startsWith('#') ? key : { kind: 'is', player: `#${resolve('is', key.player).id}` };
    case 'not':
      return { kind: 'not', key: resolveLock(key.key, resolve) };
    case 'and':
    case 'or':
      return { kind: key.kind, left: resolveLock(key.left, resolve), right: resolveLock(key.right, resolve) };
    default:
      return key;
  }
}

/** The key as text; with `name`, ids are followed by what they name: `has:#44 (iron key)`. */
export function formatLock(key: LockKey, name?: (id: number) => string | undefined): string {
  const labelled = (ref: string) => {
    const label = ref.startsWith('#') ? name?.(Number.parseInt(ref.slice(1), 10)) : undefined;
    return label ? `${ref} (${label})` : ref;
  };
  const grouped = (inner: LockKey, parent: 'and' | 'or') => (inner.kind === 'or' && parent === 'and' ? `(${formatLock(inner, name)})` : formatLock(inner, name));
  switch (key.kind) {
    case 'has':
      return `has:${labelled(key.item)}`;
    case 'is':
      return `is:${labelled(key.player)}`;
    case 'role':
      return `role:${key.role}`;
    case 'attr':
      return `attr:${key.name}${key.op}${key.value}`;
    case 'indirect':
      return `@${labelled(`#${key.objectId}${key.type === 'basic' ? '' : `/${key.type}`}`)}`;
    case 'not':
      return ['and', 'or'].includes(key.key.kind) ? `!(${formatLock(key.key, name)})` : `!${formatLock(key.key, name)}`;
    case 'and':
    case 'or':
      return `${grouped(key.left, key.kind)} ${key.kind === 'and' ? '&' : '|'} ${grouped(key.right, key.kind)}`;
  }
}

function attributeHolds(actual: unknown, op: AttrOp, wanted: string): boolean {
  const number = Number(wanted);
  if (typeof actual === 'number' && wanted !== '' && Number.isFinite(number)) {
    return op === '>=' ? actual >= number : op === '<=' ? actual <= number : op === '>' ? actual > number : op === '<' ? actual < number : actual === number;
  }
  const text = typeof actual === 'string' ? actual : typeof actual === 'boolean' ? String(actual) : undefined;
  return op === '=' && text !== undefined && text.toLowerCase() === wanted.toLowerCase();
}

function passes(key: LockKey, subject: LockSubject, depth: number): boolean {
  switch (key.kind) {
    case 'has':
      return subject.carried.some((c) => matchesName(c, key.item));
    case 'is':
      return matchesName(subject.player, key.player);
    case 'role':
      return roleAtLeast(subject.role, key.role);
    case 'attr':
      return attributeHolds(subject.player.attributes[key.name], key.op, key.value);
    case 'indirect': {
      const other = subject.lookup(key.objectId);
      // A chain that loops, or runs too deep, or names nothing, lets nobody through.
      return other !== undefined && depth < maxIndirection && lockOf(other, key.type, subject, depth + 1);
    }
    case 'not':
      return !passes(key.key, subject, depth);
    case 'and':
      return passes(key.left, subject, depth) && passes(key.right, subject, depth);
    case 'or':
      return passes(key.left, subject, depth) || passes(key.right, subject, depth);
  }
}

/** The text of the object's lock of the type (or the basic lock standing in for it), if any. */
export function lockText(object: WorldObj, type: LockType): string | undefined {
  const own = object.attributes[lockAttribute(type)];
  if (typeof own === 'string' && own.trim()) return own;
  const basic = object.attributes.lock;
  return basicStandsIn.has(type) && typeof basic === 'string' && basic.trim() ? basic : undefined;
}

function lockOf(object: WorldObj, type: LockType, subject: LockSubject, depth: number): boolean {
  const text = lockText(object, type);
  return text === undefined || admits(text, subject, depth);
}

/** A stored key that no longer parses lets nobody through. */
function admits(text: string, subject: LockSubject, depth: number): boolean {
  try {
    return passes(parseLock(text), subject, depth);
  } catch {
    return false;
  }
}

/** Whether a key kept outside the world's objects (a channel's lock) lets the subject through. */
export const keyAdmits = (text: string, subject: LockSubject): boolean => admits(text, subject, 0);

/** Whether the object's lock of the type lets the subject through; no lock lets everyone. */
export function unlocked(object: WorldObj, subject: LockSubject, type: LockType = 'basic'): boolean {
  return lockOf(object, type, subject, 0);
}

/** Why the subject may not do it (the object's lock_fail text, or `fallback`); undefined when it may. */
export function lockRefusal(object: WorldObj, subject: LockSubject, fallback: string, type: LockType = 'basic'): string | undefined {
  if (unlocked(object, subject, type)) return undefined;
  const refusal = object.attributes.lock_fail;
  return typeof refusal === 'string' && refusal ? refusal : fallback;
}
