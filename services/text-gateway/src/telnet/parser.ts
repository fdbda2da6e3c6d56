// The RFC 854 byte stream as a state machine. TCP delivers chunks that may end anywhere, even between
// IAC and its command, so all progress lives in fields and a chunk boundary changes nothing.
import { Cmd, type Verb } from './codes.ts';

export interface ParserHandlers {
  /** Ordinary bytes, IAC IAC already turned into one 255. */
  data(bytes: Buffer): void;
  /** A two-byte command such as NOP, AYT, GA, EC, EL. */
  command(code: number): void;
  negotiate(verb: Verb, option: number): void;
  /** The payload between IAC SB option and IAC SE, unescaped. */
  subnegotiation(option: number, payload: Buffer): void;
}

type State = 'data' | 'iac' | 'verb' | 'sb-option' | 'sb' | 'sb-iac';

export class TelnetParser {
  readonly #handlers: ParserHandlers;
  readonly #maxSubnegotiation: number;
  #state: State = 'data';
  #verb: Verb = Cmd.WILL;
  #sbOption = 0;
  /** The subnegotiation so far, grown by doubling up to the cap: the usual few bytes stay a few bytes. */
  #sb = Buffer.alloc(64);
  #sbLength = 0;
  /** Set once a subnegotiation passes the cap: the rest of it is skipped and it is never delivered. */
  #sbOversized = false;

  constructor(handlers: ParserHandlers, maxSubnegotiationBytes: number) {
    this.#handlers = handlers;
    this.#maxSubnegotiation = maxSubnegotiationBytes;
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'data') {
        // Plain text is the common case: hand over whole runs up to the next IAC, not byte by byte.
        const iac = chunk.indexOf(Cmd.IAC, i);
        const end = iac === -1 ? chunk.length : iac;
        if (end > i) this.#handlers.data(chunk.subarray(i, end));
        if (iac === -1) return;
        this.#state = 'iac';
        i = iac + 1;
      } else {
        this.#byte(chunk[i]!);
        i += 1;
      }
    }
  }

  #byte(byte: number): void {
    switch (this.#state) {
      case 'iac':
        this.#afterIac(byte);
        return;
      case 'verb':
        this.#state = 'data';
        this.#handlers.negotiate(this.#verb, byte);
        return;
      case 'sb-option':
        this.#sbOption = byte;
        this.#sbLength = 0;
        this.#sbOversized = false;
        this.#state = 'sb';
        return;
      case 'sb':
        if (byte === Cmd.IAC) this.#state = 'sb-iac';
        else this.#sbAppend(byte);
        return;
      case 'sb-iac':
        this.#afterSbIac(byte);
        return;
      case 'data':
        return; // push() consumes data runs itself
    }
  }

  #afterIac(byte: number): void {
    this.#state = 'data';
    if (byte === Cmd.IAC) this.#handlers.data(Buffer.of(Cmd.IAC));
    else if (byte === Cmd.WILL || byte === Cmd.WONT || byte === Cmd.DO || byte === Cmd.DONT) {
      this.#verb = byte;
      this.#state = 'verb';
    } else if (byte === Cmd.SB) this.#state = 'sb-option';
    // An SE outside a subnegotiation closes nothing; every other byte is a command (possibly unknown).
    else if (byte !== Cmd.SE) this.#handlers.command(byte);
  }

  #afterSbIac(byte: number): void {
    if (byte === Cmd.IAC) {
      this.#sbAppend(Cmd.IAC);
      this.#state = 'sb';
    } else if (byte === Cmd.SE) {
      this.#state = 'data';
      if (!this.#sbOversized) this.#handlers.subnegotiation(this.#sbOption, Buffer.from(this.#sb.subarray(0, this.#sbLength)));
    } else {
      // Only IAC IAC and IAC SE may appear inside SB: anything else means the SE was lost, so the
      // subnegotiation is dropped and this byte is read as the command it most likely is.
      this.#afterIac(byte);
    }
  }

  #sbAppend(byte: number): void {
    if (this.#sbOversized) return;
    if (this.#sbLength >= this.#maxSubnegotiation) {
      this.#sbOversized = true;
      return;
    }
    if (this.#sbLength === this.#sb.length) {
      const grown = Buffer.alloc(Math.min(this.#sb.length * 2, this.#maxSubnegotiation));
      this.#sb.copy(grown);
      this.#sb = grown;
    }
    this.#sb[this.#sbLength] = byte;
    this.#sbLength += 1;
  }
}
