// Chat history: chat-service appends what was said and reads back the recent past per channel.
import type { ChatHistoryRequest, ChatLine, ChatLines } from '@loom/proto';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { msOf, pageSize, requireText, timeOf } from './sql-text.ts';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

const COLUMNS = `id, channel, COALESCE(sender_id, 0) AS "senderId", sender_name AS "senderName", text,
  ${msOf('sent_at')} AS "sentAtMs"`;

/** Stores the lines in the order given; returns them with their ids and times. */
export async function appendChatLines(sql: Sql, request: ChatLines): Promise<ChatLines> {
  if (request.lines.length === 0) return { lines: [] };
  for (const line of request.lines) requireText(line.channel, 'channel');
  // "seq" keeps the request's order through the SELECT, so ids follow it.
  const { rows } = await sql.query<ChatLine>(
    `INSERT INTO chat_lines (channel, sender_id, sender_name, text, sent_at)
     SELECT r.channel, NULLIF(r."senderId", 0), COALESCE(r."senderName", ''), COALESCE(r.text, ''), ${timeOf('r."sentAtMs"')}
     FROM jsonb_to_recordset($1::jsonb) AS r(seq int4, channel text, "senderId" int8, "senderName" text, text text, "sentAtMs" int8)
     ORDER BY r.seq
     RETURNING ${COLUMNS}`,
    [JSON.stringify(request.lines.map((line, seq) => ({ ...line, seq })))],
  );
  return { lines: rows.sort((a, b) => a.id - b.id) };
}

/** The newest `limit` lines of the channel older than before_id, oldest first. */
export async function chatHistory(sql: Sql, request: ChatHistoryRequest): Promise<ChatLines> {
  const channel = requireText(request.channel, 'channel');
  const limit = pageSize(request.limit, DEFAULT_PAGE, MAX_PAGE);
  const before = request.beforeId > 0 ? request.beforeId : Number.MAX_SAFE_INTEGER;
  const { rows } = await sql.query<ChatLine>(
    `SELECT * FROM (
       SELECT ${COLUMNS} FROM chat_lines WHERE channel = $1 AND id < $2 ORDER BY id DESC LIMIT $3
     ) AS newest ORDER BY id`,
    [channel, before, limit],
  );
  return { lines: rows };
}
