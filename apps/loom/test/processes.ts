// Test support: run the real `loom` command as a child process and read what it says.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { removeRunData } from '@loom/runtime/testing/run-data.ts';
import { uniqueName } from '@loom/runtime/testing/servers.ts';
import { portPlan } from '../src/commands/up.ts';

export const loomBin = fileURLToPath(new URL('../bin/loom.js', import.meta.url));

export interface LoomProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching, or rejects after timeoutMs or when the process exits. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export function runLoom(args: string[], env: NodeJS.ProcessEnv): LoomProcess {
  // A test that dies (a timeout, a crash) takes its `loom start` with it: the child watches its stdin pipe.
  const child = spawn(process.execPath, [loomBin, ...args], { env: { ...process.env, LOOM_STOP_WITH_PARENT: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (process.env.LOOM_TEST_VERBOSE) process.stderr.write(`  | ${line}\n`);
      for (const waiter of waiters) waiter(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    waitFor(pattern, timeoutMs = 60000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const done = (error?: Error, line?: string) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(line!);
        };
        const check = (line: string) => pattern.test(line) && done(undefined, line);
        const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-60).join('\n')}`)), timeoutMs);
        waiters.add(check);
        exited.then((code) => done(new Error(`loom exited (${code}) before a line matching ${pattern}; last lines:\n${lines.slice(-60).join('\n')}`)));
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The ports a `loom start` with port 0 actually bound, read from its startup line. */
export function boundPorts(startupLine: string): { http: number; telnet: number; udp: number } {
  const { listening } = JSON.parse(startupLine) as { listening: string[] };
  const port = (prefix: string) => Number(new RegExp(`^${prefix} [^ ]+:(\\d+)`).exec(listening.find((l) => l.startsWith(prefix)) ?? '')?.[1]);
  return { http: port('HTTP'), telnet: port('telnet'), udp: port('UDP') };
}

/** `loom start` on embedded storage in `dataDir`, every port picked free, nothing from the environment's servers. */
export function embeddedEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { LOOM_DATA_DIR: dataDir, LOOM_HOST: '127.0.0.1', LOOM_HTTP_PORT: '0', LOOM_TELNET_PORT: '0', LOOM_UDP_PORT: '0', REDIS_URL: '', DATABASE_URL: '', AMQP_URL: '', LOOM_REGISTER_PER_ADDRESS: '100000', ...extra };
}

/** `loom up` in a fresh database, Redis key prefix, queue prefix, port block and data folder; stop() removes them, the queues included. */
export interface LoomUp {
  loom: LoomProcess;
  ports: ReturnType<typeof portPlan>;
  basePort: number;
  databaseUrl: string;
  /** The environment `loom up` got (for another process of the same wiring). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startLoomUp(label: string, urls: { postgres: string; redis: string; rabbitmq: string }, extra: NodeJS.ProcessEnv = {}): Promise<LoomUp> {
  const database = uniqueName(label);
  const prefix = `${uniqueName(label.replace(/_/g, ''))}:`;
  const databaseUrl = Object.assign(new URL(urls.postgres), { pathname: `/${database}` }).toString();
  // Blocks of 50 between 20000 and 32749: below Linux's ephemeral range (32768-60999), where the
  // services' own outgoing connections could already hold a port a service is about to bind.
  const basePort = 20000 + Math.floor(Math.random() * 255) * 50;
  const dataDir = mkdtempSync(join(tmpdir(), `${label}-`));
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: urls.redis,
    AMQP_URL: urls.rabbitmq,
    LOOM_REDIS_PREFIX: prefix,
    LOOM_QUEUE_PREFIX: prefix.replace(/:$/, '.'),
    LOOM_DATA_DIR: dataDir,
    LOOM_HOST: '127.0.0.1',
    // Given rather than made by `loom up`, so a test's own extra process of the wiring can call in.
    LOOM_INTERNAL_KEY: randomBytes(32).toString('hex'),
    LOOM_REGISTER_PER_ADDRESS: '100000', // tests make many accounts from 127.0.0.1
    ...extra,
  };
  const loom = runLoom(['up', '--base-port', String(basePort)], env);
  const stop = async () => {
    await loom.stop('SIGINT', 30_000); // `loom up` stops its services; a SIGKILL would orphan them
    rmSync(dataDir, { recursive: true, force: true });
    await removeRunData({ database, redisPrefix: prefix, queuePrefix: env.LOOM_QUEUE_PREFIX }, urls);
  };
  try {
    await loom.waitFor(/all 10 services ready/, 120000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { loom, ports: portPlan(basePort), basePort, databaseUrl, env, stop };
}
