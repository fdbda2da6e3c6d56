// Lock keys (`@lock door=has:brass key & !is:Bob | role:admin`): who may pass an exit, take a thing, use it.
import { roleAtLeast, type Role } from '@loom/world';
import type { WorldObj } from './model.ts';

export type LockKey =
  | { kind: 'has'; item: string }
  | { kind: 'is'; player: string }
  | { kind: 'role'; role: Role }
  | { kind: 'not'; key: LockKey }
  | { kind: 'and' | 'or'; left: LockKey; right: LockKey };

export interface LockSubject {
  player: WorldObj;
  role: string;
  carried: WorldObj[];
}

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
    const term = /^(has|is|role):\s*(.+)$/i.exec(token ?? '');
    if (!term) throw new Error(`"${token ?? ''}" is not a key: use has:<item>, is:<player>, role:<player|builder|admin>, with & | ! and ( )`);
    const kind = term[1]!.toLowerCase();
    const value = term[2]!.trim();
    if (kind === 'role') {
      if (!['player', 'builder', 'admin'].includes(value.toLowerCase())) throw new Error(`"${value}" is not a role (player, builder, admin)`);
      return { kind: 'role', role: value.toLowerCase() as Role };
    }
    return kind === 'has' ? { kind: 'has', item: value } : { kind: 'is', player: value };
  };
  const key = orExpr();
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at]}" in the key`);
  return key;
}

export function passes(key: LockKey, subject: LockSubject): boolean {
  switch (key.kind) {
    case 'has':
      return subject.carried.some((c) => matchesName(c, key.item));
    case 'is':
      return matchesName(subject.player, key.player);
    case 'role':
      return roleAtLeast(subject.role, key.role);
    case 'not':
      return !passes(key.key, subject);
    case 'and':
      return passes(key.left, subject) && passes(key.right, subject);
    case 'or':
      return passes(key.left, subject) || passes(key.right, subject);
  }
}

/** Whether the object's lock (attribute `lock`) lets the subject through; no lock lets everyone. */
export function unlocked(object: WorldObj, subject: LockSubject): boolean {
  const text = object.attributes.lock;
  if (typeof text !== 'string' || text.trim() === '') return true;
  try {
    return passes(parseLock(text), subject);
  } catch {
    return false;
  }
}

/** Why the subject may not pass or use the object (its lock_fail text, or `fallback`); undefined when it may. */
export function lockRefusal(object: WorldObj, subject: LockSubject, fallback: string): string | undefined {
  if (unlocked(object, subject)) return undefined;
  const refusal = object.attributes.lock_fail;
  return typeof refusal === 'string' && refusal ? refusal : fallback;
}
