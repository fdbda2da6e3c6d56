// A telnet client as the session layer sees it: lines in, text out, and underneath, the options MUD
// clients speak (ECHO, SGA, NAWS, TTYPE, CHARSET, GMCP, MSSP, MCCP2, EOR) negotiated and answered.
// Nothing here knows about the world; everything the client sends is treated as hostile.
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { charsetAccepted, charsetRejected, charsetRequest, decodeInput, encodeOutput, isUtf8Name, parseCharset } from './charset.ts';
import { Cmd, escapeIac, negotiation, Opt, subnegotiation } from './codes.ts';
import { encodeGmcp, parseGmcp, type GmcpMessage } from './gmcp.ts';
import { LineAssembler } from './line-assembler.ts';
import { encodeMssp, type MsspVariables } from './mssp.ts';
import { Negotiator, type Side } from './negotiation.ts';
import { TelnetOutput, type OutputFailure } from './output.ts';
import { TelnetParser } from './parser.ts';
import { TerminalTypeCycle, TTYPE_SEND } from './ttype.ts';

export type { GmcpMessage } from './gmcp.ts';
export type { MsspVariables } from './mssp.ts';

export interface TelnetOptions {
  /** MSSP variables, read each time a client asks for them; without it MSSP is not offered. */
  mssp?: () => MsspVariables;
  /** Longest line accepted, in bytes; a longer one is discarded and reported with `lineTooLong`. Default 4096. */
  maxLineBytes?: number;
  /** Output a client may leave unread before it is dropped as a slow client. Default 1 MiB. */
  maxOutputBytes?: number;
}

/** The client hung up, the server closed, the client stopped reading its output, or the socket failed. */
export type CloseReason = 'client' | 'server' | 'slow-client' | 'error';

export interface TelnetEvents {
  line: [line: string];
  resize: [size: { width: number; height: number }];
  /** The terminal types the client named (RFC 1091 / MTTS), once the list is complete. */
  terminalType: [names: readonly string[]];
  gmcp: [message: GmcpMessage];
  lineTooLong: [];
  close: [reason: CloseReason];
}

const MAX_SUBNEGOTIATION_BYTES = 64 * 1024;
const CLOSE_GRACE_MS = 10_000;
/** MCCP2 streams one connection may start; a client asking for more gets plain text from then on. */
const MAX_COMPRESSION_STARTS = 16;
/** Offered at connect (WILL). CHARSET too is WILL: in RFC 2066 the side that sent WILL sends the REQUEST. */
const OFFERED = [Opt.SGA, Opt.EOR, Opt.CHARSET, Opt.GMCP, Opt.MSSP, Opt.COMPRESS2];
/** Asked of the client at connect (DO). */
const ASKED = [Opt.NAWS, Opt.TTYPE];
/** What the client may switch on of its own accord (ECHO and MSSP are decided per connection). */
const ACCEPTED: Record<Side, ReadonlySet<number>> = {
  local: new Set([Opt.SGA, Opt.EOR, Opt.CHARSET, Opt.GMCP, Opt.COMPRESS2]),
  remote: new Set([Opt.SGA, Opt.NAWS, Opt.TTYPE, Opt.CHARSET]),
};

/**
 * Text as telnet bytes (CRLF line ends, the client's charset, IAC doubled). A line said in a room is
 * written to every reader in a row, so the last encoding is kept and handed to the next socket as is
 * (sockets do not change what they are given).
 */
let lastEncoded: { text: string; utf8: boolean; bytes: Buffer } | undefined;
function wireBytes(text: string, utf8: boolean): Buffer {
  if (lastEncoded?.text === text && lastEncoded.utf8 === utf8) return lastEncoded.bytes;
  const bytes = escapeIac(encodeOutput(text.replace(/\r?\n/g, '\r\n'), utf8));
  lastEncoded = { text, utf8, bytes };
  return bytes;
}

export class TelnetConnection extends EventEmitter<TelnetEvents> {
  readonly #socket: Duplex;
  readonly #mssp: (() => MsspVariables) | undefined;
  readonly #output: TelnetOutput;
  #compressionStarts = 0;
  readonly #lines: LineAssembler;
  readonly #parser: TelnetParser;
  readonly #options: Negotiator;
  readonly #ttype = new TerminalTypeCycle();
  #width = 80;
  #height = 24;
  #passwordMode = false;
  #charsetAsked = false;
  #charset: 'pending' | 'accepted' | 'refused' = 'pending';
  #closing = false;
  #closeReason: CloseReason | undefined;

