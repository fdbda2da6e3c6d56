// Finding what a player means by a name: "ball", "red", "#12", "me", "here".
import { parseObjectId } from '@loom/world';
import type { WorldObj } from './model.ts';

export type Match = { found: WorldObj } | { ambiguous: WorldObj[] } | { none: true };

/**
 * Exact name or alias first; then names that start with the text, or with a word of it ("red" finds
 * "red ball"). Several equally good candidates are ambiguous; `#id` picks one of them.
 */
export function matchObject(text: string, candidates: WorldObj[]): Match {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return { none: true };
  const id = wanted.startsWith('#') ? parseObjectId(wanted) : undefined;
  if (id !== undefined) {
    const found = candidates.find((c) => c.id === id);
    return found ? { found } : { none: true };
  }
  const exact = candidates.filter((c) => c.name.toLowerCase() === wanted || c.aliases.some((a) => a.toLowerCase() === wanted));
  if (exact.length > 0) return pick(exact);
  const partial = candidates.filter((c) => {
    const name = c.name.toLowerCase();
    return name.startsWith(wanted) || name.split(/\s+/).some((word) => word.startsWith(wanted));
  });
  return pick(partial);
}

function pick(matches: WorldObj[]): Match {
  const unique = [...new Map(matches.map((m) => [m.id, m])).values()];
  if (unique.length === 0) return { none: true };
  return unique.length === 1 ? { found: unique[0]! } : { ambiguous: unique };
}

/** "Which one: red ball (#12) or blue ball (#15)?" */
export function whichOne(options: WorldObj[]): string {
  const labels = options.map((o) => `${o.name} (#${o.id})`);
  const list = labels.length === 2 ? labels.join(' or ') : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
  return `Which one: ${list}?`;
}
