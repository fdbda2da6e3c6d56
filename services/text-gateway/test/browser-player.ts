// Test support: a browser tab's text client over /ws/text (JSON frames on a real WebSocket), as the web
// client speaks it: every frame kept, text frames joined into one transcript without colour.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import { patienceMs } from '@loom/runtime/testing/patience.ts';

export type ServerFrame =
  | { type: 'text' | 'prompt' | 'error'; text: string }
  | { type: 'password'; hidden: boolean }
  | { type: 'gmcp'; package: string; data: unknown };

/** A browser tab's text client: every frame kept, text frames also joined into one transcript without colour. */
export class BrowserPlayer {
  frames: ServerFrame[] = [];
  text = '';
  closed = false;
  private mark = 0;
  private frameMark = 0;
  private waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'the server sends text frames');
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      // eslint-disable-next-line no-control-regex
      if (frame.type === 'text') this.text += frame.text.replace(/\x1b\[[0-9;]*m/g, '');
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async open(httpBase: string): Promise<BrowserPlayer> {
    const socket = new WebSocket(`${httpBase.replace(/^http/, 'ws')}/ws/text`);
    // Listening before 'open', as a browser does: the greeting may come in the same packet as the handshake.
    const player = new BrowserPlayer(socket);
    await once(socket, 'open');
    return player;
  }

  line(text: string): void {
    this.sendFrame({ type: 'line', text });
  }

  sendFrame(frame: unknown): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** Waits for transcript text matching the pattern after what earlier waits consumed. */
  async waitFor(pattern: RegExp, timeoutMs = patienceMs): Promise<RegExpMatchArray> {
    return this.until(() => {
      const match = this.text.slice(this.mark).match(pattern);
      if (match) this.mark += (match.index ?? 0) + match[0].length;
      return match ?? undefined;
    }, String(pattern), timeoutMs);
  }

  /** Waits for a frame, after the frames earlier waits consumed, that passes the test. */
  async waitForFrame<T extends ServerFrame>(what: string, test: (frame: ServerFrame) => frame is T, timeoutMs?: number): Promise<T>;
  async waitForFrame(what: string, test: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  async waitForFrame(what: string, test: (frame: ServerFrame) => boolean, timeoutMs = patienceMs): Promise<ServerFrame> {
    return this.until(() => {
      const index = this.frames.findIndex((frame, i) => i >= this.frameMark && test(frame));
      if (index < 0) return undefined;
      this.frameMark = index + 1;
      return this.frames[index];
    }, what, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }

  private async until<T>(found: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = found();
      if (result !== undefined) return result;
      const said = `; it said:\n${this.text.slice(this.mark)}\nframes: ${JSON.stringify(this.frames.slice(this.frameMark))}`;
      if (this.closed) throw new Error(`connection closed before ${what}${said}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms${said}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}
