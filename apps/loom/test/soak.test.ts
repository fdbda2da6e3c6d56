// Soak: in the distributed wiring (`loom up`), a telnet player, a /ws/text player and a UDP bot play
// lightly (a command every 10 s) for 45 s, half as long again as the longest timeout on their paths: the
// RPC deadline (5 s), gRPC keepalive (5 s + 3 s from clients, 10 s + 5 s from servers), the access token
// (30 s here), the idle timeout (30 s here, which their commands keep resetting).
// Nothing may be cut, in the rounds before those timeouts ran out nor in the ones after (rounds go on
// until 45 s, so the last comes after 35 s). The /ws/text player comes in at the one address `loom up`
// prints (http-api forwards it). Then world-state is killed with kill -9: the gateways and http-api stay
// ready meanwhile, `loom up` starts it again, and all three are still connected and can act.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GameClient, type ServerEvent } from '@loom/netcode';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { serviceNames } from '@loom/runtime';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { udpTransport } from '../../../services/graphics-gateway/test/udp-transport.ts';
import { BrowserPlayer } from '../../../services/text-gateway/test/browser-player.ts';
import { PlayerClient } from '../../../services/text-gateway/test/player-client.ts';
import { startLoomUp, type LoomUp } from './processes.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;
const [postgres, redis, rabbit] = servers;

/** The access token's life and the idle timeout: the longest timeouts on the players' paths (30 s is the least the token allows). */
const LONGEST_TIMEOUT_S = 30;
const SOAK_MS = LONGEST_TIMEOUT_S * 1500;
const EVERY_MS = 10_000;
const cut = /Lost touch|session has ended|Deadline|ECONNREFUSED|No connection established|Goodbye/;

/** The three players, each able to say a line and wait until it comes back. */
interface Player {
  name: string;
  say(text: string): Promise<void>;
  connected(): boolean;
  transcript(): string;
  /** Connects again and logs in (after its gateway died): the character is theirs again. */
  reconnect?(): Promise<void>;
  close(): void;
}

/** Says a line until it is heard back: right after a restart a say may be refused once or twice. */
async function act(player: Player, text: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await Promise.race([player.say(`${text} ${attempt}`), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${player.name}: no echo`)), 3000))]);
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}

async function telnetPlayer(port: number): Promise<Player> {
  let client = await PlayerClient.connect(port);
  client.send('create Tella tella-password-1');
  await client.waitFor(/Welcome to \w+, Tella!/);
  return {
    name: 'telnet',
    say: async (text) => {
      client.send(`say ${text}`);
      await client.waitFor(new RegExp(`You say, "${text}"`));
    },
    connected: () => !client.closed,
    transcript: () => client.text,
    reconnect: async () => {
      client = await PlayerClient.connect(port);
      client.send('connect Tella tella-password-1');
      await client.waitFor(/You take over your character|Welcome to \w+, Tella!/);
    },
    close: () => client.close(),
  };
}

async function browserPlayer(httpPort: number): Promise<Player> {
  const open = async (line: string, welcome: RegExp) => {
    const browser = await BrowserPlayer.open(`http://127.0.0.1:${httpPort}`);
    browser.line(line);
    await browser.waitFor(welcome);
    return browser;
  };
  let browser = await open('create Webb webb-password-1', /Welcome to \w+, Webb!/);
  return {
    name: '/ws/text',
    say: async (text) => {
      browser.line(`say ${text}`);
      await browser.waitFor(new RegExp(`You say, "${text}"`));
    },
    connected: () => !browser.closed,
    transcript: () => browser.text,
    reconnect: async () => {
      browser = await open('connect Webb webb-password-1', /You take over your character|Welcome to \w+, Webb!/);
    },
    close: () => browser.close(),
  };
}

async function udpPlayer(ports: LoomUp['ports']): Promise<Player> {
  const registered = await fetch(`http://127.0.0.1:${ports.http}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'Udo', password: 'udo-password-1' }),
  });
  const { accessToken } = (await registered.json()) as { accessToken: string };
  const bot = new GameClient(await udpTransport(ports.udp));
  const events: ServerEvent[] = [];
  bot.onEvent((event) => events.push(event));
  const ticker = setInterval(() => bot.tick(), 20);
  await bot.connect(accessToken);
  await eventually(() => bot.view?.entities.find((e) => e.name === 'Udo'), 'Udo in a snapshot');
  const texts = () => events.flatMap((e) => (e.t === 'text' || e.t === 'bye' ? [`${e.t}: ${e.text}`] : []));
  return {
    name: 'UDP',
    say: async (text) => {
      const from = events.length;
      const tick = bot.view?.tick ?? 0;
      bot.command(`say ${text}`);
      await eventually(() => events.slice(from).some((e) => e.t === 'text' && e.text.includes(`You say, "${text}"`)), `the bot's say "${text}"`, () => texts().slice(-5).join(' | '));
      await eventually(() => (bot.view?.tick ?? 0) > tick, 'newer snapshots');
    },
    connected: () => !events.some((e) => e.t === 'bye'),
    transcript: () => texts().join('\n'),
    close: () => {
      clearInterval(ticker);
      bot.close();
    },
  };
}

