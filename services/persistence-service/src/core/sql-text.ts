// Small pieces shared by the store's queries and argument checks.
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { InvalidArgumentError } from '@loom/runtime/transport/errors.ts';

/** A timestamptz column as milliseconds since the epoch (the messages' *_ms fields). */
export const msOf = (column: string): string => `floor(extract(epoch FROM ${column}) * 1000)::int8`;

/** A time given in milliseconds; 0 (unset in the message) means now. */
export const timeOf = (ms: string): string => `CASE WHEN ${ms} > 0 THEN to_timestamp(${ms} / 1000.0) ELSE now() END`;

/** The page size a request asks for: 0 = the default, above the maximum = the maximum. */
export function pageSize(limit: number, defaultSize: number, maxSize: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError(`limit must be 0 or more, got ${limit}`);
  return limit === 0 ? defaultSize : Math.min(limit, maxSize);
}

export function requireId(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(`${what} must be a positive integer, got ${value}`);
  return value;
}

export function requireText(value: string, what: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(`${what} must not be empty`);
  return value;
}

/** One page of a table in id order after `afterId` (keyset paging): the rows, and the id to continue from (0 = done). */
export async function pageById<Row extends { id: number }>(sql: Sql, table: string, columns: string, afterId: number, limit: number): Promise<{ rows: Row[]; nextAfterId: number }> {
  const { rows } = await sql.query<Row>(`SELECT ${columns} FROM ${table} WHERE id > $1 ORDER BY id LIMIT $2`, [Math.max(0, afterId), limit + 1]);
  const page = rows.slice(0, limit);
  return { rows: page, nextAfterId: rows.length > limit ? page[page.length - 1]!.id : 0 };
}
