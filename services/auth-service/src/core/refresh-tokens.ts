// Opaque refresh tokens `<id>.<secret>`: only a hash of the secret is stored; every use retires the token
// and issues the next one of its family; presenting a retired one means it leaked, so the family dies.
// A family is a login session: whether it has ended is kept in the database with its tokens (so it
// survives any restart and any loss of the cache) and cached, since every access token is checked.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RefreshToken } from '@loom/proto';
import { FailedPreconditionError, NotFoundError, UnauthenticatedError, type KeyValue, type ServiceClient } from '@loom/runtime';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const sessionKey = (familyId: string) => `auth:session:${familyId}`;

function parse(token: string): { id: string; secret: string } {
  const [id, secret, ...rest] = token.split('.');
  if (!id || !secret || rest.length || id.length > 64 || secret.length > 128) throw new UnauthenticatedError('invalid refresh token');
  return { id, secret };
}

export class RefreshTokens {
  constructor(
    private readonly persistence: ServiceClient<'persistence-service'>,
    private readonly ttlS: number,
    private readonly kv: KeyValue,
    /** How long a session's state stays cached: an access token's lifetime. */
    private readonly cacheTtlMs: number,
    /** Told the family ids ended because a retired token of the user came back. */
    private readonly onReuse: (familyIds: string[], userId: number) => void,
  ) {}

  private mint(userId: number, familyId: string, clientAddress: string): { record: RefreshToken; token: string } {
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
      clientAddress,
    };
    return { record, token: `${record.id}.${secret}` };
  }

  /** A new login: a new family, remembering the address (as addressKey gives it) the user signed in from. */
  async start(userId: number, clientAddress: string): Promise<{ token: string; familyId: string }> {
    const { record, token } = this.mint(userId, randomUUID(), clientAddress);
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
    // The family too: a refresh racing a logout may have added a member the revocation missed.
    if (stored.revokedAtMs || (await this.ended(stored.familyId))) throw new UnauthenticatedError('this session has ended; log in again');
    if (stored.retiredAtMs) return this.reused(stored);
    if (stored.expiresAtMs < Date.now()) throw new UnauthenticatedError('refresh token expired; log in again');
    const next = this.mint(stored.userId, stored.familyId, stored.clientAddress);
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
    const ended = familyIds.length ? familyIds : [stored.familyId];
    await this.markEnded(ended);
    this.onReuse(ended, stored.userId);
    throw new UnauthenticatedError('refresh token was already used; every session it belonged to has been ended, log in again');
  }

  /** The family of a presented token, if the token is genuine (logout needs no more). */
  async familyOf(presented: string): Promise<string> {
    return (await this.find(presented)).familyId;
  }

  /** Whether the session has ended (logout, password change, ban, reuse): the database says, the cache remembers. */
  async ended(familyId: string): Promise<boolean> {
    const key = sessionKey(familyId);
    const cached = await this.kv.get(key);
    if (cached) return cached === 'ended';
    const revoked = await this.persistence.getRefreshFamily({ familyId }).then(
      (family) => family.revokedAtMs > 0,
      (error: unknown) => {
        if (error instanceof NotFoundError) return true;
        throw error;
      },
    );
    if (revoked) await this.kv.set(key, 'ended', { ttlMs: this.cacheTtlMs });
    // Only if absent: an end recorded while the database was read must not be overwritten.
    else await this.kv.setIfAbsent(key, 'live', { ttlMs: this.cacheTtlMs });
    return revoked;
  }

  /** Caches the end of sessions already revoked in the database, so their access tokens are refused at once. */
  async markEnded(familyIds: string[]): Promise<void> {
    await Promise.all(familyIds.map((id) => this.kv.set(sessionKey(id), 'ended', { ttlMs: this.cacheTtlMs })));
  }
}
