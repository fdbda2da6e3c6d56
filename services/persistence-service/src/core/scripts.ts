// Script history: every save is a new version, a deletion is a version marked deleted, and a
// rollback saves an old version's source again, so nothing a builder wrote is ever lost.
import type { GetScriptRequest, ListCurrentScriptsRequest, ListScriptVersionsRequest, Script, ScriptList } from '@loom/proto';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { InvalidArgumentError, NotFoundError } from '@loom/runtime/transport/errors.ts';
import { msOf, pageSize, requireId, requireText, timeOf } from './sql-text.ts';

const COLUMNS = `object_id AS "objectId", event, version, source, COALESCE(author_id, 0) AS "authorId",
  ${msOf('created_at')} AS "createdAtMs", deleted`;

/** Stores `script` as the next version of its object's handler; the version in the request is ignored. */
export async function saveScript(sql: Sql, script: Script): Promise<Script> {
  requireId(script.objectId, 'object id');
  requireText(script.event, 'event');
  return sql.transaction(async (tx) => {
    // Saves take turns so two of them cannot both read the same highest version.
    await tx.query('LOCK TABLE scripts IN SHARE ROW EXCLUSIVE MODE');
    const { rows } = await tx.query<Script>(
      `INSERT INTO scripts (object_id, event, version, source, author_id, created_at, deleted)
       SELECT $1::int8, $2::text, COALESCE(max(version), 0) + 1, $3::text, NULLIF($4::int8, 0), ${timeOf('$5::int8')}, $6::boolean
       FROM scripts WHERE object_id = $1 AND event = $2
       RETURNING ${COLUMNS}`,
      [script.objectId, script.event, script.source, script.authorId, script.createdAtMs, script.deleted],
    );
    return rows[0]!;
  });
}

/** Version 0 is the current script: the newest version, unless that one deleted it. */
export async function getScript(sql: Sql, request: GetScriptRequest): Promise<Script> {
  const objectId = requireId(request.objectId, 'object id');
  const event = requireText(request.event, 'event');
  if (!Number.isInteger(request.version) || request.version < 0) {
    throw new InvalidArgumentError(`version must be 0 (the current one) or more, got ${request.version}`);
  }
  const handler = `#${objectId} ${event}`;
  if (request.version > 0) {
    const { rows } = await sql.query<Script>(
      `SELECT ${COLUMNS} FROM scripts WHERE object_id = $1 AND event = $2 AND version = $3`,
      [objectId, event, request.version],
    );
    if (!rows[0]) throw new NotFoundError(`${handler} has no version ${request.version}`);
    return rows[0];
  }
  const { rows } = await sql.query<Script>(
    `SELECT ${COLUMNS} FROM scripts WHERE object_id = $1 AND event = $2 ORDER BY version DESC LIMIT 1`,
    [objectId, event],
  );
  const newest = rows[0];
  if (!newest) throw new NotFoundError(`${handler} has no script`);
  if (newest.deleted) throw new NotFoundError(`${handler} has no script (deleted in version ${newest.version})`);
  return newest;
}

export async function listScriptVersions(sql: Sql, request: ListScriptVersionsRequest): Promise<ScriptList> {
  const objectId = requireId(request.objectId, 'object id');
  const { rows } = await sql.query<Script>(
    `SELECT ${COLUMNS} FROM scripts WHERE object_id = $1 AND ($2::text = '' OR event = $2) ORDER BY event, version`,
    [objectId, request.event],
  );
  return { scripts: rows, nextAfterObjectId: 0 };
}

/**
 * The newest version of each handler, deleted ones left out, paged by object id. A page ends at an
 * object's boundary (limit counts objects), so no object's handlers are split across pages.
 */
export async function listCurrentScripts(sql: Sql, request: ListCurrentScriptsRequest): Promise<ScriptList> {
  const limit = pageSize(request.limit, 1000, 10_000);
  const { rows } = await sql.query<Script>(
    `WITH objects AS (
       SELECT DISTINCT object_id FROM scripts WHERE object_id > $1 ORDER BY object_id LIMIT $2
     ), newest AS (
       SELECT DISTINCT ON (s.object_id, s.event) s.* FROM scripts s JOIN objects o USING (object_id)
       ORDER BY s.object_id, s.event, s.version DESC
     )
     SELECT ${COLUMNS} FROM newest WHERE NOT deleted ORDER BY object_id, event`,
    [Math.max(0, request.afterObjectId), limit + 1],
  );
  const objectIds = [...new Set(rows.map((r) => r.objectId))];
  if (objectIds.length <= limit) return { scripts: rows, nextAfterObjectId: 0 };
  const last = objectIds[limit - 1]!;
  return { scripts: rows.filter((r) => r.objectId <= last), nextAfterObjectId: last };
}
