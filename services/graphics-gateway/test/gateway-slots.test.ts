// Issue 11, attack 8 (3D): who can keep a 3D player out. Real accounts, the client library over real UDP
// sockets (other network addresses are other 127.x.y.z sources) and /ws/graphics, against the all-in-one.
// The gateway's cap is set to the 64 the attack filled; each refusal must carry its reason to the client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { service as assets } from '@loom/asset-service';
import { service as auth } from '@loom/auth-service';
import { service as chat } from '@loom/chat-service';
import { service as httpApi } from '@loom/http-api';
import { DisconnectReason, GameClient, RefusedError, RejectReason, encodePacket, type Transport } from '@loom/netcode';
import { service as persistence } from '@loom/persistence-service';
import { service as physics } from '@loom/physics-service';
import { service as scriptExecutor } from '@loom/script-executor';
import { service as worldState } from '@loom/world-state';
import { startWiring, type Wiring } from '@loom/runtime/testing/wiring.ts';
import { eventually, patienceMs } from '@loom/runtime/testing/patience.ts';
import { service as graphicsGateway } from '../src/index.ts';
import { udpTransport, wsTransport } from './udp-transport.ts';

const MAX_SESSIONS = 64;

describe('3D slots and handshake budgets, through real sockets', { concurrency: false }, () => {
  let wiring: Wiring;
  let udpPort: number;
  const clients: GameClient[] = [];
  const tickers: NodeJS.Timeout[] = [];
  let registered = 0;

  before(async () => {
    wiring = await startWiring('all-in-one', [persistence, auth, chat, scriptExecutor, physics, worldState, assets, graphicsGateway, httpApi], {
      LOOM_GRAPHICS_MAX_SESSIONS: String(MAX_SESSIONS),
    });
    const line = wiring.hosts.get('loom')!.listening.find((l) => l.startsWith('UDP '));
    assert.ok(line, 'the host lists its UDP listener');
    udpPort = Number(/:(\d+) /.exec(line)![1]);
  });
  after(async () => {
    for (const ticker of tickers) clearInterval(ticker);
    for (const client of clients) client.close();
    await wiring?.stop();
  });

  /** A fresh account's access token, from the REST API as a player gets it. */
  async function account(name = `slot${++registered}`): Promise<string> {
    const response = await fetch(`${wiring.httpBase}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, password: `${name}-password-1` }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    return ((await response.json()) as { accessToken: string }).accessToken;
  }

  function player(transport: Transport): GameClient {
    const client = new GameClient(transport);
    clients.push(client);
    tickers.push(setInterval(() => client.tick(), 20));
    return client;
  }
  const udp = async (from = '127.0.0.1') => player(await udpTransport(udpPort, '127.0.0.1', from));
  const ws = async (from = '127.0.0.1') => player(await wsTransport(`${wiring.httpBase.replace(/^http/, 'ws')}/ws/graphics`, from));

  /** A value of the gateway's own metrics, as Prometheus scrapes them. */
  async function metric(name: string, label: string): Promise<number> {
    const text = await (await fetch(`${wiring.httpBase}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }
  const sessions = () => metric('loom_graphics_table', 'part="sessions"');

  it('a spoofed CONNECT_REQUEST flood from many sources keeps nothing and does not keep a real player out', async () => {
    // 200 sources on 50 addresses send what a spoofer can: CONNECT_REQUESTs, and CHALLENGE_RESPONSEs with
    // made-up cookies, never answering a CHALLENGE (a spoofer never sees one). 3,000 datagrams a second
    // is six times the whole-server handshake budget the gateway used to have.
    const packets = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? encodePacket({ type: 'connect_request', nonce: BigInt(i) * 7919n })
        : encodePacket({ type: 'challenge_response', nonce: BigInt(i), cookie: new Uint8Array(20).fill(i & 255), token: 'not-a-token' }),
    );
    const flood = new Worker(
      `const { createSocket } = require('node:dgram');
      const { workerData, parentPort } = require('node:worker_threads');
      const sockets = Array.from({ length: 200 }, (_, i) => {
        const socket = createSocket('udp4');
        socket.bind(0, '127.0.0.' + (10 + (i % 50)));
        return socket;
      });
      let next = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 60; i++, next++) sockets[next % sockets.length].send(workerData.packets[next % workerData.packets.length], workerData.port, '127.0.0.1');
      }, 20);
      parentPort.once('message', () => {
        clearInterval(timer);
        for (const socket of sockets) socket.close();
        parentPort.postMessage('stopped');
      });`,
      { eval: true, workerData: { packets, port: udpPort } },
    );
    try {
      await eventually(async () => (await metric('loom_graphics_datagrams_dropped_total', 'reason="forgedCookie"')) >= 1500, 'the flood reaching the gateway');
      const real = await udp('127.0.0.2');
      await real.connect(await account(), patienceMs);
      assert.equal(real.disconnectReason, undefined);
      await eventually(async () => (await metric('loom_graphics_datagrams_dropped_total', 'reason="forgedCookie"')) >= 3000, 'more of the flood');
      // No handshake packet was dropped for a budget (the gateway used to share 500 a second among all sources),
      // and only the real player's handshake left anything behind: one spent cookie, at most one address budget.
      assert.equal(await metric('loom_graphics_protocol_events_total', 'event="handshakeThrottled"'), 0);
      assert.equal(await metric('loom_graphics_table', 'part="spentCookies"'), 1);
      assert.ok((await metric('loom_graphics_table', 'part="addresses"')) <= 1);
      assert.equal(await sessions(), 1);
    } finally {
      flood.postMessage('stop');
      await new Promise((resolve) => flood.once('message', resolve));
      await flood.terminate();
    }
  });

  it(`${MAX_SESSIONS + 1} accounts from one address cannot fill the gateway: the excess is told why, another address gets in`, async () => {
    const perAddress = wiring.config.graphicsSessionsPerAddress;
    const tokens: string[] = [];
    while (tokens.length < MAX_SESSIONS + 1) tokens.push(...(await Promise.all([account(), account(), account(), account()])));
    // One address may start only so many token checks a second; past that it is told to retry (busy), and does.
    const attempt = async (token: string, over: typeof udp = udp) => {
      const client = await over('127.0.0.1');
      return client.connect(token, patienceMs).then(() => 'accepted', (error: unknown) => (error instanceof RefusedError ? `refused ${error.reason}: ${error.text}` : String(error)));
    };
    const busy = `refused ${RejectReason.Busy}: too many handshakes from your address`;
    const answer = (token: string, over: typeof udp = udp) => eventually(async () => {
      const outcome = await attempt(token, over);
      return outcome !== busy && outcome;
    }, 'an answer other than busy');
    const outcomes: string[] = [];
    for (const token of tokens.slice(0, MAX_SESSIONS + 1)) outcomes.push(await answer(token));
    assert.equal(outcomes.filter((o) => o === 'accepted').length, perAddress, outcomes.join('\n'));
    assert.deepEqual(new Set(outcomes.filter((o) => o !== 'accepted')), new Set([`refused ${RejectReason.AddressFull}: too many players from your address`]));
    // /ws/graphics from the same address counts with UDP.
    assert.equal(await answer(await account(), ws), `refused ${RejectReason.AddressFull}: too many players from your address`);
    // Players from other addresses, over UDP and /ws/graphics, still get in.
    await (await udp('127.0.0.3')).connect(await account(), patienceMs);
    await (await ws('127.0.0.4')).connect(await account(), patienceMs);
  });

  it('one account holds one seat: a login elsewhere takes it over, and the old client is told so', async () => {
    for (const client of clients.splice(0)) client.close();
    await eventually(async () => (await sessions()) === 0, 'every earlier session gone');
    const token = await account('Hopper');
    const first = await udp('127.0.0.5');
    await first.connect(token, patienceMs);
    const second = await ws('127.0.0.6');
    await second.connect(token, patienceMs);
    await eventually(() => first.disconnectReason === DisconnectReason.TakenOver, 'the first client told it was taken over', () => `reason ${first.disconnectReason}`);
    const third = await udp('127.0.0.7');
    await third.connect(token, patienceMs);
    await eventually(() => second.disconnectReason === DisconnectReason.TakenOver, 'the second client told it was taken over', () => `reason ${second.disconnectReason}`);
    assert.equal(await sessions(), 1);
    await eventually(() => third.view?.entities.find((e) => e.name === 'Hopper'), 'the third client playing Hopper');
    assert.equal(third.disconnectReason, undefined);
    assert.equal(await metric('loom_graphics_protocol_events_total', 'event="takenOver"'), 2);
  });
});
