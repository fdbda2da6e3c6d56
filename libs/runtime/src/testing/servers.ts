// Test support for the shared servers on this machine (PostgreSQL, Redis, RabbitMQ).
// Without CI=true a test whose server is absent is skipped with a reason; with CI=true absence fails.
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';

export type ServerKind = 'postgres' | 'redis' | 'rabbitmq';

export const testServerUrls: Record<ServerKind, string> = {
  postgres: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  rabbitmq: process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
};

function reachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const defaults: Record<string, number> = { 'postgres:': 5432, 'redis:': 6379, 'amqp:': 5672 };
  const p = Number(port) || defaults[new URL(url).protocol] || 0;
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: p });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves to `{ skip: false, url }` when the server answers. When it does not: throws under CI=true,
 * otherwise returns a skip reason for `describe(name, { skip }, ...)` and says so on stderr.
 */
export async function needServer(kind: ServerKind): Promise<{ skip: string | false; url: string }> {
  const url = testServerUrls[kind];
  if (await reachable(url)) return { skip: false, url };
  const reason = `${kind} is not reachable at ${new URL(url).host}`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires it`);
  process.stderr.write(`SKIPPING ${kind} tests: ${reason} (set CI=true to make this a failure)\n`);
  return { skip: reason, url };
}

/** A name unique to this test run, for Redis key prefixes, queue names and database names. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
