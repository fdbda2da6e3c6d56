// Channel mutes and bans; chat-service decides what they mean, this keeps them.
import type { ChannelSanction, ChannelSanctions, GetChannelSanctionsRequest, RemoveChannelSanctionResponse } from '@loom/proto';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { InvalidArgumentError } from '@loom/runtime/transport/errors.ts';
import { msOf, requireId, requireText, timeOf } from './sql-text.ts';

const COLUMNS = `channel, user_id AS "userId", kind, COALESCE(${msOf('until')}, 0) AS "untilMs", COALESCE(by_id, 0) AS "byId",
  ${msOf('created_at')} AS "createdAtMs"`;

function requireKind(kind: string): string {
  if (kind !== 'mute' && kind !== 'ban') throw new InvalidArgumentError(`kind must be mute or ban, got "${kind}"`);
  return kind;
}

/** Sets (or replaces) the sanction of that kind for the player on the channel. */
export async function setChannelSanction(sql: Sql, sanction: ChannelSanction): Promise<ChannelSanction> {
  requireText(sanction.channel, 'channel');
  requireId(sanction.userId, 'user id');
  requireKind(sanction.kind);
  const { rows } = await sql.query<ChannelSanction>(
    `INSERT INTO channel_sanctions (channel, user_id, kind, until, by_id, created_at)
     VALUES ($1, $2, $3, CASE WHEN $4::int8 > 0 THEN to_timestamp($4::int8 / 1000.0) END, NULLIF($5::int8, 0), ${timeOf('$6::int8')})
     ON CONFLICT (channel, user_id, kind) DO UPDATE SET until = EXCLUDED.until, by_id = EXCLUDED.by_id, created_at = EXCLUDED.created_at
     RETURNING ${COLUMNS}`,
    [sanction.channel, sanction.userId, sanction.kind, sanction.untilMs, sanction.byId, sanction.createdAtMs],
  );
  return rows[0]!;
}

export async function removeChannelSanction(sql: Sql, sanction: ChannelSanction): Promise<RemoveChannelSanctionResponse> {
  requireKind(sanction.kind);
  const { rowCount } = await sql.query('DELETE FROM channel_sanctions WHERE channel = $1 AND user_id = $2 AND kind = $3', [
    sanction.channel,
    sanction.userId,
    sanction.kind,
  ]);
  return { removed: rowCount > 0 };
}

/** Sanctions still in force (expired ones are ignored, and pruned as they are met). */
export async function getChannelSanctions(sql: Sql, request: GetChannelSanctionsRequest): Promise<ChannelSanctions> {
  requireId(request.userId, 'user id');
  await sql.query('DELETE FROM channel_sanctions WHERE user_id = $1 AND until IS NOT NULL AND until < now()', [request.userId]);
  const { rows } = await sql.query<ChannelSanction>(
    `SELECT ${COLUMNS} FROM channel_sanctions WHERE user_id = $1 AND channel IN ($2, '*') ORDER BY channel, kind`,
    [request.userId, request.channel],
  );
  return { sanctions: rows };
}
