// `loom start`: the whole world in one process on embedded defaults, as `npm start` runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkMetrics, promtoolSkip } from '@loom/runtime/testing/promtool.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';
import { buildingStory } from './building-story.ts';
import { textWorldStory } from './text-story.ts';

const promtool = promtoolSkip();

describe('loom start (all-in-one, embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-start-'));
  let loom: LoomProcess;
  let base: string;
  let ports: ReturnType<typeof boundPorts>;

  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir, { LOG_LEVEL: 'trace', LOOM_CHAT_FLOOD_LINES: '100' }));
    ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
    base = `http://127.0.0.1:${ports.http}`;
  });
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says what listens where', () => {
    assert.ok(ports.http > 0 && ports.telnet > 0 && ports.udp > 0, JSON.stringify(ports));
  });

  it('answers /health and /ready, naming every dependency checked', async () => {
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const ready = await fetch(`${base}/ready`);
    const body = (await ready.json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
    assert.equal(ready.status, 200, JSON.stringify(body));
    const names = body.checks.map((c) => c.name);
    for (const service of ['persistence-service', 'auth-service', 'http-api']) assert.ok(names.includes(service), names.join());
    assert.ok(body.checks.every((c) => c.ok));
  });

  it('registers an account through REST -> auth-service -> persistence-service in-process', async () => {
    const response = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Ada', password: 'correct horse battery' }),
    });
    const body = (await response.json()) as { user: { username: string; role: string }; accessToken: string };
    assert.equal(response.status, 201, JSON.stringify(body));
    assert.equal(body.user.username, 'Ada');
    assert.equal(body.user.role, 'admin', 'the first account of a fresh world is its admin');
    assert.ok(body.accessToken.split('.').length === 3);
  });

  it('never writes a password or a token into its logs, even at trace level', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const secrets = ['wrong password for Ada', 'correct horse battery'];
    await post('/api/v1/auth/login', { username: 'Ada', password: secrets[0] });
    const login = (await (await post('/api/v1/auth/login', { username: 'Ada', password: secrets[1] })).json()) as Record<string, string>;
    const refreshed = (await (await post('/api/v1/auth/refresh', { refreshToken: login.refreshToken })).json()) as Record<string, string>;
    await post('/api/v1/auth/refresh', { refreshToken: login.refreshToken }); // reuse: logged as a security event
    secrets.push(login.accessToken!, login.refreshToken!, refreshed.accessToken!, refreshed.refreshToken!);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(loom.lines.length > 5);
    for (const secret of secrets) {
      const leak = loom.lines.find((line) => line.includes(secret) || line.includes(secret.split('.')[1] ?? secret));
      assert.equal(leak, undefined, `a log line holds a secret: ${leak}`);
    }
  });

  it('answers bad input with a JSON error and a stable code', async () => {
    const response = await fetch(`${base}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'BAD_REQUEST');
    const missing = await fetch(`${base}/api/v1/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('serves /metrics that promtool accepts, with per-RPC latency from in-process calls', { skip: promtool }, async () => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.equal(checkMetrics(text), '');
    assert.match(text, /grpc_server_handling_seconds_count\{[^}]*grpc_method="CreateUser"[^}]*\} 1/);
    assert.match(text, /process_cpu_seconds_total/);
  });

  it('lets two telnet players meet, talk, move, page and share a channel', async () => {
    await textWorldStory({ alicePort: ports.telnet, bobPort: ports.telnet }, '');
  });

  let made: { door: number; parrot: number };
  it('lets a builder make a locked door with a script and a parrot that a player gets past and hears', async () => {
    made = await buildingStory(ports.telnet, { name: 'Ada', password: 'correct horse battery' }, { name: 'Bob', password: 'bob-password-1' });
  });

  it("edits the parrot's script through REST: versions, rollback, deletion, and no entry for players", async () => {
    const login = async (username: string, password: string) => {
      const response = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    const ada = await login('Ada', 'correct horse battery');
    const url = `${base}/api/v1/objects/${made.parrot}/scripts/on_say`;
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const current = await call('GET', '', ada);
    assert.equal(current.status, 200, JSON.stringify(current.body));
    assert.match(String(current.body.source), /squawks/);
    const saved = await call('PUT', '', ada, { source: "emitRoom('Polly wants a cracker.');" });
    assert.equal(saved.body.version, 2);
    assert.equal(((await call('GET', '/versions', ada)).body.versions as unknown[]).length, 2);
    const rolled = await call('POST', '/rollback', ada, { version: 1 });
    assert.equal(rolled.body.version, 3);
    assert.match(String(rolled.body.source), /squawks/);
    assert.equal((await call('DELETE', '', ada)).body.deleted, true);
    assert.equal((await call('GET', '', ada)).status, 404);
    assert.equal((await call('GET', '?version=2', ada)).body.source, "emitRoom('Polly wants a cracker.');");
    const bob = await login('Bob', 'bob-password-1');
    const refused = await call('PUT', '', bob, { source: "emitRoom('mine now');" });
    assert.equal(refused.status, 403);
    assert.equal((refused.body.error as { code: string }).code, 'PERMISSION_DENIED');
    // A plain player may not script even their own character over REST, as in the game (@script is for builders).
    const [adaT, bobT] = [await PlayerClient.connect(ports.telnet), await PlayerClient.connect(ports.telnet)];
    try {
      bobT.send('connect Bob bob-password-1');
      await bobT.waitFor(/Welcome to \w+, Bob!/);
      adaT.send('connect Ada correct horse battery');
      await adaT.waitFor(/Welcome to \w+, Ada!/);
      adaT.send('@teleport Bob=here');
      adaT.send('look');
      const bobId = Number((await adaT.waitFor(/Bob \(#(\d+)\) is here/))[1]);
      const own = await fetch(`${base}/api/v1/objects/${bobId}/scripts/on_say`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: "emitRoom('I script myself');" }),
      });
      assert.equal(own.status, 403, await own.clone().text());
    } finally {
      adaT.close();
      bobT.close();
    }
    assert.equal((await call('GET', '', 'not-a-token')).status, 401);
  });

  it("answers a third player's says while scripts run away, and tells only the owner", async () => {
    // How fast those says stay is measured in bench/say-under-runaways.bench.ts.
    const ada = await PlayerClient.connect(ports.telnet);
    const cy = await PlayerClient.connect(ports.telnet);
    try {
      ada.send('connect Ada correct horse battery');
      await ada.waitFor(/Welcome to \w+, Ada!/);
      cy.send('create Cyd cyd-password-1');
      await cy.waitFor(/Welcome to \w+, Cyd!/);
      ada.send('@teleport Cyd=#1');
      ada.send('@teleport #1');
      await cy.waitFor(/Ada appears/).catch(() => undefined);
      ada.send('@create bomb');
      await ada.waitFor(/Created bomb/);
      ada.send('drop bomb');
      ada.send('@script bomb/on_say=while (true) {}');
      await ada.waitFor(/Saved on_say of bomb/);
      for (let i = 0; i < 9; i++) {
        cy.send(`say storm ${i}`);
        await cy.waitFor(new RegExp(`You say, "storm ${i}"`));
      }
      await ada.waitFor(/Script error in on_say of bomb \(#\d+\), version 1: the script ran longer than its 50 ms limit/);
      assert.doesNotMatch(cy.text, /Script error/);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /loom_script_runs_total\{[^}]*outcome="timeout"[^}]*\} [1-9]/);
    } finally {
      ada.close();
      cy.close();
    }
  });

  it('counts what an operator watches: players online, ticks, commands, say round trips, saves, chat lines', { skip: promtool }, async () => {
    const eve = await PlayerClient.connect(ports.telnet);
    try {
      eve.send('create Eve eve-password-1');
      await eve.waitFor(/Welcome to \w+, Eve!/);
      eve.send('say counted');
      await eve.waitFor(/You say, "counted"/);
      eve.send('+public counted too');
      await eve.waitFor(/\[public\] Eve: counted too/);
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.equal(checkMetrics(text), '');
      assert.match(text, /loom_world_players_online\{[^}]*gateway="telnet"[^}]*\} [1-9]/);
      assert.match(text, /loom_gateway_players\{[^}]*kind="telnet"[^}]*\} [1-9]/);
      assert.match(text, /loom_world_commands_total\{[^}]*command="say"[^}]*\} [1-9]/);
      assert.match(text, /loom_world_commands_total\{[^}]*command="channel"[^}]*\} [1-9]/);
      assert.match(text, /loom_say_echo_seconds_count(\{[^}]*\})? [1-9]/);
      assert.match(text, /loom_world_tick_seconds_count(\{[^}]*\})? [1-9]/);
      assert.match(text, /loom_world_tick_overruns_total(\{[^}]*\})? \d/);
      assert.match(text, /loom_world_saves_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
      assert.match(text, /loom_chat_lines_total\{[^}]*outcome="posted"[^}]*\} [1-9]/);
    } finally {
      eve.close();
    }
  });

  it('has telnet and UDP bound', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port: ports.telnet }, () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    const code = await loom.stop('SIGTERM');
    assert.equal(code, 0, loom.lines.slice(-10).join('\n'));
    assert.ok(loom.lines.some((l) => l.includes('"msg":"stopped"')));
  });
});
