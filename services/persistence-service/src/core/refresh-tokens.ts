// Refresh-token records. auth-service owns the rules (hashing, reuse detection); this keeps the records and
// makes rotation atomic, so two refreshes racing with one token cannot both succeed.
import type {
  GetRefreshFamilyRequest,
  GetRefreshTokenRequest,
  KnownAddressRequest,
  KnownAddressResponse,
  RefreshFamily,
  RefreshToken,
  RevokeRefreshTokensRequest,
  RevokeRefreshTokensResponse,
  RotateRefreshTokenRequest,
} from '@loom/proto';
import type { Sql, SqlExecutor } from '@loom/runtime/sql/sql.ts';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@loom/runtime/transport/errors.ts';
import { msOf, requireId, requireText, timeOf } from './sql-text.ts';

const COLUMNS = `id, family_id AS "familyId", user_id AS "userId", secret_hash AS "secretHash",
  ${msOf('expires_at')} AS "expiresAtMs", ${msOf('created_at')} AS "createdAtMs",
  COALESCE(${msOf('retired_at')}, 0) AS "retiredAtMs", COALESCE(${msOf('revoked_at')}, 0) AS "revokedAtMs",
  client_address AS "clientAddress"`;

// Records a day past their expiry serve nothing (an expired token is refused before reuse is considered).
const PRUNE_AFTER = "interval '1 day'";

function requireRecord(token: RefreshToken | undefined): RefreshToken {
  if (!token) throw new InvalidArgumentError('refresh token record is missing');
  requireText(token.id, 'refresh token id');
  requireText(token.familyId, 'family id');
  requireText(token.secretHash, 'secret hash');
  requireId(token.userId, 'user id');
  if (!(token.expiresAtMs > 0)) throw new InvalidArgumentError('expires_at_ms must be set');
  return token;
}

async function insert(tx: SqlExecutor, token: RefreshToken): Promise<RefreshToken> {
  const { rows } = await tx.query<RefreshToken>(
    `INSERT INTO refresh_tokens (id, family_id, user_id, secret_hash, expires_at, created_at, client_address)
     VALUES ($1, $2, $3, $4, to_timestamp($5::int8 / 1000.0), ${timeOf('$6::int8')}, $7) RETURNING ${COLUMNS}`,
    [token.id, token.familyId, token.userId, token.secretHash, token.expiresAtMs, token.createdAtMs, token.clientAddress],
  );
  return rows[0]!;
}

export async function createRefreshToken(sql: Sql, token: RefreshToken): Promise<RefreshToken> {
  requireRecord(token);
  return sql.transaction(async (tx) => {
    await tx.query(`DELETE FROM refresh_tokens WHERE user_id = $1 AND expires_at < now() - ${PRUNE_AFTER}`, [token.userId]);
    return insert(tx, token);
  });
}

export async function getRefreshToken(sql: Sql, request: GetRefreshTokenRequest): Promise<RefreshToken> {
  const id = requireText(request.id, 'id');
  const { rows } = await sql.query<RefreshToken>(`SELECT ${COLUMNS} FROM refresh_tokens WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError('no such refresh token');
  return rows[0];
}

export async function rotateRefreshToken(sql: Sql, request: RotateRefreshTokenRequest): Promise<RefreshToken> {
  const oldId = requireText(request.oldId, 'old id');
  const next = requireRecord(request.next);
  return sql.transaction(async (tx) => {
    // The row lock of this UPDATE makes a second rotation of the same token wait, then find it retired.
    const retired = await tx.query<{ familyId: string }>(
      `UPDATE refresh_tokens SET retired_at = now()
       WHERE id = $1 AND retired_at IS NULL AND revoked_at IS NULL RETURNING family_id AS "familyId"`,
      [oldId],
    );
    const family = retired.rows[0]?.familyId;
    if (family === undefined) throw new FailedPreconditionError('refresh token was already used or revoked');
    if (family !== next.familyId) throw new InvalidArgumentError('the next token must belong to the same family');
    return insert(tx, next);
  });
}

export async function revokeRefreshTokens(sql: Sql, request: RevokeRefreshTokensRequest): Promise<RevokeRefreshTokensResponse> {
  let result;
  if (request.familyId !== '') {
    result = await sql.query<{ familyId: string }>(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL
       RETURNING family_id AS "familyId"`,
      [request.familyId],
    );
  } else {
    requireId(request.userId, 'family id or user id');
    result = await sql.query<{ familyId: string }>(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND family_id <> $2
       RETURNING family_id AS "familyId"`,
      [request.userId, request.keepFamilyId],
    );
  }
  return { familyIds: [...new Set(result.rows.map((r) => r.familyId))] };
}

export async function getRefreshFamily(sql: Sql, request: GetRefreshFamilyRequest): Promise<RefreshFamily> {
  const familyId = requireText(request.familyId, 'family id');
  // Any revoked member ends the family: a rotation racing a revocation may leave one member unrevoked.
  const { rows } = await sql.query<RefreshFamily>(
    `SELECT family_id AS "familyId", min(user_id) AS "userId", COALESCE(${msOf('min(revoked_at)')}, 0) AS "revokedAtMs"
     FROM refresh_tokens WHERE family_id = $1 GROUP BY family_id`,
    [familyId],
  );
  if (!rows[0]) throw new NotFoundError('no such session');
  return rows[0];
}

export async function knownAddress(sql: Sql, request: KnownAddressRequest): Promise<KnownAddressResponse> {
  const username = requireText(request.username, 'username');
  const address = requireText(request.clientAddress, 'client address');
  const { rows } = await sql.query<{ known: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM refresh_tokens r JOIN users u ON u.id = r.user_id
                    WHERE lower(u.username) = lower($1) AND r.client_address = $2) AS known`,
    [username, address],
  );
  return { known: rows[0]?.known === true };
}
