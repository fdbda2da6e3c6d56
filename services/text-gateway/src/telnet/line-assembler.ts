// Turns the data bytes of a telnet stream into typed lines the way a line-mode terminal user means
// them: any of CR LF, LF, CR NUL or a lone CR ends a line, backspace and DEL erase, and control
// characters and the escape sequences that arrow and function keys send are dropped. The line
// lives in one buffer allocated up front, so a client that never sends a newline costs at most
// `maxBytes` of memory.

const NUL = 0x00;
const BS = 0x08;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const ESC = 0x1b;
const SPACE = 0x20;
const DEL = 0x7f;

export interface LineHandlers {
  line(bytes: Buffer): void;
  /** The current line passed the limit; it is being discarded up to its end. Called once per line. */
  tooLong(): void;
}

/** Where we are inside a typed escape sequence: ESC, ESC [ ... (CSI) or ESC O x (SS3, keypad keys). */
type Escape = 'none' | 'esc' | 'csi' | 'ss3';

export class LineAssembler {
  readonly #handlers: LineHandlers;
  readonly #line: Buffer;
  #length = 0;
  #discarding = false;
  /** The previous byte was a CR: an LF or NUL right after it belongs to the same line end. */
  #afterCr = false;
  #escape: Escape = 'none';

  constructor(maxBytes: number, handlers: LineHandlers) {
    this.#handlers = handlers;
    this.#line = Buffer.alloc(maxBytes);
  }

  push(data: Buffer): void {
    for (let i = 0; i < data.length; i += 1) this.#byte(data[i]!);
  }

  /** Erases the last character (backspace, DEL, telnet EC). UTF-8 aware: a multi-byte character goes whole. */
  eraseChar(): void {
    if (this.#discarding) return;
    while (this.#length > 0 && (this.#line[this.#length - 1]! & 0xc0) === 0x80) this.#length -= 1;
    if (this.#length > 0) this.#length -= 1;
  }

  /** Erases the whole line typed so far (telnet EL). */
  eraseLine(): void {
    this.#length = 0;
  }

  #byte(byte: number): void {
    if (this.#afterCr) {
      this.#afterCr = false;
      if (byte === LF || byte === NUL) return;
    }
    if (this.#escape !== 'none' && this.#inEscape(byte)) return;
    switch (byte) {
      case CR:
        this.#afterCr = true;
        this.#endLine();
        return;
      case LF:
        this.#endLine();
        return;
      case BS:
      case DEL:
        this.eraseChar();
        return;
      case ESC:
        this.#escape = 'esc';
        return;
      case TAB:
        this.#append(SPACE); // a tab in a command is a word separator, nothing more
        return;
      default:
        if (byte >= SPACE) this.#append(byte);
    }
  }

  /** Consumes `byte` if it belongs to the escape sequence being typed; a control byte ends the sequence. */
  #inEscape(byte: number): boolean {
    const escape = this.#escape;
    this.#escape = 'none';
    if (byte < SPACE) return false;
    if (escape === 'esc') {
      if (byte === 0x5b) this.#escape = 'csi';
      else if (byte === 0x4f) this.#escape = 'ss3';
      return true;
    }
    // CSI: parameter and intermediate bytes 0x20-0x3f continue it, a byte 0x40-0x7e finishes it.
    if (escape === 'csi' && byte <= 0x3f) this.#escape = 'csi';
    return escape === 'ss3' || byte <= 0x7e;
  }

  #append(byte: number): void {
    if (this.#discarding) return;
    if (this.#length === this.#line.length) {
      this.#discarding = true;
      this.#length = 0;
      this.#handlers.tooLong();
      return;
    }
    this.#line[this.#length] = byte;
    this.#length += 1;
  }

  #endLine(): void {
    this.#escape = 'none';
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    const line = Buffer.from(this.#line.subarray(0, this.#length));
    this.#length = 0;
    this.#handlers.line(line);
  }
}
