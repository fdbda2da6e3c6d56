// The text gateway's limits and edge cases, through real telnet clients against the all-in-one wiring:
// overlong lines, floods, junk bytes, line endings, failed logins, taking over a character, idling,
// colour, MSSP and MCCP2.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { after, before, describe, it } from 'node:test';
import { createInflate, type Inflate } from 'node:zlib';
import { service as authService } from '@loom/auth-service';
import { service as chatService } from '@loom/chat-service';
import { service as httpApi } from '@loom/http-api';
import { service as persistence } from '@loom/persistence-service';
import { service as worldState } from '@loom/world-state';
import { startWiring, type Wiring } from '@loom/runtime/testing/wiring.ts';
import { service as textGateway } from '../src/index.ts';
import { PlayerClient } from './player-client.ts';
import { eventually, patienceMs } from '@loom/runtime/testing/patience.ts';

const modules = [persistence, authService, chatService, worldState, textGateway, httpApi];
const IAC = 255, SB = 250, SE = 240, WILL = 251, DO = 253, NOP = 241, AYT = 246;
const MSSP = 70, COMPRESS2 = 86;

function telnetPort(wiring: Wiring): number {
  const line = wiring.hosts.get('loom')!.listening.find((l) => l.startsWith('telnet '));
  assert.ok(line, 'the host lists its telnet listener');
  return Number(line.slice(line.lastIndexOf(':') + 1));
}

/**
 * A bare telnet client that keeps every byte the server sends, as sent (PlayerClient strips colour),
 * answers no negotiation unless told to, and can switch to MCCP2: after IAC SB COMPRESS2 IAC SE
 * everything is inflated before it is kept.
 */
class RawClient {
  bytes = Buffer.alloc(0);
  closed = false;
  /** Where in `bytes` the inflated stream begins; -1 until the server starts MCCP2. */
  compressedFrom = -1;
  private inflate: Inflate | undefined;
  private waiters = new Set<() => void>();

