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