describe('a real evening in the distributed wiring (soak)', { skip }, () => {
  let up: LoomUp;
  let players: Player[] = [];

  before(async () => {
    up = await startLoomUp('loom_soak', { postgres: postgres!.url, redis: redis!.url, rabbitmq: rabbit!.url }, { LOOM_ACCESS_TOKEN_TTL: String(LONGEST_TIMEOUT_S), LOOM_IDLE_TIMEOUT: String(LONGEST_TIMEOUT_S) });
    players = [await telnetPlayer(up.ports.telnet), await browserPlayer(up.ports.http), await udpPlayer(up.ports)];
  });
  after(async () => {
    for (const player of players) player.close();
    await up?.stop();
  });

  it('keeps a telnet, a /ws/text and a UDP player connected through 45 s of light play, past every timeout on their paths', { timeout: SOAK_MS + 120_000 }, async () => {
    const started = Date.now();
    for (let round = 0; Date.now() - started < SOAK_MS; round++) {
      await Promise.all(players.map((p) => p.say(`round ${round} from ${p.name.replace(/\W/g, '')}`)));
      for (const p of players) assert.ok(p.connected(), `${p.name} was cut in round ${round}:\n${p.transcript().slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
    }
    for (const p of players) assert.doesNotMatch(p.transcript(), cut, `${p.name} read that its session broke`);
  });

  /** kill -9 of one service's process; resolves once `loom up` has started it again and it is ready. */
  async function killAndRestart(name: 'world-state' | 'chat-service' | 'text-gateway'): Promise<void> {
    const { pid } = (await (await fetch(`http://127.0.0.1:${up.ports.ops[name]}/health`)).json()) as { pid: number };
    const ready = new RegExp(`^${name} +\\|.*"msg":"${name} ready in`);
    const readyLines = () => up.loom.lines.filter((l) => ready.test(l)).length;
    const readyBefore = readyLines();
    const exitedBefore = up.loom.lines.filter((l) => l.includes(`${name} `) && l.includes('exited (SIGKILL); restarting it')).length;
    process.kill(pid, 'SIGKILL');
    await eventually(() => up.loom.lines.filter((l) => l.includes(`${name} `) && l.includes('exited (SIGKILL); restarting it')).length > exitedBefore, `loom up seeing ${name} die`);
    await eventually(() => readyLines() > readyBefore, `${name} ready again`, () => up.loom.lines.slice(-5).join('\n'));
  }

  /** Polls /ready of the front door's services until stopped; resolves with every answer. */
  function watchReadiness(names: Array<'text-gateway' | 'graphics-gateway' | 'http-api'>) {
    const answers: Array<{ name: string; status: number; worldAway: boolean }> = [];
    let watching = true;
    const polling = (async () => {
      while (watching) {
        for (const name of names) {
          const response = await fetch(`http://127.0.0.1:${up.ports.ops[name]}/ready`);
          const body = (await response.json()) as { checks: Array<{ name: string; ok: boolean; copesWithout?: boolean }> };
          const world = body.checks.find((c) => c.name.startsWith('world-state'));
          answers.push({ name, status: response.status, worldAway: world?.ok === false && world.copesWithout === true });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return async () => {
      watching = false;
      await polling;
      return answers;
    };
  }

  it('holds all three through a kill -9 of world-state, which loom up starts again; the front door stays ready', { timeout: 240_000 }, async () => {
    const stopWatching = watchReadiness(['text-gateway', 'graphics-gateway', 'http-api']);
    await killAndRestart('world-state');
    const answers = await stopWatching();
    for (const name of ['text-gateway', 'graphics-gateway', 'http-api']) {
      assert.ok(answers.some((a) => a.name === name && a.worldAway), `${name}'s /ready was seen while world-state was away`);
    }
    assert.deepEqual(answers.filter((a) => a.status !== 200), [], 'every /ready answered 200 while world-state was away');
    for (const p of players) {
      await eventually(() => /The world is back\./.test(p.transcript()), `${p.name} told the world is back`, () => p.transcript().slice(-300));
      await act(p, `after the world-state restart from ${p.name.replace(/\W/g, '')}`);
      assert.ok(p.connected(), `${p.name} stays connected`);
      assert.doesNotMatch(p.transcript(), /Lost touch|session has ended|ECONNREFUSED|No connection established/, `${p.name} saw no raw error`);
    }
  });

  it('keeps all three through a kill -9 of chat-service: says work again once it is back', { timeout: 240_000 }, async () => {
    await killAndRestart('chat-service');
    for (const p of players) {
      await act(p, `after the chat-service restart from ${p.name.replace(/\W/g, '')}`);
      assert.ok(p.connected(), `${p.name} stays connected`);
    }
  });

  it('gives the text players their characters back after a kill -9 of text-gateway; the UDP player stays', { timeout: 240_000 }, async () => {
    await killAndRestart('text-gateway');
    for (const p of players) {
      if (p.reconnect) await p.reconnect();
      await act(p, `after the text-gateway restart from ${p.name.replace(/\W/g, '')}`);
      assert.ok(p.connected(), `${p.name} is connected`);
    }
  });

  it('takes every service with it when loom up itself is killed with SIGKILL (no orphans holding ports)', async () => {
    const pids = await Promise.all(serviceNames.map(async (name) => ((await (await fetch(`http://127.0.0.1:${up.ports.ops[name]}/health`)).json()) as { pid: number }).pid));
    up.loom.child.kill('SIGKILL');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const [i, pid] of pids.entries()) await eventually(() => !alive(pid), `${serviceNames[i]} (pid ${pid}) exiting after loom up was killed`);
  });
});