  constructor(socket: Duplex, { mssp, maxLineBytes = 4096, maxOutputBytes = 1024 * 1024 }: TelnetOptions = {}) {
    super();
    this.#socket = socket;
    this.#mssp = mssp;
    this.#output = new TelnetOutput(socket, maxOutputBytes, (reason) => this.#fail(reason));
    this.#lines = new LineAssembler(maxLineBytes, {
      line: (bytes) => {
        // C1 controls (U+0080-U+009F) are escape introducers to some terminals; nobody types them.
        if (!this.#closing) this.emit('line', decodeInput(bytes, this.utf8).replace(/[\u0080-\u009f]/g, ''));
      },
      tooLong: () => this.emit('lineTooLong'),
    });
    this.#options = new Negotiator({
      send: (verb, option) => this.#output.send(negotiation(verb, option)),
      accept: (side, option) => this.#accept(side, option),
      changed: (side, option, enabled) => this.#changed(side, option, enabled),
    });
    this.#parser = new TelnetParser(
      {
        data: (bytes) => this.#lines.push(bytes),
        command: (code) => this.#command(code),
        negotiate: (verb, option) => this.#options.receive(verb, option),
        subnegotiation: (option, payload) => this.#subnegotiation(option, payload),
      },
      MAX_SUBNEGOTIATION_BYTES,
    );
    socket.on('data', (chunk: Buffer) => {
      if (!this.#closing) this.#parser.push(chunk);
    });
    socket.on('end', () => this.#output.end());
    // Node destroys the socket after 'error', and 'close' follows.
    socket.on('error', () => {
      this.#closeReason ??= 'error';
    });
    socket.on('close', () => {
      this.#closing = true;
      this.#output.dispose();
      this.emit('close', this.#closeReason ?? 'client');
    });
    // Prompts and replies are small writes; with Nagle each would wait for the ACK of the one
    // before, which delayed ACKs stretch to 40 ms.
    if (socket instanceof Socket) socket.setNoDelay(true);
    socket.cork();
    for (const option of OFFERED) if (option !== Opt.MSSP || mssp) this.#options.request('local', option, true);
    for (const option of ASKED) this.#options.request('remote', option, true);
    socket.uncork();
  }

  /** Columns, from NAWS; 80 until the client says. */
  get width(): number {
    return this.#width;
  }

  /** Rows, from NAWS; 24 until the client says. */
  get height(): number {
    return this.#height;
  }

  get terminalTypes(): readonly string[] {
    return this.#ttype.names;
  }

  get supportsGmcp(): boolean {
    return this.#options.enabled('local', Opt.GMCP);
  }

  get compressing(): boolean {
    return this.#output.compressing;
  }

  /** UTF-8 unless the client refused CHARSET and its MTTS bits do not claim UTF-8; then Latin-1. */
  get utf8(): boolean {
    return this.#charset !== 'refused' || this.#ttype.utf8;
  }

  /** Sends text; `\n` becomes CR LF. */
  write(text: string): void {
    if (!this.#closing) this.#output.send(this.#encode(text));
  }

  /** Sends a prompt: no newline, then IAC EOR if the client agreed to EOR, else IAC GA. */
  sendPrompt(text: string): void {
    if (this.#closing) return;
    // GA even though SGA is agreed: MUD clients read it as "this line is a prompt", not as flow control.
    const end = this.#options.enabled('local', Opt.EOR) ? Cmd.EOR : Cmd.GA;
    this.#output.send(Buffer.concat([this.#encode(text), Buffer.of(Cmd.IAC, end)]));
  }

  /** Sends a GMCP message; returns false (sending nothing) unless the client agreed to GMCP. */
  sendGmcp(packageName: string, data?: unknown): boolean {
    if (this.#closing || !this.supportsGmcp) return false;
    this.#output.send(subnegotiation(Opt.GMCP, encodeGmcp(packageName, data)));
    return true;
  }

  /** Password mode: WILL ECHO makes the client stop echoing what is typed, and the server echoes nothing. */
  setPasswordMode(hidden: boolean): void {
    this.#passwordMode = hidden;
    this.#options.request('local', Opt.ECHO, hidden);
  }

  /** Writes `message`, ends the compressed stream if there is one, then ends the socket. */
  close(message?: string): void {
    if (this.#closing) return;
    if (message !== undefined) this.write(message);
    this.#closing = true;
    this.#closeReason ??= 'server';
    this.#output.end();
    // Ending waits for the client to read the last bytes; one that never reads would keep the socket.
    const cutOff = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS).unref();
    this.#socket.once('close', () => clearTimeout(cutOff));
  }

  #encode(text: string): Buffer {
    return wireBytes(text, this.utf8);
  }

  #fail(reason: OutputFailure): void {
    this.#closeReason ??= reason;
    this.#closing = true;
    this.#socket.destroy();
  }

  #accept(side: Side, option: number): boolean {
    if (side === 'local' && option === Opt.ECHO) return this.#passwordMode;
    if (side === 'local' && option === Opt.MSSP) return this.#mssp !== undefined;
    return ACCEPTED[side].has(option);
  }

  #changed(side: Side, option: number, enabled: boolean): void {
    if (option === Opt.CHARSET) {
      this.#charsetChanged(side, enabled);
    } else if (side === 'local' && option === Opt.COMPRESS2) {
      // Each stream costs a zlib context: a client switching it on and off forever gets no more of them.
      if (enabled && ++this.#compressionStarts <= MAX_COMPRESSION_STARTS) this.#output.startCompression();
      else if (!enabled) this.#output.stopCompression();
    } else if (enabled && side === 'remote' && option === Opt.TTYPE) {
      this.#output.send(subnegotiation(Opt.TTYPE, Buffer.of(TTYPE_SEND)));
    } else if (enabled && side === 'local' && option === Opt.MSSP && this.#mssp) {
      this.#output.send(subnegotiation(Opt.MSSP, encodeMssp(this.#mssp())));
    }
  }

  #charsetChanged(side: Side, enabled: boolean): void {
    // Clients differ on which side's WILL opens CHARSET (some answer our WILL with DONT and offer
    // their own WILL): either one is enough to send the REQUEST, once.
    if (enabled && !this.#charsetAsked) {
      this.#charsetAsked = true;
      this.#output.send(subnegotiation(Opt.CHARSET, charsetRequest()));
    } else if (!enabled && side === 'local' && !this.#options.enabled('remote', Opt.CHARSET) && this.#charset === 'pending') {
      this.#charset = 'refused';
    }
  }

  #command(code: number): void {
    if (code === Cmd.AYT) this.#output.send(this.#encode('\n[Yes]\n'));
    else if (code === Cmd.EC) this.#lines.eraseChar();
    else if (code === Cmd.EL) this.#lines.eraseLine();
    // NOP, GA, EOR, DM, BRK, IP, AO and unknown codes mean nothing to a line-based game.
  }

  #subnegotiation(option: number, payload: Buffer): void {
    if (option === Opt.NAWS && payload.length === 4) {
      // A zero means "unknown" (RFC 1073): keep what we had.
      this.#width = payload.readUInt16BE(0) || this.#width;
      this.#height = payload.readUInt16BE(2) || this.#height;
      this.emit('resize', { width: this.#width, height: this.#height });
    } else if (option === Opt.TTYPE) {
      const step = this.#ttype.receive(payload);
      if (step === 'ask') this.#output.send(subnegotiation(Opt.TTYPE, Buffer.of(TTYPE_SEND)));
      else if (step === 'done') this.emit('terminalType', [...this.#ttype.names]);
    } else if (option === Opt.CHARSET) {
      this.#charsetMessage(payload);
    } else if (option === Opt.GMCP) {
      const message = parseGmcp(payload);
      if (message) this.emit('gmcp', message);
    }
  }

  #charsetMessage(payload: Buffer): void {
    const message = parseCharset(payload);
    if (message?.kind === 'accepted' && isUtf8Name(message.name)) this.#charset = 'accepted';
    else if (message?.kind === 'rejected' && this.#charset === 'pending') this.#charset = 'refused';
    else if (message?.kind === 'request') {
      // The client's own REQUEST: agree if UTF-8 is on its list, since that is all we speak well.
      const utf8 = message.names.find(isUtf8Name);
      if (utf8 !== undefined) this.#charset = 'accepted';
      this.#output.send(subnegotiation(Opt.CHARSET, utf8 === undefined ? charsetRejected() : charsetAccepted(utf8)));
    }
  }
}
