// Short-lived JWT access tokens: EdDSA only (so `alg: none` and HMAC tricks fail), issuer and audience pinned.
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose';
import { UnauthenticatedError } from '@loom/runtime';
import { algorithm, type SigningKeys } from './keys.ts';

const issuer = 'loom';
const audience = 'loom';

export interface AccessClaims {
  userId: number;
  username: string;
  role: string;
  /** The login session (refresh token family). */
  sessionId: string;
  issuedAtS: number;
}

export class AccessTokens {
  constructor(
    private readonly keys: SigningKeys,
    readonly ttlS: number,
  ) {}

  issue(claims: Omit<AccessClaims, 'issuedAtS'>): Promise<string> {
    return new SignJWT({ name: claims.username, role: claims.role, sid: claims.sessionId })
      .setProtectedHeader({ alg: algorithm, kid: this.keys.kid, typ: 'JWT' })
      .setSubject(String(claims.userId))
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlS}s`)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
  }

  /** Throws UnauthenticatedError saying why: malformed, wrong signature or key, expired. */
  async verify(token: string, expiredUpToS = 0): Promise<AccessClaims> {
    if (!token) throw new UnauthenticatedError('no access token');
    try {
      const { payload } = await jwtVerify(
        token,
        (header: JWTHeaderParameters) => {
          const key = header.kid ? this.keys.verifying.get(header.kid) : undefined;
          if (!key) throw new UnauthenticatedError('access token signed by an unknown key');
          return key;
        },
        { algorithms: [algorithm], issuer, audience, requiredClaims: ['sub', 'exp', 'iat'], clockTolerance: expiredUpToS },
      );
      const userId = Number(payload.sub);
      if (!Number.isSafeInteger(userId) || typeof payload.sid !== 'string' || typeof payload.role !== 'string') {
        throw new UnauthenticatedError('access token is missing its claims');
      }
      return { userId, username: String(payload.name ?? ''), role: payload.role, sessionId: payload.sid, issuedAtS: payload.iat! };
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('access token expired; refresh it');
      throw new UnauthenticatedError('invalid access token');
    }
  }
}
