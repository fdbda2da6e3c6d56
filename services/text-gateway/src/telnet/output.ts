// Bytes on their way to the client: MCCP2 compression and the bound on what a slow client may
// leave queued. Node keeps whatever the kernel does not take in the socket's own buffer, so rather
// than a second copy of it, the bound is checked against that buffer (plus the compressor's input)
// after every write: a client that stops reading costs at most `limit` bytes, then it is dropped.
import type { Duplex } from 'node:stream';
import { constants, createDeflate, type Deflate } from 'node:zlib';
import { Opt, subnegotiation } from './codes.ts';

/** Compression switched on or off while an earlier compressed stream was still being finished. */
type Switch = 'start' | 'stop';

export type OutputFailure = 'slow-client' | 'error';

export class TelnetOutput {
  readonly #socket: Duplex;
  readonly #limit: number;
  readonly #fail: (reason: OutputFailure) => void;
  #deflate: Deflate | undefined;
  /**
   * Defined while a compressed stream is being finished: zlib finishes asynchronously, and what is
   * written meanwhile must reach the socket after the end of that stream, not inside it.
   */
  #held: (Buffer | Switch)[] | undefined;
  #heldBytes = 0;
  #ending = false;
  #corked = false;

  constructor(socket: Duplex, limit: number, fail: (reason: OutputFailure) => void) {
    this.#socket = socket;
    this.#limit = limit;
    this.#fail = fail;
  }

  get compressing(): boolean {
    return this.#deflate !== undefined;
  }

  send(bytes: Buffer): void {
    if (this.#ending) return;
    this.#route(bytes);
    this.#checkBound();
  }

  /** MCCP2: sends IAC SB COMPRESS2 IAC SE uncompressed, then compresses everything after it. */
  startCompression(): void {
    if (this.#ending) return;
    if (this.#held) this.#hold('start');
    else if (!this.#deflate) this.#start();
  }

  /** Ends the compressed stream (zlib Z_FINISH); the client then reads plain bytes again. */
  stopCompression(): void {
    if (this.#held) this.#hold('stop');
    else this.#finishCompression();
  }

  /** Switches with no bytes between them come to the last one: a client toggling MCCP costs nothing. */
  #hold(change: Switch): void {
    const held = this.#held!;
    const last = held.at(-1);
    if (last === 'start' || last === 'stop') held[held.length - 1] = change;
    else held.push(change);
  }

  /** Ends the compressed stream if there is one, then the socket once everything queued is out. */
  end(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#finishCompression();
    if (!this.#held) this.#endSocket();
  }

  /** Frees zlib's memory once the socket is gone. */
  dispose(): void {
    this.#deflate?.destroy();
    this.#deflate = undefined;
    this.#held = undefined;
  }

  #start(): void {
    this.#raw(subnegotiation(Opt.COMPRESS2));
    // Z_SYNC_FLUSH on every write: each message reaches the client whole instead of waiting in
    // zlib for more input, which an interactive game cannot afford.
    const deflate = createDeflate({ flush: constants.Z_SYNC_FLUSH });
    deflate.on('data', (chunk: Buffer) => {
      this.#raw(chunk);
      this.#checkBound();
    });
    deflate.on('error', () => this.#fail('error'));
    this.#deflate = deflate;
  }

  #finishCompression(): void {
    const deflate = this.#deflate;
    if (!deflate) return;
    this.#deflate = undefined;
    this.#held = [];
    deflate.once('end', () => this.#release());
    deflate.end();
  }

  /** The compressed stream is complete on the socket: replay, in order, what waited for it. */
  #release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.#heldBytes = 0;
    for (const item of held) {
      if (item === 'start') {
        if (!this.#ending) this.startCompression();
      } else if (item === 'stop') this.stopCompression();
      else this.#route(item);
    }
    if (this.#ending && !this.#held) this.#endSocket();
  }

  #route(bytes: Buffer): void {
    if (this.#held) {
      this.#held.push(bytes);
      this.#heldBytes += bytes.length;
    } else if (this.#deflate) this.#deflate.write(bytes);
    else this.#raw(bytes);
  }

  #endSocket(): void {
    if (!this.#socket.destroyed) this.#socket.end();
  }

  #raw(bytes: Buffer): void {
    if (this.#socket.destroyed || this.#socket.writableEnded) return;
    // Everything written in one turn of the event loop (a burst of room lines, then the prompt's turn)
    // leaves in one writev instead of one write each.
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      setImmediate(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(bytes);
  }

  #checkBound(): void {
    const queued = this.#socket.writableLength + (this.#deflate?.writableLength ?? 0) + this.#heldBytes;
    if (queued > this.#limit && !this.#socket.destroyed) this.#fail('slow-client');
  }
}
