// Test support: a real TCP server wrapping its one connection in TelnetConnection, and a raw client
// that writes bytes and records every byte it reads, so tests see exactly what a MUD client sees.
// Once the server starts MCCP2 the client inflates the rest of the stream, as Mudlet would.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { constants, inflateSync } from 'node:zlib';
import { Cmd, Opt, subnegotiation } from './codes.ts';
import { TelnetConnection, type TelnetOptions } from './connection.ts';
import { patienceMs } from '@loom/runtime/testing/patience.ts';

const MCCP2_START = subnegotiation(Opt.COMPRESS2);

export type Bytes = Buffer | string | readonly number[];

function toBuffer(bytes: Bytes): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
}

export class RawTelnetClient {
  readonly socket: Socket;
  /** Every byte received, inflated where the server compressed it. */
  received = Buffer.alloc(0);
  /** Set when a compressed stream ended cleanly (zlib's end of stream, not a cut connection). */
  compressedStreamEnded = false;
  /** The compressed bytes received since the MCCP2 start marker, while a stream is open. */
  #compressed: Buffer | undefined;
  /** How much of that stream's output is already in `received`. */
  #inflated = 0;
  #waiters = new Set<() => void>();

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => this.#notify());
  }

  static async connect(port: number): Promise<RawTelnetClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawTelnetClient(socket);
  }

  async send(bytes: Bytes): Promise<void> {
    await new Promise<void>((resolve, reject) => this.socket.write(toBuffer(bytes), (error) => (error ? reject(error) : resolve())));
  }

  /** Resolves with the index of `expected` once it has arrived at or after `from`. */
  async waitFor(expected: Bytes, from = 0, timeoutMs = patienceMs): Promise<number> {
    const needle = toBuffer(expected);
    return this.#until(() => {
      const at = this.received.indexOf(needle, from);
      return at === -1 ? undefined : at;
    }, timeoutMs, () => `${JSON.stringify(needle.toString('latin1'))} after byte ${from}`);
  }

  count(expected: Bytes): number {
    const needle = toBuffer(expected);
    let count = 0;
    for (let at = this.received.indexOf(needle); at !== -1; at = this.received.indexOf(needle, at + needle.length)) count += 1;
    return count;
  }

  /**
   * Sends IAC AYT and waits for the server's answer. The server handles input in order, so once
   * it answers, it has handled (and answered) everything sent before.
   */
  async barrier(): Promise<void> {
    const from = this.received.length;
    await this.send([Cmd.IAC, Cmd.AYT]);
    await this.waitFor('[Yes]', from);
  }

  /** Waits until a compressed stream has ended cleanly. */
  async compressionEnded(timeoutMs = patienceMs): Promise<void> {
    await this.#until(() => (this.compressedStreamEnded ? true : undefined), timeoutMs, () => 'the compressed stream to end');
  }

  async closed(timeoutMs = patienceMs): Promise<void> {
    await this.#until(() => (this.socket.closed ? true : undefined), timeoutMs, () => 'the socket to close');
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#compressed) {
      this.#inflate(chunk);
      return;
    }
    const searchFrom = Math.max(0, this.received.length - MCCP2_START.length);
    this.#append(chunk);
    const start = this.received.indexOf(MCCP2_START, searchFrom);
    if (start === -1) return;
    const end = start + MCCP2_START.length;
    const compressed = this.received.subarray(end);
    this.received = this.received.subarray(0, end);
    this.#compressed = Buffer.alloc(0);
    this.#inflated = 0;
    this.#inflate(compressed);
  }

  /**
   * Node's inflate stream does not report the end of a zlib stream until its input ends, so the
   * whole stream so far is inflated again per chunk (fine at test sizes): a strict inflate that
   * succeeds means the stream is complete, and says where the plain bytes after it begin.
   */
  #inflate(chunk: Buffer): void {
    const compressed = Buffer.concat([this.#compressed ?? Buffer.alloc(0), chunk]);
    const complete = inflateComplete(compressed);
    if (!complete) {
      this.#compressed = compressed;
      const partial = inflateSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH });
      this.#append(partial.subarray(this.#inflated));
      this.#inflated = partial.length;
      return;
    }
    this.#compressed = undefined;
    this.compressedStreamEnded = true;
    this.#append(complete.output.subarray(this.#inflated));
    const after = compressed.subarray(complete.consumed);
    if (after.length > 0) this.#onData(after);
  }

  #append(bytes: Buffer): void {
    this.received = Buffer.concat([this.received, bytes]);
    this.#notify();
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
  }

  #until<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = () => {
        const result = check();
        if (result === undefined) return;
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${describe()}; received ${JSON.stringify(this.received.toString('latin1'))}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
      waiter();
    });
  }
}

/** The output of a complete zlib stream at the start of `bytes` and its length; undefined if it is not complete yet. */
function inflateComplete(bytes: Buffer): { output: Buffer; consumed: number } | undefined {
  try {
    const { buffer, engine } = inflateSync(bytes, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return { output: buffer, consumed: engine.bytesWritten };
  } catch {
    return undefined;
  }
}

export interface TelnetPair {
  /** The server side, as the session layer gets it. */
  connection: TelnetConnection;
  /** The accepted socket under `connection`, for tests that measure what the server read. */
  serverSocket: Socket;
  client: RawTelnetClient;
  close(): Promise<void>;
}

/** Listens on a free port, connects one raw client and wraps the accepted socket. */
export async function telnetPair(options?: TelnetOptions): Promise<TelnetPair> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = await RawTelnetClient.connect((server.address() as { port: number }).port);
  const [socket] = await accepted;
  const connection = new TelnetConnection(socket, options);
  return {
    connection,
    serverSocket: socket,
    client,
    async close() {
      client.destroy();
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One pair per test, closed after it: `const connect = pairPerTest(afterEach)`. */
export function pairPerTest(afterEach: (fn: () => Promise<void>) => void): (options?: Parameters<typeof telnetPair>[0]) => Promise<TelnetPair> {
  let pair: TelnetPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });
  return async (options) => (pair = await telnetPair(options));
}
