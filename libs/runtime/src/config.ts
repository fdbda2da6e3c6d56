// 12-factor configuration: every setting is an environment variable, listed once here.
// `loom config` prints this table; the README's table is generated from it.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { contracts, type ContractServiceName } from '@loom/proto';
import { addressVariable, defaultPorts } from './services.ts';

type Parser<T> = (raw: string) => T;

interface Setting<T, D extends string | undefined = string | undefined> {
  name: string;
  default: D;
  description: string;
  parse: Parser<T>;
}

class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}
export { ConfigError };

const integer = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
};
const port = integer(0, 65535);
const text: Parser<string> = (raw) => raw;
const secret: Parser<string> = (raw) => {
  if (raw.length < 16) throw new Error('must be at least 16 characters (e.g. openssl rand -hex 32)');
  return raw;
};
const url = (...protocols: string[]): Parser<string> => (raw) => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`must be a URL (${protocols.join(' or ')}), got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) throw new Error(`must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  return raw;
};
const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) => {
  if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
};
const hostPort: Parser<string> = (raw) => {
  if (!/^[\w.-]+:\d{1,5}$/.test(raw)) throw new Error(`must be host:port, got "${raw}"`);
  return raw;
};

const addressList: Parser<string[]> = (raw) => {
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.find((entry) => {
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    return !family || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
  });
  if (bad !== undefined || entries.length === 0) throw new Error(`must be IP addresses or CIDRs separated by commas, such as 127.0.0.1,10.0.0.0/8; got "${bad ?? raw}"`);
  return entries;
};

const pem: Parser<string> = (raw) => {
  const text = raw.replace(/\\n/g, '\n');
  if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(text)) throw new Error('must be a PEM "BEGIN PRIVATE KEY" block (PKCS#8)');
  return text;
};
const jwks: Parser<Array<Record<string, unknown>>> = (raw) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('must be JSON: {"keys": [...]}');
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || !keys.every((k) => k && typeof k === 'object' && typeof k.kid === 'string')) {
    throw new Error('must be a JSON Web Key Set whose every key has a "kid"');
  }
  return keys as Array<Record<string, unknown>>;
};

const setting = <T, D extends string | undefined>(name: string, def: D, description: string, parse: Parser<T>): Setting<T, D> => ({
  name,
  default: def,
  description,
  parse,
});

