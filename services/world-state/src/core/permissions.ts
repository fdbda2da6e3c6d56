// Who may change what: admins anything; builders what they own; everyone themselves (describe, name).
import { roleAtLeast } from '@loom/world';
import type { WorldObj } from './model.ts';

export function canModify(role: string, actor: WorldObj, target: WorldObj): boolean {
  if (roleAtLeast(role, 'admin')) return true;
  if (target.id === actor.id) return true;
  return roleAtLeast(role, 'builder') && target.ownerId === actor.id;
}

/** Linking an exit into a room needs the room's owner's consent: owning it, or the room being public. */
export function canLinkTo(role: string, actor: WorldObj, room: WorldObj): boolean {
  return canModify(role, actor, room) || room.flags.has('public');
}

/**
 * Scripts, in-game (@script) and over REST alike: only builders script, and only what they may change;
 * the scripts of a public object may be read by any builder.
 */
export function mayScript(role: string, actor: WorldObj, target: WorldObj, access: 'read' | 'write'): boolean {
  if (!roleAtLeast(role, 'builder')) return false;
  return canModify(role, actor, target) || (access === 'read' && target.flags.has('public'));
}

export { attributeNamePattern } from '@loom/world';

/** Attributes the world keeps itself (lower case). */
const worldKeptAttributes: ReadonlySet<string> = new Set(['userid', 'colour', 'role', 'script_errors', 'chown_offer']);

/**
 * No @set or script writes these: the world's own attributes, and a character's channels (its memberships,
 * kept by @channel; a thing's channels are what its on_chat hears, which builders set).
 */
export function isWorldKept(object: WorldObj, name: string): boolean {
  const lower = name.toLowerCase();
  return worldKeptAttributes.has(lower) || (lower === 'channels' && object.kind === 'player');
}

/** What scripts do not see of an object: what the world keeps, and channels. */
export function isHiddenFromScripts(name: string): boolean {
  const lower = name.toLowerCase();
  return worldKeptAttributes.has(lower) || lower === 'channels';
}
