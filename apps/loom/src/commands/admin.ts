// `loom admin create <name>`: makes an admin account, or makes an existing account admin, on the configured database.
import { createInterface } from 'node:readline';
import { ensureAdmin } from '@loom/auth-service';
import { migrations, persistenceStore } from '@loom/persistence-service';
import { contracts } from '@loom/proto';
import { createMetrics, LoomError, loadConfig, openSql, silentLogger } from '@loom/runtime';
import { openAdapters } from '@loom/runtime/adapters.ts';
import { inProcessClient } from '@loom/runtime/transport/in-process.ts';

async function readLine(prompt: string | undefined): Promise<string> {
  const input = createInterface({ input: process.stdin, terminal: false });
  if (prompt !== undefined) process.stderr.write(prompt);
  try {
    for await (const line of input) return line;
    throw new Error('no password given on standard input');
  } finally {
    input.close();
  }
}

// What was typed past the end of one answer (typed ahead) belongs to the next.
let typedAhead = '';

/** Asks on the terminal without echoing what is typed. */
async function askHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  let typed = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const take = (chunk: string): boolean => {
        for (let i = 0; i < chunk.length; i++) {
          const char = chunk[i]!;
          if (char === '\r' || char === '\n') {
            typedAhead = chunk.slice(chunk[i + 1] === '\n' && char === '\r' ? i + 2 : i + 1);
            resolve(typed);
            return true;
          }
          if (char === '\u0003') {
            reject(new Error('cancelled'));
            return true;
          }
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else typed += char;
        }
        return false;
      };
      const onData = (chunk: string) => {
        if (take(chunk)) process.stdin.off('data', onData);
      };
      const ahead = typedAhead;
      typedAhead = '';
      if (!take(ahead)) {
        process.stdin.on('data', onData);
        process.stdin.resume();
      }
    });
  } finally {
    process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stderr.write('\n');
  }
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) return readLine(undefined);
  const password = await askHidden('Password: ');
  if ((await askHidden('Again: ')) !== password) throw new Error('the two passwords differ');
  return password;
}

export async function createAdmin(username: string, options: { passwordStdin?: boolean }): Promise<void> {
  const config = loadConfig();
  const password = await readPassword(options.passwordStdin ?? false);
  const sql = await openSql(config);
  const adapters = openAdapters(config, silentLogger);
  try {
    await sql.migrate(migrations);
    const store = persistenceStore(sql);
    const persistence = inProcessClient(contracts['persistence-service'], () => store, {
      metrics: createMetrics(),
      logger: silentLogger,
      timeoutMs: config.rpcTimeoutMs,
    });
    const { user, created } = await ensureAdmin(persistence, adapters.kv(), username, password);
    console.log(created ? `created admin ${user.username} (#${user.id})` : `${user.username} (#${user.id}) is now an admin, with the new password`);
  } catch (error) {
    if (!(error instanceof LoomError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } finally {
    await adapters.close();
    await sql.close();
  }
}
