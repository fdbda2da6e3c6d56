// Asset metadata; asset-service keeps the bytes, addressed by their sha256.
import type { AssetMeta, GetAssetMetaRequest } from '@loom/proto';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { InvalidArgumentError, NotFoundError } from '@loom/runtime/transport/errors.ts';
import { msOf, timeOf } from './sql-text.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

const COLUMNS = `hash, name, content_type AS "contentType", size, COALESCE(uploader_id, 0) AS "uploaderId",
  ${msOf('created_at')} AS "createdAtMs"`;

/** Storing the same content again changes nothing, except under a new name, where it becomes that name's newest. */
export async function putAssetMeta(sql: Sql, meta: AssetMeta): Promise<AssetMeta> {
  if (!SHA256_HEX.test(meta.hash)) throw new InvalidArgumentError(`hash must be a sha256 in lowercase hex, got "${meta.hash}"`);
  if (!Number.isSafeInteger(meta.size) || meta.size < 0) throw new InvalidArgumentError(`size must be 0 or more, got ${meta.size}`);
  const { rows } = await sql.query<AssetMeta>(
    `INSERT INTO assets AS a (hash, name, content_type, size, uploader_id, created_at)
     VALUES ($1, $2, $3, $4, NULLIF($5::int8, 0), ${timeOf('$6::int8')})
     ON CONFLICT (hash) DO UPDATE SET
       name = EXCLUDED.name, content_type = EXCLUDED.content_type, size = EXCLUDED.size, uploader_id = EXCLUDED.uploader_id,
       created_at = CASE WHEN a.name = EXCLUDED.name THEN a.created_at ELSE EXCLUDED.created_at END,
       seq = CASE WHEN a.name = EXCLUDED.name THEN a.seq ELSE EXCLUDED.seq END
     RETURNING ${COLUMNS}`,
    [meta.hash, meta.name, meta.contentType, meta.size, meta.uploaderId, meta.createdAtMs],
  );
  return rows[0]!;
}

/** By hash, or when the hash is empty, the newest asset stored under the name. */
export async function getAssetMeta(sql: Sql, request: GetAssetMetaRequest): Promise<AssetMeta> {
  if (request.hash !== '') {
    const { rows } = await sql.query<AssetMeta>(`SELECT ${COLUMNS} FROM assets WHERE hash = $1`, [request.hash]);
    if (!rows[0]) throw new NotFoundError(`no asset with hash ${request.hash}`);
    return rows[0];
  }
  if (request.name === '') throw new InvalidArgumentError('hash or name is required');
  const { rows } = await sql.query<AssetMeta>(
    `SELECT ${COLUMNS} FROM assets WHERE name = $1 ORDER BY created_at DESC, seq DESC LIMIT 1`,
    [request.name],
  );
  if (!rows[0]) throw new NotFoundError(`no asset named "${request.name}"`);
  return rows[0];
}
