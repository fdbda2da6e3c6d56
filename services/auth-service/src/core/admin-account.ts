// `loom admin create`: the operator's way in, working on the database directly, with no admin to ask.
import type { User } from '@loom/proto';
import { NotFoundError, type KeyValue, type ServiceClient } from '@loom/runtime';
import { checkPassword, checkUsername, userStateKey } from './accounts.ts';
import { hashPassword } from '@loom/runtime';

export interface AdminAccount {
  user: User;
  /** False when an existing account was made admin (and given the new password). */
  created: boolean;
}

export async function ensureAdmin(
  persistence: ServiceClient<'persistence-service'>,
  kv: KeyValue,
  username: string,
  password: string,
): Promise<AdminAccount> {
  checkUsername(username);
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  const existing = await persistence.getUser({ username }).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (!existing) {
    const user = await persistence.createUser({ username, email: '', passwordHash, role: 'admin' });
    return { user: { ...user, passwordHash: '' }, created: true };
  }
  const user = await persistence.updateUser({ ...existing, role: 'admin', banned: false, passwordHash, updatedAtMs: Date.now() });
  // Running services read role and ban through this cache: drop it so the promotion counts on the next request.
  await kv.delete(userStateKey(user.id));
  return { user: { ...user, passwordHash: '' }, created: false };
}
