// Accounts and sessions: register, login, verify, refresh, revoke, and the admin's tools.
import type {
  AuthResult, AuthServiceImplementation, ChangePasswordRequest, ChangePasswordResponse, ListUsersAdminRequest, ListUsersAdminResponse,
  LoginRequest, MeRequest, Principal, RefreshRequest, RegisterRequest, RevokeRequest, RevokeResponse, SetBannedRequest, SetRoleRequest, User, VerifyRequest,
} from '@loom/proto';
import {
  AlreadyExistsError, InvalidArgumentError, NotFoundError, PermissionDeniedError, ResourceExhaustedError, UnauthenticatedError,
  type KeyValue, type Logger, type ServiceClient,
} from '@loom/runtime';
import { isRole, roles } from '@loom/world';
import { addressKey, type LoginLimits, type RegistrationLimits } from './limits.ts';
import { cleanText } from '@loom/world';
import { hashPassword, maxPasswordLength, minPasswordLength, verifyDecoy } from '@loom/runtime';
import { RefreshTokens } from './refresh-tokens.ts';
import type { AccessTokens } from './tokens.ts';

export const usernamePattern = /^[A-Za-z0-9_]{3,20}$/;
const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,189}$/;
const wrongCredentials = 'wrong username or password';

/** Where a user's role and ban are cached; whoever changes them elsewhere deletes it. */
export const userStateKey = (userId: number): string => `auth:user:${userId}`;

interface UserState {
  username: string;
  role: string;
  banned: boolean;
}

/** Password hashes never leave auth-service. */
function publicUser(user: User): User {
  return { ...user, passwordHash: '' };
}

export function checkUsername(username: string): void {
  if (!usernamePattern.test(username)) throw new InvalidArgumentError('a name has 3 to 20 letters, digits or underscores');
}

export function checkPassword(password: string): void {
  if (password.length < minPasswordLength) throw new InvalidArgumentError(`the password needs at least ${minPasswordLength} characters`);
  if (password.length > maxPasswordLength) throw new InvalidArgumentError(`the password may have at most ${maxPasswordLength} characters`);
}

export class AuthCore implements AuthServiceImplementation {
  private readonly refreshTokens: RefreshTokens;

  constructor(
    private readonly persistence: ServiceClient<'persistence-service'>,
    private readonly kv: KeyValue,
    private readonly tokens: AccessTokens,
    refreshTtlS: number,
    private readonly limits: LoginLimits,
    private readonly registrations: RegistrationLimits,
    /** Security events (failed logins, lockouts, token reuse, bans), never a password or a token. */
    private readonly logger: Logger,
  ) {
    this.refreshTokens = new RefreshTokens(persistence, refreshTtlS, kv, tokens.ttlS * 1000, (familyIds, userId) => {
      this.logger.warn({ event: 'refresh_token_reuse', userId, familyIds }, 'a used refresh token came back: its sessions are ended');
    });
  }

  async register({ username, password, email, clientAddress }: RegisterRequest): Promise<AuthResult> {
    checkUsername(username);
    checkPassword(password);
    // Control characters and lone surrogates (JSON can carry them; gRPC turns them into U+FFFD) are no part
    // of an address, and no store takes NUL.
    if (email && (!emailPattern.test(email) || cleanText(email) !== email || email.includes('\ufffd'))) throw new InvalidArgumentError('that is not an email address');
    await this.registrations.take(clientAddress).catch((error: unknown) => {
      if (error instanceof ResourceExhaustedError) this.logger.warn({ event: 'registration_throttled', clientAddress }, error.message);
      throw error;
    });
    let user: User;
    try {
      user = await this.persistence.createUser({ username, email, passwordHash: await hashPassword(password), role: '' });
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw new AlreadyExistsError(`the name ${username} is taken`);
      throw error;
    }
    return this.startSession(user, clientAddress);
  }

  async login({ username, password, clientAddress }: LoginRequest): Promise<AuthResult> {
    if (!usernamePattern.test(username)) {
      await verifyDecoy(password);
      throw new UnauthenticatedError(wrongCredentials);
    }
    const attempt = await this.limits.begin(username, clientAddress).catch((error: unknown) => {
      if (error instanceof ResourceExhaustedError) this.logger.warn({ event: 'login_locked_out', username, clientAddress }, error.message);
      throw error;
    });
    // persistence-service checks the password against the hash it keeps (an unknown name as slowly).
    const user = await this.persistence.verifyPassword({ id: 0, username, password }).catch((error: unknown) => {
      if (error instanceof UnauthenticatedError) return undefined;
      throw error;
    });
    if (!user) {
      await attempt.failed();
      this.logger.info({ event: 'login_failed', username, clientAddress }, 'login failed');
      throw new UnauthenticatedError(wrongCredentials);
    }
    await attempt.succeeded();
    if (user.banned) throw new PermissionDeniedError('this account is banned');
    return this.startSession(user, clientAddress);
  }

  async verify({ accessToken, resumeWithinS }: VerifyRequest): Promise<Principal> {
    const claims = await this.tokens.verify(accessToken, resumeWithinS);
    if (await this.refreshTokens.ended(claims.sessionId)) throw new UnauthenticatedError('this session has ended; log in again');
    const state = await this.userState(claims.userId);
    if (state.banned) throw new UnauthenticatedError('this account is banned');
    return { userId: claims.userId, username: state.username, role: state.role, sessionId: claims.sessionId };
  }

