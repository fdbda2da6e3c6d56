// /ws/text: the text session over a WebSocket, as JSON frames (docs/protocol.md, "Text over WebSocket").
import type { WebSocket } from 'ws';
import type { ConnectionEvents, TextConnection } from '../core/connection.ts';

export interface WsLogin {
  accessToken: string;
  refreshToken: string;
}

/** Output a browser may leave unread before it is dropped, as telnet's slow-client bound. */
export const maxQueuedOutputBytes = 1024 * 1024;

export class WsTextConnection implements TextConnection {
  readonly protocol = 'websocket';
  readonly width = 0;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    private readonly maxLineLength: number,
    private readonly maxQueuedBytes = maxQueuedOutputBytes,
  ) {}

  /** Wires frames to the session; `onLogin` receives token logins. */
  listen(events: ConnectionEvents, onLogin: (login: WsLogin) => void): void {
    this.socket.on('message', (data, isBinary) => {
      if (isBinary) return this.send({ type: 'error', text: 'send text frames' });
      const raw = data.toString();
      if (raw.length > this.maxLineLength + 200) return events.lineTooLong();
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return this.send({ type: 'error', text: 'frames are JSON: {"type":"line","text":"look"}' });
      }
      // Frames the browser sends: {"type":"line","text":...} (a line typed) or {"type":"login","accessToken":...,
      // "refreshToken":...} (the tokens of a login made through the REST API). Valid JSON need not be an object
      // (`null`, `1`, `"x"`): reading `.type` of null would throw out of this listener and take the process down.
      const frame: Record<string, unknown> = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
      if (frame.type === 'line' && typeof frame.text === 'string') return frame.text.length > this.maxLineLength ? events.lineTooLong() : events.line(frame.text);
      if (frame.type === 'login' && typeof frame.accessToken === 'string') return onLogin({ accessToken: frame.accessToken, refreshToken: typeof frame.refreshToken === 'string' ? frame.refreshToken : '' });
      this.send({ type: 'error', text: 'unknown frame: send {"type":"line","text":...} or {"type":"login","accessToken":...}' });
    });
    this.socket.on('close', () => events.closed());
    this.socket.on('error', () => this.socket.terminate());
  }

  write(text: string): void {
    this.send({ type: 'text', text });
  }

  prompt(text: string): void {
    this.send({ type: 'prompt', text });
  }

  setPasswordMode(hidden: boolean): void {
    this.send({ type: 'password', hidden });
  }

  sendGmcp(packageName: string, data?: unknown): void {
    this.send({ type: 'gmcp', package: packageName, data: data ?? null });
  }

  close(message?: string): void {
    if (message) this.send({ type: 'text', text: message });
    this.socket.close(1000, 'bye');
  }

  private send(frame: Record<string, unknown>): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(frame));
    // A client that stops reading would make the server keep everything said to it: past the bound it
    // is cut off (it reads nothing more, so a goodbye could not reach it either).
    if (this.socket.bufferedAmount > this.maxQueuedBytes) this.socket.terminate();
  }
}
