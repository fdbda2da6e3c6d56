// The distributed wiring on one machine: every service its own process, against PostgreSQL, Redis and
// RabbitMQ (localhost unless configured), logs prefixed per service, all stopped together on Ctrl-C.
// A service that dies is started again (after 1 s, doubling to 30 s while it keeps dying), as
// Kubernetes would restart its pod: a `kill -9` of any one process heals by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { addressVariable, defaultPorts, ensureDatabase, serviceNames, type ServiceName } from '@loom/runtime';
import { contracts, type ContractServiceName } from '@loom/proto';

const loomBin = fileURLToPath(new URL('../../bin/loom.js', import.meta.url));
const colours = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94];
const stopTimeoutMs = 15000;
const firstRestartMs = 1000;
const maxRestartMs = 30_000;
/** Up this long, a service counts as healthy again: its next restart waits firstRestartMs. */
const stableMs = 60_000;
/** Ten processes compiling TypeScript at once: on a busy 2-core machine that alone can take minutes. */
const readyWithinMs = 180_000;

interface Ports {
  grpc: Partial<Record<ServiceName, number>>;
  ops: Record<ServiceName, number>;
  http: number;
  telnet: number;
  udp: number;
}

export function portPlan(base?: number): Ports {
  if (base === undefined) {
    return {
      grpc: Object.fromEntries(serviceNames.map((n) => [n, defaultPorts[n].grpc])),
      ops: Object.fromEntries(serviceNames.map((n) => [n, defaultPorts[n].ops])) as Record<ServiceName, number>,
      http: 8080,
      telnet: 4000,
      udp: 5000,
    };
  }
  const contractNames = Object.keys(contracts) as ContractServiceName[];
  return {
    grpc: Object.fromEntries(contractNames.map((n, i) => [n, base + i])),
    ops: Object.fromEntries(serviceNames.map((n, i) => [n, n === 'http-api' ? base + 20 : base + 10 + i])) as Record<ServiceName, number>,
    http: base + 20,
    telnet: base + 21,
    udp: base + 22,
  };
}

const forwardedTo = { LOOM_PROXY_TEXT_URL: 'text-gateway', LOOM_PROXY_GRAPHICS_URL: 'graphics-gateway', LOOM_PROXY_ASSETS_URL: 'asset-service' } as const satisfies Record<string, ServiceName>;

/** What a service behind http-api believes of X-Forwarded-For: http-api (loopback), and the edge before it if one is named. */
function trustedProxies(name: ServiceName): NodeJS.ProcessEnv {
  if (!(Object.values(forwardedTo) as ServiceName[]).includes(name)) return {};
  return { LOOM_TRUST_PROXY: ['127.0.0.1', process.env.LOOM_TRUST_PROXY].filter(Boolean).join(',') };
}

function environment(ports: Ports): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/loom',
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    AMQP_URL: process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
    LOOM_HTTP_PORT: String(ports.http),
    LOOM_TELNET_PORT: String(ports.telnet),
    LOOM_UDP_PORT: String(ports.udp),
    // The services' shared secret for internal gRPC: one per `loom up` unless the environment gives one.
    LOOM_INTERNAL_KEY: process.env.LOOM_INTERNAL_KEY || randomBytes(32).toString('hex'),
  };
  for (const name of Object.keys(contracts) as ContractServiceName[]) env[addressVariable(name)] = `127.0.0.1:${ports.grpc[name]}`;
  // One front door: http-api forwards the browser's other paths to the services that serve them.
  for (const [variable, name] of Object.entries(forwardedTo)) env[variable] = `http://127.0.0.1:${ports.ops[name]}`;
  return env;
}

function prefixLines(child: ChildProcess, label: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label} ${line}\n`));
  }
}

/** Ready, not merely alive: every service answers /ready, so what each needs answers too. */
async function waitReady(ports: Ports, children: Map<ServiceName, ChildProcess>): Promise<void> {
  const pending = new Set(serviceNames);
  const deadline = Date.now() + readyWithinMs;
  while (pending.size && Date.now() < deadline) {
    for (const name of [...pending]) {
      if (children.get(name)?.exitCode !== null) continue;
      const ok = await fetch(`http://127.0.0.1:${ports.ops[name]}/ready`).then((r) => r.ok, () => false);
      if (ok) pending.delete(name);
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 250));
  }
  if (pending.size) throw new Error(`not ready after ${readyWithinMs / 1000} s: ${[...pending].join(', ')}`);
}

export async function up(options: { basePort?: number }): Promise<void> {
  const ports = portPlan(options.basePort);
  const env = environment(ports);
  await ensureDatabase(env.DATABASE_URL!);
  const children = new Map<ServiceName, ChildProcess>();
  const width = Math.max(...serviceNames.map((n) => n.length));
  const restartDelay = new Map<ServiceName, number>();
  const launch = (name: ServiceName, i: number) => {
    // stdin is a pipe the service watches (LOOM_STOP_WITH_PARENT): if `loom up` is killed, its services stop too.
    const child = spawn(process.execPath, [loomBin, 'service', name], {
      env: { ...env, ...trustedProxies(name), LOOM_STOP_WITH_PARENT: '1', LOOM_OPS_PORT: String(ports.ops[name]), ...(ports.grpc[name] ? { LOOM_GRPC_PORT: String(ports.grpc[name]) } : {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const label = process.stdout.isTTY ? `\x1b[${colours[i % colours.length]}m${name.padEnd(width)} |\x1b[0m` : `${name.padEnd(width)} |`;
    prefixLines(child, label);
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (stopping) {
        process.stdout.write(`${label} exited (${signal ?? `code ${code}`})\n`);
        if (children.size === 0) process.exit(0);
        return;
      }
      const delay = Date.now() - startedAt > stableMs ? firstRestartMs : (restartDelay.get(name) ?? firstRestartMs);
      restartDelay.set(name, Math.min(delay * 2, maxRestartMs));
      process.stdout.write(`${label} exited (${signal ?? `code ${code}`}); restarting it in ${(delay / 1000).toFixed(0)} s\n`);
      setTimeout(() => stopping || launch(name, i), delay);
    });
    children.set(name, child);
  };
  serviceNames.forEach(launch);

  let stopping = false;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`stopping ${children.size} services\n`);
    if (children.size === 0) process.exit(0);
    for (const child of children.values()) child.kill('SIGTERM');
    setTimeout(() => {
      for (const child of children.values()) child.kill('SIGKILL');
      process.exit(1);
    }, stopTimeoutMs).unref();
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  // Run by a test or a tool that watches us through stdin: when it dies, stop everything.
  if (process.env.LOOM_STOP_WITH_PARENT === '1') {
    process.stdin.resume();
    process.stdin.once('close', stopAll);
  }

  try {
    await waitReady(ports, children);
    process.stdout.write(
      `all ${serviceNames.length} services ready: HTTP http://127.0.0.1:${ports.http} (web client, /text, API), telnet 127.0.0.1:${ports.telnet}, UDP 127.0.0.1:${ports.udp}; Ctrl-C stops them\n`,
    );
  } catch (error) {
    process.stdout.write(`${(error as Error).message}\n`);
    stopAll();
  }
}
