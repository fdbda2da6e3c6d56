// Argon2id (OWASP's recommended parameters); verification is constant-time inside the library.
// auth-service hashes new passwords; persistence-service verifies them against what it stores, so that
// no call ever carries a stored hash out.
import { hash, verify } from '@node-rs/argon2';

const Argon2id = 2;
const options = { algorithm: Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const minPasswordLength = 8;
export const maxPasswordLength = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

let decoy: Promise<string> | undefined;

/** Spends the time a real verification would, so an unknown name answers as slowly as a wrong password. */
export async function verifyDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('decoy password that matches nothing');
  await verifyPassword(await decoy, password);
  return false;
}
