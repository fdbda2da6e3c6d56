// Opaque refresh tokens `<id>.<secret>`: only a hash of the secret is stored; every use retires the token
// and issues the next one of its family; presenting a retired one means it leaked, so the family dies.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RefreshToken } from '@loom/proto';
import { FailedPreconditionError, NotFoundError, UnauthenticatedError, type ServiceClient } from '@loom/runtime';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function parse(token: string): { id: string; secret: string } {
  const [id, secret, ...rest] = token.split('.');
  if (!id || !secret || rest.length || id.length > 64 || secret.length > 128) throw new UnauthenticatedError('invalid refresh token');
  return { id, secret };
}

export class RefreshTokens {
  constructor(
    private readonly persistence: ServiceClient<'persistence-service'>,
    private readonly ttlS: number,
    /** Called with the family ids revoked because a retired token of the user came back. */
    private readonly onReuse: (familyIds: string[], userId: number) => Promise<void>,
  ) {}

  private mint(userId: number, familyId: string): { record: RefreshToken; token: string } {
    const secret = randomBytes(32).toString('base64url');
    const now = Date.now();
    const record: RefreshToken = {
      id: randomUUID(),
      familyId,
      userId,
      secretHash: sha256(secret),
      expiresAtMs: now + this.ttlS * 1000,
      createdAtMs: now,
      retiredAtMs: 0,
      revokedAtMs: 0,
    };
    return { record, token: `${record.id}.${secret}` };
  }

  /** A new login: a new family. */
  async start(userId: number): Promise<{ token: string; familyId: string }> {
    const { record, token } = this.mint(userId, randomUUID());
    await this.persistence.createRefreshToken(record);
    return { token, familyId: record.familyId };
  }

  /** The stored record of a presented token; UnauthenticatedError unless the secret matches. */
  private async find(presented: string): Promise<RefreshToken> {
    const { id, secret } = parse(presented);
    let stored: RefreshToken;
    try {
      stored = await this.persistence.getRefreshToken({ id });
    } catch (error) {
      if (error instanceof NotFoundError) throw new UnauthenticatedError('invalid refresh token');
      throw error;
    }
    const given = Buffer.from(sha256(secret), 'hex');
    const expected = Buffer.from(stored.secretHash, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthenticatedError('invalid refresh token');
    return stored;
  }

  /** Checks a presented token and rotates it; returns the next token of the family. */
  async rotate(presented: string): Promise<{ token: string; familyId: string; userId: number }> {
    const stored = await this.find(presented);
    if (stored.revokedAtMs) throw new UnauthenticatedError('this session has ended; log in again');
    if (stored.retiredAtMs) return this.reused(stored);
    if (stored.expiresAtMs < Date.now()) throw new UnauthenticatedError('refresh token expired; log in again');
    const next = this.mint(stored.userId, stored.familyId);
    try {
      await this.persistence.rotateRefreshToken({ oldId: stored.id, next: next.record });
    } catch (error) {
      // Someone rotated it between our read and write: the same token was used twice.
      if (error instanceof FailedPreconditionError) return this.reused(stored);
      throw error;
    }
    return { token: next.token, familyId: stored.familyId, userId: stored.userId };
  }

  private async reused(stored: RefreshToken): Promise<never> {
    const { familyIds } = await this.persistence.revokeRefreshTokens({ familyId: stored.familyId });
    await this.onReuse(familyIds.length ? familyIds : [stored.familyId], stored.userId);
    throw new UnauthenticatedError('refresh token was already used; every session it belonged to has been ended, log in again');
  }

  /** The family of a presented token, if the token is genuine (logout needs no more). */
  async familyOf(presented: string): Promise<string> {
    return (await this.find(presented)).familyId;
  }
}
