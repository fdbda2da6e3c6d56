// Accounts. auth-service owns the rules (hashing, lockout); this keeps the records and their uniqueness,
// and checks passwords against the stored hashes, which no answer carries out.
import type { CreateUserRequest, GetUserRequest, ListUsersRequest, User, UserPage, VerifyPasswordRequest } from '@loom/proto';
import { UnauthenticatedError } from '@loom/runtime/transport/errors.ts';
import { verifyDecoy, verifyPassword } from '@loom/runtime/passwords.ts';
import { isUniqueViolation, type Sql } from '@loom/runtime/sql/sql.ts';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '@loom/runtime/transport/errors.ts';
import { isRole, roles } from '@loom/world';
import { msOf, pageById, pageSize, requireId, requireText } from './sql-text.ts';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

const COLUMNS = `id, username, email, role, '' AS "passwordHash", banned,
  COALESCE(player_object_id, 0) AS "playerObjectId", ${msOf('created_at')} AS "createdAtMs", ${msOf('updated_at')} AS "updatedAtMs"`;

function requireRole(role: string): string {
  if (!isRole(role)) throw new InvalidArgumentError(`role must be one of ${roles.join(', ')}, got "${role}"`);
  return role;
}

export async function createUser(sql: Sql, request: CreateUserRequest): Promise<User> {
  const username = requireText(request.username, 'username');
  if (request.role !== '') requireRole(request.role);
  return sql.transaction(async (tx) => {
    // Registrations take turns, so "is this the first user?" and the insert act as one step:
    // two people registering at once on a fresh world cannot both become admin.
    await tx.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
    const taken = await tx.query('SELECT 1 FROM users WHERE lower(username) = lower($1)', [username]);
    if (taken.rowCount > 0) throw new AlreadyExistsError(`username "${username}" is taken`);
    const anyone = await tx.query('SELECT 1 FROM users LIMIT 1');
    const role = request.role || (anyone.rowCount > 0 ? 'player' : 'admin');
    const { rows } = await tx.query<User>(
      `INSERT INTO users (username, email, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [username, request.email, role, request.passwordHash],
    );
    return rows[0]!;
  });
}

/** The user by id, or by name when the id is 0, with its stored hash (for this file only); undefined if absent. */
async function findUser(sql: Sql, request: GetUserRequest): Promise<{ user: User; storedHash: string } | undefined> {
  const [where, key] = request.id !== 0 ? ['id = $1', requireId(request.id, 'id')] : ['lower(username) = lower($1)', requireText(request.username, 'id or username')];
  const { rows } = await sql.query<User & { storedHash: string }>(`SELECT ${COLUMNS}, password_hash AS "storedHash" FROM users WHERE ${where}`, [key]);
  const row = rows[0];
  if (!row) return undefined;
  const { storedHash, ...user } = row;
  return { user, storedHash };
}

export async function getUser(sql: Sql, request: GetUserRequest): Promise<User> {
  const found = await findUser(sql, request);
  if (!found) throw new NotFoundError(request.id !== 0 ? `no user with id ${request.id}` : `no user named "${request.username}"`);
  return found.user;
}

export async function verifyUserPassword(sql: Sql, request: VerifyPasswordRequest): Promise<User> {
  const found = await findUser(sql, request);
  const ok = found ? await verifyPassword(found.storedHash, request.password) : await verifyDecoy(request.password);
  if (!ok || !found) throw new UnauthenticatedError('wrong username or password');
  return found.user;
}

/** Replaces every stored field of the user (read it first to change a few); an empty hash keeps the password. */
export async function updateUser(sql: Sql, user: User): Promise<User> {
  requireId(user.id, 'id');
  requireText(user.username, 'username');
  requireRole(user.role);
  try {
    const { rows } = await sql.query<User>(
      `UPDATE users SET username = $2, email = $3, role = $4, password_hash = COALESCE(NULLIF($5, ''), password_hash), banned = $6,
         player_object_id = NULLIF($7::int8, 0), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [user.id, user.username, user.email, user.role, user.passwordHash, user.banned, user.playerObjectId],
    );
    if (!rows[0]) throw new NotFoundError(`no user with id ${user.id}`);
    return rows[0];
  } catch (err) {
    if (isUniqueViolation(err)) throw new AlreadyExistsError(`username "${user.username}" is taken`);
    throw err;
  }
}

export async function listUsers(sql: Sql, request: ListUsersRequest): Promise<UserPage> {
  const page = await pageById<User>(sql, 'users', COLUMNS, request.afterId, pageSize(request.limit, DEFAULT_PAGE, MAX_PAGE));
  return { users: page.rows, nextAfterId: page.nextAfterId };
}
