// Test support: a MUD player's telnet client over real TCP. It answers negotiation as Mudlet would
// (NAWS 100x40, GMCP on, TTYPE, no compression), keeps GMCP messages, and reads text without colour.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { eventually, patienceMs } from '@loom/runtime/testing/patience.ts';

const IAC = 255, SB = 250, SE = 240, WILL = 251, WONT = 252, DO = 253, DONT = 254;
const ECHO = 1, SGA = 3, TTYPE = 24, EOR = 25, NAWS = 31, GMCP = 201;
const wanted = new Set([SGA, EOR, GMCP, ECHO]);

export interface Gmcp {
  package: string;
  data: unknown;
}

export class PlayerClient {
  text = '';
  gmcp: Gmcp[] = [];
  /** True while the server echoes nothing (a password is being typed). */
  passwordHidden = false;
  private mark = 0;
  private pending = Buffer.alloc(0);
  private waiters = new Set<() => void>();
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<PlayerClient> {
    const socket = connect(port, host);
    await once(socket, 'connect');
    return new PlayerClient(socket);
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Several lines in one write, as a client macro sends them (one packet on loopback). */
  sendAtOnce(lines: string[]): void {
    this.socket.write(lines.map((line) => `${line}\r\n`).join(''));
  }

  /** Waits for text matching the pattern after what earlier waits consumed; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = patienceMs): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(this.mark);
      const match = rest.match(pattern);
      if (match) {
        this.mark += (match.index ?? 0) + match[0].length;
        return match;
      }
      if (this.closed) throw new Error(`connection closed before ${pattern}; it said:\n${rest}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${pattern} within ${timeoutMs} ms; it said:\n${rest}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async waitForGmcp(packageName: string, test: (data: unknown) => boolean = () => true, timeoutMs = patienceMs): Promise<unknown> {
    const found = await eventually(() => this.gmcp.find((m) => m.package === packageName && test(m.data)), `GMCP ${packageName}`, () => `got ${this.gmcp.map((m) => m.package).join(', ')}`, timeoutMs);
    return found.data;
  }

  close(): void {
    this.socket.destroy();
  }

  private reply(...bytes: number[]): void {
    this.socket.write(Buffer.from(bytes));
  }

  private receive(chunk: Buffer): void {
    const data = Buffer.concat([this.pending, chunk]);
    const text: number[] = [];
    let i = 0;
    while (i < data.length) {
      const byte = data[i]!;
      if (byte !== IAC) {
        text.push(byte);
        i++;
        continue;
      }
      if (i + 1 >= data.length) break;
      const command = data[i + 1]!;
      if (command === IAC) {
        text.push(IAC);
        i += 2;
      } else if (command >= WILL && command <= DONT) {
        if (i + 2 >= data.length) break;
        this.negotiate(command, data[i + 2]!);
        i += 3;
      } else if (command === SB) {
        const end = data.indexOf(Buffer.from([IAC, SE]), i + 2);
        if (end < 0) break;
        this.subnegotiation(data.subarray(i + 2, end));
        i = end + 2;
      } else i += 2;
    }
    this.pending = Buffer.from(data.subarray(i));
    // eslint-disable-next-line no-control-regex
    this.text += Buffer.from(text).toString('utf8').replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
    this.notify();
  }

  private negotiate(command: number, option: number): void {
    if (command === WILL) {
      if (option === ECHO) this.passwordHidden = true;
      this.reply(IAC, wanted.has(option) ? DO : DONT, option);
    } else if (command === WONT) {
      if (option === ECHO) this.passwordHidden = false;
    } else if (command === DO) {
      if (option === NAWS) this.reply(IAC, WILL, NAWS, IAC, SB, NAWS, 0, 100, 0, 40, IAC, SE);
      else if (option === TTYPE) this.reply(IAC, WILL, TTYPE);
      else this.reply(IAC, WONT, option);
    }
  }

  private subnegotiation(body: Buffer): void {
    const option = body[0];
    if (option === TTYPE && body[1] === 1) {
      this.socket.write(Buffer.concat([Buffer.from([IAC, SB, TTYPE, 0]), Buffer.from('LOOM-TEST'), Buffer.from([IAC, SE])]));
    } else if (option === GMCP) {
      const message = body.subarray(1).toString('utf8');
      const space = message.indexOf(' ');
      const name = space < 0 ? message : message.slice(0, space);
      this.gmcp.push({ package: name, data: space < 0 ? undefined : JSON.parse(message.slice(space + 1)) });
    }
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}