  private constructor(private readonly socket: Socket, private readonly acceptCompression: boolean) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async connect(port: number, { acceptCompression = false } = {}): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawClient(socket, acceptCompression);
  }

  /** The text received so far (UTF-8), telnet commands included. */
  get text(): string {
    return this.bytes.toString('utf8');
  }

  write(bytes: number[] | Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? bytes : Buffer.from(bytes));
  }

  send(line: string): void {
    this.write(`${line}\r\n`);
  }

  /** Waits until the bytes received from `from` on contain `needle`; returns where it starts. */
  async waitFor(needle: string | Buffer, from = 0, timeoutMs = patienceMs): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.bytes.indexOf(needle, from);
      if (at >= 0) return at;
      if (this.closed) throw new Error(`connection closed before ${JSON.stringify(needle.toString())}; it said:\n${this.bytes.subarray(from).toString('latin1')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${JSON.stringify(needle.toString())} within ${timeoutMs} ms; it said:\n${this.bytes.subarray(from).toString('latin1')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  close(): void {
    this.inflate?.destroy();
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.inflate) {
      this.inflate.write(chunk);
      return;
    }
    const start = this.bytes.length;
    this.keep(chunk);
    if (!this.acceptCompression) return;
    // The server offers MCCP2 at connect (IAC WILL COMPRESS2); say yes once, then look for the start of the stream.
    const offer = Buffer.of(IAC, WILL, COMPRESS2);
    const offered = this.bytes.indexOf(offer, Math.max(0, start - 2));
    if (offered >= 0 && this.bytes.indexOf(offer) === offered) this.write([IAC, DO, COMPRESS2]);
    const marker = this.bytes.indexOf(Buffer.of(IAC, SB, COMPRESS2, IAC, SE), Math.max(0, start - 4));
    if (marker < 0) return;
    const rest = this.bytes.subarray(marker + 5);
    this.bytes = this.bytes.subarray(0, marker + 5);
    this.compressedFrom = this.bytes.length;
    this.inflate = createInflate();
    this.inflate.on('data', (inflated: Buffer) => this.keep(inflated));
    this.inflate.on('error', (error) => {
      this.keep(Buffer.from(`\n[inflate failed: ${error.message}]\n`));
      this.socket.destroy();
    });
    if (rest.length) this.inflate.write(rest);
  }

  private keep(chunk: Buffer): void {
    this.bytes = Buffer.concat([this.bytes, chunk]);
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}

/** MSSP_VAR name MSSP_VAL value ... as a record (several values joined by commas). */
function msspVariables(payload: Buffer): Record<string, string> {
  const MSSP_VAR = 1, MSSP_VAL = 2;
  const variables: Record<string, string> = {};
  let name = '';
  let i = 0;
  while (i < payload.length) {
    const kind = payload[i]!;
    let end = i + 1;
    while (end < payload.length && payload[end]! > MSSP_VAL) end++;
    const text = payload.subarray(i + 1, end).toString('utf8');
    if (kind === MSSP_VAR) name = text;
    else if (kind === MSSP_VAL) variables[name] = variables[name] === undefined ? text : `${variables[name]},${text}`;
    i = end;
  }
  return variables;
}

// The idle test waits 10 s of nothing: it runs alongside the others, on its own wiring.
describe('the text gateway', { concurrency: true }, () => {
  describe('at its limits (all-in-one, telnet)', { concurrency: false }, () => {
    let wiring: Wiring;
    let port: number;
    const clients: Array<{ close(): void }> = [];
    const player = async () => {
      const client = await PlayerClient.connect(port);
      clients.push(client);
      await client.waitFor(/connect <name> <password>/);
      return client;
    };
    const raw = async (options?: { acceptCompression?: boolean }) => {
      const client = await RawClient.connect(port, options);
      clients.push(client);
      return client;
    };
    const playing = async (name: string) => {
      const client = await player();
      client.send(`create ${name} ${name.toLowerCase()}-password`);
      await client.waitFor(new RegExp(`Welcome to \\w+, ${name}!`));
      await client.waitFor(/The Loom Square/);
      return client;
    };

    before(async () => {
      wiring = await startWiring('all-in-one', modules);
      port = telnetPort(wiring);
    });
    after(async () => {
      for (const client of clients) client.close();
      await wiring?.stop();
    });

    it('a player who pastes a 10 MB line is told it was too long and plays on', async () => {
      const paster = await playing('Paster');
      paster.send('say '.padEnd(10 * 1024 * 1024, 'x'));
      await paster.waitFor(/That line was too long and was ignored\./, 20_000);
      paster.send('look');
      await paster.waitFor(/The Loom Square/);
      assert.doesNotMatch(paster.text, /You say, "x/, 'nothing of the long line reached the world');
    });

    it('a player who sends 100 lines at once is told to slow down, and can play again after a moment', async () => {
      const flooder = await playing('Flooder');
      const start = flooder.text.length;
      flooder.send(Array.from({ length: 100 }, () => 'inventory').join('\r\n'));
      await flooder.waitFor(/You are sending commands too fast/);
      const warnedAt = Date.now();
      // The 60 lines taken before the warning (LOOM_TEXT_FLOOD_LINES) are answered; the other 40 are gone.
      // Nothing tells a client when the flood window (2 s) is over, so this one wait is a plain one.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, warnedAt + 2300 - Date.now())));
      flooder.send('look');
      await flooder.waitFor(/The Loom Square/);
      // 60 lines per window: the "create" line may still count in the same window.
      const answered = (flooder.text.slice(start).match(/You are carrying nothing\./g) ?? []).length;
      assert.ok(answered === 59 || answered === 60, `the first lines of the flood were played, the rest dropped (${answered} answered)`);
      assert.equal(flooder.text.slice(start).match(/sending commands too fast/g)?.length, 1, 'the warning comes once per flood');
    });

    it('a client that sends binary junk at the login screen can still create a character', async () => {
      const junky = await raw();
      await junky.waitFor('connect <name> <password>');
      const noise = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919 + ((i * i) % 251)) % 256));
      const junk = Buffer.concat([
        // Plain random-looking bytes, without line ends (each would be a line) and with every 0xFF doubled (data, not IAC).
        Buffer.from([...noise].filter((b) => b !== 10 && b !== 13).flatMap((b) => (b === IAC ? [IAC, IAC] : [b]))),
        Buffer.of(0, 0, 0, IAC, IAC, IAC, IAC, IAC, NOP, IAC, AYT, IAC, 0xf9, IAC, WILL, 0x99, IAC, DO, 0x63),
        Buffer.of(IAC, SB, 0x99, 1, 2, 3, IAC, IAC, 0, IAC, SE, IAC, SE),
        Buffer.from('\x1b[2J\x1b[31m\x1b]0;owned\x07\x1bOP\x1b[1;5A\u009b2J\x00\x07\x08\x7f'),
        Buffer.of(0xc3, 0x28, 0xf0, 0x9f, 0x98, 0xe2, 0x82, 0xa1, 0x80, 0x80),
      ]);
      const from = junky.bytes.length;
      junky.write(junk);
      junky.send('');
      await junky.waitFor('means nothing here yet', from);
      junky.send('create Junky junky-password');
      const welcome = await junky.waitFor('Welcome to Loom, Junky!', from);
      junky.send('look');
      await junky.waitFor('The Loom Square', welcome);
    });

    it('a client that ends lines with LF, CR or CR NUL is understood at the login screen', async () => {
      const client = await raw();
      await client.waitFor('connect <name> <password>');
      let from = client.bytes.length;
      client.write('xyzzy\n');
      from = (await client.waitFor('"xyzzy" means nothing here yet', from)) + 1;
      client.write('plugh\r');
      from = await client.waitFor('"plugh" means nothing here yet', from);
      from = (await client.waitFor('unseen.', from)) + 'unseen.'.length;
      // The LF after that CR arrives late, and is still part of the same line end, not an empty line.
      client.write('\nfrotz\r\0');
      const frotz = await client.waitFor('"frotz" means nothing here yet', from);
      assert.ok(!client.bytes.subarray(from, frotz).includes('to play'), 'no empty line between plugh and frotz');
      from = frotz + 1;
      client.write('create Enders\r\0');
      from = await client.waitFor('Choose a password for Enders', from);
      client.write('enders-password\n');
      from = await client.waitFor('Type the password again', from);
      client.write('enders-password\r');
      from = await client.waitFor('Welcome to Loom, Enders!', from);
      client.write('look\r\0');
      await client.waitFor('The Loom Square', from);
    });

    it('a player who gets the password wrong three times is sent away, told the same thing whether the name exists or not', async () => {
      (await playing('Guarded')).send('quit');
      const guesser = await player();
      guesser.send('connect Nobody_Here some-password');
      // The answer follows the prompt ("> ") on the same line.
      const unknown = (await guesser.waitFor(/^(?:> )?(.*wrong.*)$/m))[1];
      guesser.send('connect Guarded not-the-password');
      const wrong = (await guesser.waitFor(/^(?:> )?(.*wrong.*)$/m))[1];
      assert.equal(unknown, 'wrong username or password');
      assert.equal(wrong, unknown, 'an unknown name and a wrong password read the same');
      guesser.send('connect Guarded');
      await guesser.waitFor(/Password:/);
      guesser.send('still-not-it');
      await guesser.waitFor(/Too many failed attempts/);
      await waitUntil(() => guesser.closed, 'the connection closes');
    });

    it('a player who connects again from elsewhere takes over the character; the room sees no one leave or arrive', async () => {
      const watcher = await playing('Watcher');
      const first = await playing('Roamer');
      await watcher.waitFor(/Roamer has entered the world\./);
      const second = await player();
      const watched = watcher.text.length;
      second.send('connect Roamer roamer-password');
      await first.waitFor(/You have connected from elsewhere/);
      await waitUntil(() => first.closed, 'the first connection closes');
      await second.waitFor(/You take over your character/);
      await second.waitFor(/The Loom Square/);
      second.send('say still here');
      await second.waitFor(/You say, "still here"/);
      await watcher.waitFor(/Roamer says, "still here"/);
      const seen = watcher.text.slice(watched);
      assert.doesNotMatch(seen, /Roamer (has left|has entered|arrives|leaves)/, `the room saw:\n${seen}`);
    });

    it('a player who turns colour off gets plain text without escape codes', async () => {
      const client = await raw();
      await client.waitFor('connect <name> <password>');
      client.send('create Plain plain-password');
      let from = await client.waitFor('Welcome to Loom, Plain!');
      await client.waitFor('The Loom Square', from);
      assert.ok(client.bytes.includes(0x1b), 'colour is on at first');
      client.send('@colour off');
      from = await client.waitFor('Colour is off.', from);
      client.send('look');
      await client.waitFor('The Loom Square', from);
      client.send('@colour');
      const end = await client.waitFor('Colour is off. "@colour on"', from);
      assert.ok(!client.bytes.subarray(from, end).includes(0x1b), `no ESC after "@colour off":\n${client.bytes.subarray(from, end).toString('latin1')}`);
      client.send('@colour on');
      from = await client.waitFor('Colour is ', end + 1);
      client.send('look');
      await client.waitFor('The Loom Square', from);
      assert.ok(client.bytes.subarray(from).includes(0x1b), 'colour comes back with "@colour on"');
    });

    it('a MUD listing that asks for MSSP gets the world name and player count', async () => {
      const crawler = await raw();
      crawler.write([IAC, DO, MSSP]);
      const start = await crawler.waitFor(Buffer.of(IAC, SB, MSSP));
      const end = await crawler.waitFor(Buffer.of(IAC, SE), start);
      const variables = msspVariables(crawler.bytes.subarray(start + 3, end));
      assert.equal(variables.NAME, 'Loom');
      assert.match(variables.PLAYERS ?? '', /^\d+$/);
      assert.equal(variables.CODEBASE, 'Loom');
      assert.match(variables.PORT ?? '', /^\d+$/);
    });

    it('a client that accepts MCCP2 compression reads the whole game through it', async () => {
      const client = await raw({ acceptCompression: true });
      await client.waitFor('connect <name> <password>');
      await waitUntil(() => client.compressedFrom >= 0, 'the server starts the compressed stream');
      client.send('create Squeezy squeezy-password');
      const from = await client.waitFor('Welcome to Loom, Squeezy!');
      assert.ok(from >= client.compressedFrom, 'the welcome came through the compressed stream');
      await client.waitFor('The Loom Square', from);
    });
  });

  describe('with 3 connections per address and a 5 s login prompt', { concurrency: false }, () => {
    let wiring: Wiring;
    const clients: PlayerClient[] = [];
    before(async () => {
      wiring = await startWiring('all-in-one', modules, { LOOM_TEXT_CONNECTIONS_PER_ADDRESS: '3', LOOM_LOGIN_TIMEOUT: '5' });
    });
    after(async () => {
      for (const client of clients) client.close();
      await wiring?.stop();
    });

    it('closes a connection that sits at the login prompt past the login timeout', async () => {
      const waiting = await PlayerClient.connect(telnetPort(wiring));
      clients.push(waiting);
      await waiting.waitFor(/Nobody logged in for 5 seconds\. Goodbye!/);
      await eventually(() => waiting.closed, 'the connection closed');
    });
    it('refuses a fourth connection from one address, over telnet or /ws/text, until one closes', async () => {
      const open = async () => {
        const client = await PlayerClient.connect(telnetPort(wiring));
        clients.push(client);
        return client;
      };
      const three = [await open(), await open(), await open()];
      for (const client of three) await client.waitFor(/connect <name> <password>/);
      const first = three[0];
      const fourth = await open();
      await fourth.waitFor(/Too many connections from your address/);
      await eventually(() => fourth.closed, 'the fourth connection closed');
      const ws = new WebSocket(`${wiring.httpBase.replace(/^http/, 'ws')}/ws/text`);
      const [code] = (await once(ws, 'close')) as [number];
      assert.equal(code, 1008, 'the WebSocket is refused too');
      first!.close();
      await eventually(() => first!.closed, 'the first closed');
      const again = await open();
      await again.waitFor(/connect <name> <password>/);
    });

  });

  describe('with LOOM_IDLE_TIMEOUT=10', { concurrency: false }, () => {
    let wiring: Wiring;
    let client: PlayerClient | undefined;
    let awake: PlayerClient | undefined;
    before(async () => {
      wiring = await startWiring('all-in-one', modules, { LOOM_IDLE_TIMEOUT: '10' });
    });
    after(async () => {
      client?.close();
      awake?.close();
      await wiring?.stop();
    });

    it('a player who types nothing for the idle timeout is told so and disconnected; one who types stays', async () => {
      client = await PlayerClient.connect(telnetPort(wiring));
      awake = await PlayerClient.connect(telnetPort(wiring));
      await client.waitFor(/connect <name> <password>/);
      client.send('create Sleepy sleepy-password');
      awake.send('create Awake awake-password');
      await client.waitFor(/Welcome to \w+, Sleepy!/);
      await awake.waitFor(/Welcome to \w+, Awake!/);
      // Awake types every 2 s, well inside the 10 s timeout: each line starts its idle time anew.
      const typing = setInterval(() => awake!.send('look'), 2000);
      try {
        await client.waitFor(/You have been idle for 10 seconds\. Goodbye!/);
        await waitUntil(() => client!.closed, 'the connection closes');
        assert.equal(awake.closed, false, 'the player who kept typing is still connected');
        assert.doesNotMatch(awake.text, /idle/);
      } finally {
        clearInterval(typing);
      }
    });
  });
});

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  await eventually(condition, what);
}
