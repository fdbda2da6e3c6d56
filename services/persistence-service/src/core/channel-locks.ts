// Channel locks (who may join, who may speak); world-state judges the keys, this keeps them.
import type { ChannelLock, ChannelLocks, GetChannelLocksRequest, RemoveChannelLockResponse } from '@loom/proto';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { InvalidArgumentError } from '@loom/runtime/transport/errors.ts';
import { msOf, requireText, timeOf } from './sql-text.ts';

const COLUMNS = `channel, kind, key, COALESCE(by_id, 0) AS "byId", ${msOf('set_at')} AS "setAtMs"`;

function requireKind(kind: string): string {
  if (kind !== 'join' && kind !== 'speech') throw new InvalidArgumentError(`kind must be join or speech, got "${kind}"`);
  return kind;
}

/** Sets (or replaces) the channel's lock of that kind. */
export async function setChannelLock(sql: Sql, lock: ChannelLock): Promise<ChannelLock> {
  requireText(lock.channel, 'channel');
  requireKind(lock.kind);
  requireText(lock.key, 'key');
  const { rows } = await sql.query<ChannelLock>(
    `INSERT INTO channel_locks (channel, kind, key, by_id, set_at) VALUES ($1, $2, $3, NULLIF($4::int8, 0), ${timeOf('$5::int8')})
     ON CONFLICT (channel, kind) DO UPDATE SET key = EXCLUDED.key, by_id = EXCLUDED.by_id, set_at = EXCLUDED.set_at
     RETURNING ${COLUMNS}`,
    [lock.channel, lock.kind, lock.key, lock.byId, lock.setAtMs],
  );
  return rows[0]!;
}

export async function removeChannelLock(sql: Sql, lock: ChannelLock): Promise<RemoveChannelLockResponse> {
  requireKind(lock.kind);
  const { rowCount } = await sql.query('DELETE FROM channel_locks WHERE channel = $1 AND kind = $2', [lock.channel, lock.kind]);
  return { removed: rowCount > 0 };
}

/** The locks of the channels named, by channel then kind. */
export async function getChannelLocks(sql: Sql, request: GetChannelLocksRequest): Promise<ChannelLocks> {
  if (!request.channels.length) return { locks: [] };
  const { rows } = await sql.query<ChannelLock>(`SELECT ${COLUMNS} FROM channel_locks WHERE channel = ANY($1::text[]) ORDER BY channel, kind`, [request.channels]);
  return { locks: rows };
}