export const settings = {
  dataDir: setting('LOOM_DATA_DIR', './data', 'Folder for embedded data: PGlite database, keys, assets.', text),
  databaseUrl: setting('DATABASE_URL', undefined, 'PostgreSQL server; unset = embedded PGlite under LOOM_DATA_DIR.', url('postgres:', 'postgresql:')),
  redisUrl: setting('REDIS_URL', undefined, 'Redis for the event bus and cache; unset = in-memory.', url('redis:', 'rediss:')),
  amqpUrl: setting('AMQP_URL', undefined, 'RabbitMQ for the job queue; unset = in-process worker pool.', url('amqp:', 'amqps:')),
  redisPrefix: setting('LOOM_REDIS_PREFIX', 'loom:', 'Prefix of every Redis key and channel (several worlds on one Redis).', text),
  queuePrefix: setting('LOOM_QUEUE_PREFIX', 'loom.', 'Prefix of every RabbitMQ queue and exchange.', text),
  host: setting('LOOM_HOST', '0.0.0.0', 'Address the listeners for players and HTTP bind to.', text),
  grpcHost: setting('LOOM_GRPC_HOST', '127.0.0.1', 'Address a standalone service\'s internal gRPC binds to; anything but loopback needs LOOM_INTERNAL_KEY.', text),
  internalKey: setting('LOOM_INTERNAL_KEY', undefined, 'Shared secret of the internal gRPC calls: every client sends it, every server refuses a call without it (grpc.health.v1 aside). `loom up` makes one.', secret),
  httpPort: setting('LOOM_HTTP_PORT', '8080', 'HTTP: REST API, web client, /health, /ready, /metrics (all-in-one and http-api).', port),
  proxyTextUrl: setting('LOOM_PROXY_TEXT_URL', undefined, 'text-gateway\'s HTTP address (http://host:port): http-api forwards /text and /ws/text there, so the browser plays at one address; unset = not forwarded (the all-in-one serves them itself).', url('http:', 'https:')),
  proxyGraphicsUrl: setting('LOOM_PROXY_GRAPHICS_URL', undefined, 'graphics-gateway\'s HTTP address: http-api forwards /ws/graphics there; unset = not forwarded.', url('http:', 'https:')),
  proxyAssetsUrl: setting('LOOM_PROXY_ASSETS_URL', undefined, 'asset-service\'s HTTP address: http-api forwards /assets/* and /api/v1/assets* there; unset = not forwarded.', url('http:', 'https:')),
  trustProxy: setting('LOOM_TRUST_PROXY', undefined, 'Comma-separated addresses or CIDRs of reverse proxies (the edge, http-api) whose X-Forwarded-For names the client, so per-address limits count players, not the proxy; unset = trust none.', addressList),
  telnetPort: setting('LOOM_TELNET_PORT', '4000', 'Telnet for text players.', port),
  udpPort: setting('LOOM_UDP_PORT', '5000', 'UDP for 3D players.', port),
  graphicsMaxSessions: setting('LOOM_GRAPHICS_MAX_SESSIONS', '256', '3D players (UDP and /ws/graphics together) one graphics gateway takes at once; more are refused as "server full".', integer(1, 1000000)),
  graphicsSessionsPerAddress: setting('LOOM_GRAPHICS_SESSIONS_PER_ADDRESS', '8', '3D players one network address (an IPv6 /64) may have connected at once, and handshakes it may have in progress; more are refused with the reason.', integer(1, 1000000)),
  grpcPort: setting('LOOM_GRPC_PORT', undefined, 'gRPC port of a standalone service; default per service (50051-50057).', port),
  opsPort: setting('LOOM_OPS_PORT', undefined, 'HTTP port for /health, /ready, /metrics of a standalone service; default per service (9101-9109).', port),
  tickHz: setting('LOOM_TICK_HZ', '20', 'World ticks per second.', integer(1, 120)),
  worldName: setting('LOOM_WORLD_NAME', 'Loom', 'The world\'s name: greetings, MSSP, GMCP.', text),
  saveIntervalMs: setting('LOOM_SAVE_INTERVAL_MS', '2000', 'How often world-state writes changed objects; a kill -9 loses at most this much of world changes.', integer(100, 600000)),
  chatFloodLines: setting('LOOM_CHAT_FLOOD_LINES', '8', 'Chat lines a player may send per flood window before being told to slow down.', integer(1, 1000)),
  chatFloodWindowS: setting('LOOM_CHAT_FLOOD_WINDOW', '10', 'Seconds of the chat flood window.', integer(1, 3600)),
  chatWordFilter: setting('LOOM_CHAT_WORD_FILTER', '', 'Comma-separated words replaced by asterisks in chat (whole words, any case).', text),
  scriptCpuMs: setting('LOOM_SCRIPT_CPU_MS', '50', 'CPU time one script run may use before it is stopped.', integer(1, 10000)),
  scriptMemoryMb: setting('LOOM_SCRIPT_MEMORY_MB', '16', 'Memory of one script sandbox, in MiB.', integer(4, 1024)),
  scriptMaxEffects: setting('LOOM_SCRIPT_MAX_EFFECTS', '50', 'Effects (emit, teleport, setAttr...) one script run may ask for.', integer(1, 10000)),
  scriptMaxOutput: setting('LOOM_SCRIPT_MAX_OUTPUT', '8192', 'Bytes of text and values one script run may produce.', integer(256, 10485760)),
  scriptRunsPerOwner: setting('LOOM_SCRIPT_RUNS_PER_OWNER', '20', 'Script runs one owner\'s objects may start per second; more are skipped and the owner told.', integer(1, 10000)),
  scriptCpuPerOwnerMs: setting('LOOM_SCRIPT_CPU_PER_OWNER', '100', 'CPU milliseconds per second one owner\'s scripts may use on average (their CPU bucket refills at this rate); past it their runs are refused and the owner told.', integer(1, 100000)),
  scriptCpuBurstMs: setting('LOOM_SCRIPT_CPU_BURST', '1000', 'CPU milliseconds an idle owner\'s scripts may use at once (the CPU bucket\'s size).', integer(1, 3600000)),
  textFloodLines: setting('LOOM_TEXT_FLOOD_LINES', '60', 'Lines a text connection may send in 2 seconds (a pasted script counts); more are dropped with a warning.', integer(5, 100000)),
  textConnectionsPerAddress: setting('LOOM_TEXT_CONNECTIONS_PER_ADDRESS', '32', 'Text connections (telnet and /ws/text together) one network address may hold open at once; more are refused.', integer(1, 1000000)),
  loginTimeoutS: setting('LOOM_LOGIN_TIMEOUT', '60', 'Seconds a text connection may sit at the login prompt before it is closed.', integer(5, 3600)),
  idleTimeoutS: setting('LOOM_IDLE_TIMEOUT', '3600', 'Seconds a text connection may stay silent before it is closed.', integer(10, 604800)),
  rpcTimeoutMs: setting('LOOM_RPC_TIMEOUT_MS', '5000', 'Deadline of a call between services (not of a player\'s session stream, which has none).', integer(10, 600000)),
  sessionGraceS: setting('LOOM_SESSION_GRACE', '60', 'Seconds world-state keeps a player whose gateway stream broke without a goodbye; the gateway reattaching within them resumes the session with nothing lost.', integer(0, 3600)),
  shutdownTimeoutMs: setting('LOOM_SHUTDOWN_TIMEOUT_MS', '10000', 'How long a graceful shutdown may drain before the process exits anyway.', integer(100, 600000)),
  jwtPrivateKey: setting('LOOM_JWT_PRIVATE_KEY', undefined, 'PEM (PKCS#8) Ed25519 key that signs access tokens; unset = one generated on first start under LOOM_DATA_DIR/keys.', pem),
  jwtVerifyKeys: setting('LOOM_JWT_VERIFY_KEYS', undefined, 'JSON Web Key Set of older public keys still accepted while keys rotate.', jwks),
  accessTokenTtlS: setting('LOOM_ACCESS_TOKEN_TTL', '900', 'Seconds an access token (JWT) is valid.', integer(30, 86400)),
  refreshTokenTtlS: setting('LOOM_REFRESH_TOKEN_TTL', '2592000', 'Seconds a refresh token is valid if unused.', integer(60, 31536000)),
  loginMaxFailures: setting('LOOM_LOGIN_MAX_FAILURES', '5', 'Failed logins on one account, from one address or from addresses it never signed in from (four times this from one address on accounts never signed in to from there), before each further attempt waits.', integer(1, 1000)),
  loginDelayMs: setting('LOOM_LOGIN_DELAY_MS', '1000', 'The first wait past LOOM_LOGIN_MAX_FAILURES, in ms; it doubles with every further failure, up to LOOM_LOGIN_WINDOW.', integer(1, 3600000)),
  registerPerAddress: setting('LOOM_REGISTER_PER_ADDRESS', '5', 'New accounts one network address may make per LOOM_REGISTER_WINDOW; more get 429 (RESOURCE_EXHAUSTED).', integer(1, 1000000)),
  registerWindowS: setting('LOOM_REGISTER_WINDOW', '600', 'Seconds over which registrations per address count.', integer(1, 86400)),
  objectQuota: setting('LOOM_OBJECT_QUOTA', '50', 'Objects (rooms, exits, things, also those scripts spawn) one builder may own; admins have no quota; 0 = no quota.', integer(0, 10000000)),
  registerSpacingS: setting('LOOM_REGISTER_SPACING', '0', 'Seconds one network address waits between new accounts, a delay in place of a CAPTCHA (a person makes one account; a script must wait); 0 = none.', integer(0, 86400)),
  loginWindowS: setting('LOOM_LOGIN_WINDOW', '900', 'Seconds over which failed logins count, from the first; also the longest wait.', integer(1, 86400)),
  logLevel: setting('LOG_LEVEL', 'info', 'trace, debug, info, warn, error or fatal.', oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent')),
  otlpEndpoint: setting('OTEL_EXPORTER_OTLP_ENDPOINT', undefined, 'OTLP/HTTP collector for traces; unset = tracing off.', url('http:', 'https:')),
  assetMaxBytes: setting('LOOM_ASSET_MAX_BYTES', '16777216', 'Largest asset an upload may send, in bytes.', integer(1, 4294967296)),
  assetS3Bucket: setting('LOOM_ASSET_S3_BUCKET', undefined, 'S3 bucket for asset bytes (credentials from the standard AWS_* variables); unset = files under LOOM_DATA_DIR/assets.', text),
  assetS3Endpoint: setting('LOOM_ASSET_S3_ENDPOINT', undefined, 'Endpoint of an S3-compatible server (MinIO, R2...); unset = AWS S3.', url('http:', 'https:')),
  assetS3Region: setting('LOOM_ASSET_S3_REGION', undefined, 'Region of the asset bucket; unset = AWS_REGION, else us-east-1.', text),
};

type Settings = typeof settings;
type Value<S> = S extends Setting<infer T, string | undefined> ? T : never;
type Required = { [K in keyof Settings as Settings[K]['default'] extends string ? K : never]: Value<Settings[K]> };
type Optional = { [K in keyof Settings as Settings[K]['default'] extends string ? never : K]?: Value<Settings[K]> };

export type LoomConfig = Required &
  Optional & {
    /** Where each contract service is reached in the distributed wiring (`AUTH_SERVICE_ADDR`, ...). */
    addresses: Record<ContractServiceName, string>;
  };

const addressSettings = Object.fromEntries(
  (Object.keys(contracts) as ContractServiceName[]).map((name) => [
    name,
    setting(addressVariable(name), `127.0.0.1:${defaultPorts[name].grpc}`, `Where ${name} is reached over gRPC in the distributed wiring.`, hostPort),
  ]),
) as Record<ContractServiceName, Setting<string>>;

/** Every variable Loom reads, with its default and meaning. */
export function configTable(): Array<{ name: string; default: string | undefined; description: string }> {
  return [...Object.values(settings), ...Object.values(addressSettings)].map(({ name, default: d, description }) => ({
    name,
    default: d,
    description,
  }));
}

/** The table as Markdown, as the README shows it. */
export function configMarkdown(): string {
  const rows = configTable().map(
    (r) => `| \`${r.name}\` | ${r.default === undefined ? '(unset)' : `\`${r.default}\``} | ${r.description.replaceAll('|', '\\|')} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

function read<T>(s: Setting<T>, env: NodeJS.ProcessEnv): T | undefined {
  const raw = env[s.name];
  const value = raw === undefined || raw === '' ? s.default : raw;
  if (value === undefined) return undefined;
  try {
    return s.parse(value);
  } catch (error) {
    throw new ConfigError(s.name, (error as Error).message);
  }
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoomConfig {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings)) out[key] = read(s as Setting<unknown>, env);
  out.dataDir = resolve(out.dataDir as string);
  out.addresses = Object.fromEntries(
    Object.entries(addressSettings).map(([name, s]) => [name, read(s, env)]),
  );
  return out as LoomConfig;
}
