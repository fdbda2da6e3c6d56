// What the session logic needs of a connection; telnet and WebSocket each provide it.
export interface TextConnection {
  readonly protocol: 'telnet' | 'websocket';
  readonly remoteAddress: string;
  /** Columns to wrap text to (NAWS for telnet); 0 = do not wrap (the browser wraps itself). */
  readonly width: number;
  /** Writes text as it is: newlines are `\n`, colour already rendered. */
  write(text: string): void;
  /** A prompt: text the client shows without a newline, waiting for input. */
  prompt(text: string): void;
  /** Hides what the player types (passwords), or shows it again. */
  setPasswordMode(hidden: boolean): void;
  /** GMCP for MUD clients (Room.Info, Comm.Channel.Text...); connections without it ignore this. */
  sendGmcp(packageName: string, data?: unknown): void;
  /** Writes a last message and closes. */
  close(message?: string): void;
}

export interface ConnectionEvents {
  line(text: string): void;
  lineTooLong(): void;
  closed(): void;
}
