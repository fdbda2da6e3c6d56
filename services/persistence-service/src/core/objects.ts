// The object store: world-state loads everything at start and writes behind in batches.
import type {
  AllocateObjectIdsRequest,
  AllocateObjectIdsResponse,
  LoadObjectsRequest,
  ObjectPage,
  SaveObjectsRequest,
  SaveObjectsResponse,
  WorldObject,
} from '@loom/proto';
import type { Sql, SqlExecutor } from '@loom/runtime/sql/sql.ts';
import { InvalidArgumentError } from '@loom/runtime/transport/errors.ts';
import { unstorable } from '@loom/world';
import { msOf, pageById, pageSize, requireId, timeOf } from './sql-text.ts';

const DEFAULT_PAGE = 500;
const MAX_PAGE = 5000;
const MAX_ALLOCATION = 10_000;
// Rows per INSERT: large enough to make a 10,000-object save a handful of statements,
// small enough to keep each statement's JSON parameter a few hundred kilobytes.
const CHUNK = 1000;
const KINDS = new Set(['room', 'exit', 'thing', 'player']);
// Serialises handing out ids with moving the sequence past saved ids (see bumpSequence).
const ID_LOCK = 7_452_118_302;

const COLUMNS = `id, name, aliases, description, COALESCE(owner_id, 0) AS "ownerId", kind,
  COALESCE(location_id, 0) AS "locationId", COALESCE(destination_id, 0) AS "destinationId", flags,
  attributes, components, ${msOf('created_at')} AS "createdAtMs", ${msOf('updated_at')} AS "updatedAtMs"`;

// The rows travel as one JSON parameter in the message's own shape, whatever their number.
const UPSERT = `
  INSERT INTO objects (id, name, aliases, description, owner_id, kind, location_id, destination_id,
                       flags, attributes, components, created_at, updated_at)
  SELECT r.id, r.name, COALESCE(r.aliases, '{}'), r.description, NULLIF(r."ownerId", 0), r.kind,
         NULLIF(r."locationId", 0), NULLIF(r."destinationId", 0), COALESCE(r.flags, '{}'),
         COALESCE(r.attributes, '{}'), COALESCE(r.components, '{}'),
         ${timeOf('r."createdAtMs"')}, ${timeOf('r."updatedAtMs"')}
  FROM jsonb_to_recordset($1::jsonb) AS r(
    id int8, name text, aliases text[], description text, "ownerId" int8, kind text, "locationId" int8,
    "destinationId" int8, flags text[], attributes jsonb, components jsonb, "createdAtMs" int8, "updatedAtMs" int8)
  ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name, aliases = EXCLUDED.aliases, description = EXCLUDED.description,
    owner_id = EXCLUDED.owner_id, kind = EXCLUDED.kind, location_id = EXCLUDED.location_id,
    destination_id = EXCLUDED.destination_id, flags = EXCLUDED.flags, attributes = EXCLUDED.attributes,
    components = EXCLUDED.components, updated_at = EXCLUDED.updated_at,
    -- A save without a creation time (now) must not make an old object look new.
    created_at = LEAST(objects.created_at, EXCLUDED.created_at)`;

export async function loadObjects(sql: Sql, request: LoadObjectsRequest): Promise<ObjectPage> {
  const page = await pageById<WorldObject>(sql, 'objects', COLUMNS, request.afterId, pageSize(request.limit, DEFAULT_PAGE, MAX_PAGE));
  return { objects: page.rows, nextAfterId: page.nextAfterId };
}

/** Upserts, then deletes (a deleted id wins over a save of it in the same batch), in one transaction. */
export async function saveObjects(sql: Sql, request: SaveObjectsRequest): Promise<SaveObjectsResponse> {
  for (const object of request.objects) {
    requireId(object.id, 'object id');
    if (!KINDS.has(object.kind)) {
      throw new InvalidArgumentError(`object #${object.id}: kind must be room, exit, thing or player, got "${object.kind}"`);
    }
  }
  for (const id of request.deletedIds) requireId(id, 'deleted id');
  // One statement may not touch a row twice; the last snapshot of an object in a batch is its newest.
  const newest = [...new Map(request.objects.map((o) => [o.id, o])).values()];
  // PostgreSQL refuses NUL and lone surrogates, and would refuse the whole statement for one of them.
  const rejected: SaveObjectsResponse['rejected'] = [];
  const objects = newest.filter((object) => {
    const where = unstorable(object);
    if (where) rejected.push({ id: object.id, reason: `${where} holds a NUL or a lone surrogate` });
    return !where;
  });
  return sql.transaction(async (tx) => {
    for (let i = 0; i < objects.length; i += CHUNK) {
      await tx.query(UPSERT, [JSON.stringify(objects.slice(i, i + CHUNK))]);
    }
    const deleted =
      request.deletedIds.length === 0
        ? 0
        : (await tx.query('DELETE FROM objects WHERE id = ANY($1::int8[])', [request.deletedIds])).rowCount;
    if (objects.length > 0) await bumpSequence(tx, objects.reduce((max, o) => Math.max(max, o.id), 0));
    return { saved: objects.length, deleted, rejected };
  });
}

export async function allocateObjectIds(sql: Sql, request: AllocateObjectIdsRequest): Promise<AllocateObjectIdsResponse> {
  const { count } = request;
  if (!Number.isInteger(count) || count < 1 || count > MAX_ALLOCATION) {
    throw new InvalidArgumentError(`count must be between 1 and ${MAX_ALLOCATION}, got ${count}`);
  }
  const { rows } = await sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${ID_LOCK})`);
    return tx.query<{ id: number }>(
      "SELECT nextval('object_ids') AS id FROM generate_series(1, $1::int4) ORDER BY 1",
      [count],
    );
  });
  return { ids: rows.map((r) => r.id) };
}

/**
 * Objects may be saved with ids the sequence never handed out (imports, restores): move it past them so
 * AllocateObjectIds never returns a taken id. setval can move a sequence backwards, so no nextval may run
 * between reading and setting it; the advisory lock shared with allocateObjectIds ensures that.
 */
async function bumpSequence(tx: SqlExecutor, maxId: number): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${ID_LOCK})`);
  await tx.query(
    `SELECT setval('object_ids', $1::int8) FROM object_ids
     WHERE $1::int8 >= CASE WHEN is_called THEN last_value + 1 ELSE last_value END`,
    [maxId],
  );
}
