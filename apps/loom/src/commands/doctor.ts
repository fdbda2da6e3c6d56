// Checks every dependency the configuration names and says what answers; exit 1 when a configured server does not.
import { access, constants, mkdir } from 'node:fs/promises';
import { contracts, type ContractServiceName } from '@loom/proto';
import { addressVariable, checkRemoteHealth, loadConfig, openSql, pingAmqp, pingRedis } from '@loom/runtime';

interface Row {
  what: string;
  where: string;
  ok: boolean;
  note: string;
  required: boolean;
}

async function probe(what: string, where: string, required: boolean, check: () => Promise<string | void>): Promise<Row> {
  try {
    const note = (await check()) ?? 'answers';
    return { what, where, ok: true, note, required };
  } catch (error) {
    return { what, where, ok: false, note: (error as Error).message.split('\n')[0] ?? 'failed', required };
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function doctor(): Promise<void> {
  const config = loadConfig();
  const rows: Row[] = [];
  if (config.databaseUrl) {
    rows.push(await probe('sql', redact(config.databaseUrl), true, async () => {
      const sql = await openSql(config);
      try {
        await sql.ping();
      } finally {
        await sql.close();
      }
    }));
  } else {
    rows.push(await probe('sql', `pglite ${config.dataDir}/pg`, true, async () => {
      await mkdir(config.dataDir, { recursive: true });
      await access(config.dataDir, constants.W_OK);
      return 'embedded; data folder writable';
    }));
  }
  rows.push(config.redisUrl ? await probe('bus + kv', redact(config.redisUrl), true, () => pingRedis(config.redisUrl!)) : { what: 'bus + kv', where: 'in-memory', ok: true, note: 'embedded', required: false });
  rows.push(config.amqpUrl ? await probe('queue', redact(config.amqpUrl), true, () => pingAmqp(config.amqpUrl!)) : { what: 'queue', where: 'in-process', ok: true, note: 'embedded', required: false });
  for (const name of Object.keys(contracts) as ContractServiceName[]) {
    const address = config.addresses[name];
    // An address the environment names is a service this deployment expects: it must answer.
    const named = Boolean(process.env[addressVariable(name)]);
    rows.push(await probe(name, address, named, async () => {
      await checkRemoteHealth(address, 1000);
      return 'SERVING';
    }));
  }
  const width = Math.max(...rows.map((r) => r.what.length));
  const whereWidth = Math.max(...rows.map((r) => r.where.length));
  for (const r of rows) {
    const mark = r.ok ? 'ok  ' : r.required ? 'FAIL' : '--  ';
    const note = r.ok || r.required ? r.note : `not running (only needed in the distributed wiring): ${r.note}`;
    console.log(`${mark} ${r.what.padEnd(width)}  ${r.where.padEnd(whereWidth)}  ${note}`);
  }
  const failed = rows.filter((r) => r.required && !r.ok);
  console.log(failed.length ? `\n${failed.length} configured dependenc${failed.length === 1 ? 'y does' : 'ies do'} not answer` : '\nevery configured dependency answers');
  process.exitCode = failed.length ? 1 : 0;
}