  async refresh({ refreshToken }: RefreshRequest): Promise<AuthResult> {
    const next = await this.refreshTokens.rotate(refreshToken);
    const user = await this.persistence.getUser({ id: next.userId });
    if (user.banned) {
      await this.endSessions({ familyId: next.familyId });
      throw new UnauthenticatedError('this account is banned');
    }
    return this.result(user, next.token, next.familyId);
  }

  async revoke({ refreshToken, sessionId, userId }: RevokeRequest): Promise<RevokeResponse> {
    if (refreshToken) return { revoked: await this.endSessions({ familyId: await this.refreshTokens.familyOf(refreshToken) }) };
    if (sessionId) return { revoked: await this.endSessions({ familyId: sessionId }) };
    if (userId) return { revoked: await this.endSessions({ userId }) };
    throw new InvalidArgumentError('say which session to end: a refresh token, a session id or a user id');
  }

  async me({ accessToken }: MeRequest): Promise<User> {
    const principal = await this.verify({ accessToken, resumeWithinS: 0 });
    return publicUser(await this.persistence.getUser({ id: principal.userId }));
  }

  async changePassword({ accessToken, currentPassword, newPassword }: ChangePasswordRequest): Promise<ChangePasswordResponse> {
    const principal = await this.verify({ accessToken, resumeWithinS: 0 });
    const user = await this.persistence.verifyPassword({ id: principal.userId, username: '', password: currentPassword }).catch((error: unknown) => {
      throw error instanceof UnauthenticatedError ? new UnauthenticatedError('the current password is wrong') : error;
    });
    checkPassword(newPassword);
    await this.persistence.updateUser({ ...user, passwordHash: await hashPassword(newPassword), updatedAtMs: Date.now() });
    return { revokedSessions: await this.endSessions({ userId: user.id, keepFamilyId: principal.sessionId }) };
  }

  async listUsers({ accessToken, afterId, limit }: ListUsersAdminRequest): Promise<ListUsersAdminResponse> {
    await this.requireAdmin(accessToken);
    const page = await this.persistence.listUsers({ afterId, limit });
    return { users: page.users.map(publicUser), nextAfterId: page.nextAfterId };
  }

  async setRole({ accessToken, userId, role }: SetRoleRequest): Promise<User> {
    const admin = await this.requireAdmin(accessToken);
    if (!isRole(role)) throw new InvalidArgumentError(`a role is one of ${roles.join(', ')}`);
    const user = await this.updateAccount(userId, { role });
    this.logger.info({ event: 'role_changed', userId, role, by: admin.userId }, 'role changed');
    return user;
  }

  async setBanned({ accessToken, userId, banned }: SetBannedRequest): Promise<User> {
    const admin = await this.requireAdmin(accessToken);
    if (admin.userId === userId && banned) throw new InvalidArgumentError('an admin cannot ban themselves');
    const user = await this.updateAccount(userId, { banned });
    if (banned) await this.endSessions({ userId });
    this.logger.info({ event: banned ? 'banned' : 'unbanned', userId, by: admin.userId }, banned ? 'account banned' : 'account unbanned');
    return user;
  }

  private async requireAdmin(accessToken: string): Promise<Principal> {
    const principal = await this.verify({ accessToken, resumeWithinS: 0 });
    if (principal.role !== 'admin') throw new PermissionDeniedError('only an admin may do that');
    return principal;
  }

  private async updateAccount(userId: number, change: Partial<Pick<User, 'role' | 'banned'>>): Promise<User> {
    const user = await this.persistence.getUser({ id: userId });
    const updated = await this.persistence.updateUser({ ...user, ...change, updatedAtMs: Date.now() });
    await this.cacheState(updated);
    return publicUser(updated);
  }

  /** Role and ban as they are now, so a change reaches tokens already issued on their next use. */
  private async userState(userId: number): Promise<UserState> {
    const cached = await this.kv.get(userStateKey(userId));
    if (cached) return JSON.parse(cached) as UserState;
    const user = await this.persistence.getUser({ id: userId }).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new UnauthenticatedError('this account no longer exists');
      throw error;
    });
    return this.cacheState(user);
  }

  private async cacheState(user: User): Promise<UserState> {
    const state: UserState = { username: user.username, role: user.role, banned: user.banned };
    await this.kv.set(userStateKey(user.id), JSON.stringify(state), { ttlMs: this.tokens.ttlS * 1000 });
    return state;
  }

  /** Revokes refresh families; their access tokens, checked against them on every use, are refused from now on. */
  private async endSessions(which: { familyId?: string; userId?: number; keepFamilyId?: string }): Promise<number> {
    const { familyIds } = await this.persistence.revokeRefreshTokens(which);
    await this.refreshTokens.markEnded(which.familyId ? [...new Set([which.familyId, ...familyIds])] : familyIds);
    return familyIds.length;
  }

  private async startSession(user: User, clientAddress: string): Promise<AuthResult> {
    const { token, familyId } = await this.refreshTokens.start(user.id, addressKey(clientAddress));
    await this.cacheState(user);
    return this.result(user, token, familyId);
  }

  private async result(user: User, refreshToken: string, familyId: string): Promise<AuthResult> {
    const accessToken = await this.tokens.issue({ userId: user.id, username: user.username, role: user.role, sessionId: familyId });
    return { user: publicUser(user), accessToken, refreshToken, expiresIn: this.tokens.ttlS, sessionId: familyId };
  }
}
