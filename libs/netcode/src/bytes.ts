// Bounds-checked little-endian byte reading and writing over Uint8Array/DataView (no Buffer: this
// runs in browsers too). Every read checks the remaining length first, so hostile datagrams end in
// a DecodeError and never in a RangeError from DataView.

export type DecodeErrorCode =
  | 'oversized' // longer than the MTU
  | 'truncated' // a field runs past the end
  | 'trailing' // bytes left over after the last field
  | 'bad_magic' // not a Loom datagram
  | 'version' // protocol version this side does not speak
  | 'unknown_type' // packet type or frame kind not defined
  | 'malformed' // a field holds a value the format forbids
  | 'no_baseline'; // a snapshot delta names a baseline the receiver does not hold

/** The only error decoding ever produces, whatever the input. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    /** For code 'version': the version and packet type found in the header. */
    readonly detail?: { version: number; packetType: number },
  ) {
    super(message);
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export const utf8 = {
  encode: (text: string): Uint8Array => utf8Encoder.encode(text),
  byteLength: (text: string): number => utf8Encoder.encode(text).length,
};

export class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(size: number, what: string): number {
    if (size > this.remaining) throw new DecodeError('truncated', `truncated ${what}: need ${size} bytes at offset ${this.offset}, have ${this.remaining}`);
    const at = this.offset;
    this.offset += size;
    return at;
  }

  u8(what: string): number {
    return this.view.getUint8(this.take(1, what));
  }
  u16(what: string): number {
    return this.view.getUint16(this.take(2, what), true);
  }
  u32(what: string): number {
    return this.view.getUint32(this.take(4, what), true);
  }
  u64(what: string): bigint {
    return this.view.getBigUint64(this.take(8, what), true);
  }
  /** Signed 24-bit, little-endian. */
  i24(what: string): number {
    const at = this.take(3, what);
    const v = this.view.getUint8(at) | (this.view.getUint8(at + 1) << 8) | (this.view.getUint8(at + 2) << 16);
    return (v << 8) >> 8;
  }
  /** A view (not a copy) of the next `size` bytes. */
  bytesView(size: number, what: string): Uint8Array {
    const at = this.take(size, what);
    return this.bytes.subarray(at, at + size);
  }
  text(size: number, what: string): string {
    const raw = this.bytesView(size, what);
    try {
      return utf8Decoder.decode(raw);
    } catch {
      throw new DecodeError('malformed', `${what} is not valid UTF-8`);
    }
  }
  /** Strict formats end exactly where their last field ends. */
  end(what: string): void {
    if (this.remaining !== 0) throw new DecodeError('trailing', `${this.remaining} unexpected bytes after ${what}`);
  }
}

/** A growable writer; encoders use it for their own (trusted) values, so range errors are bugs. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private room(size: number): number {
    if (this.length + size > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + size));
      bigger.set(this.buf.subarray(0, this.length));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += size;
    return at;
  }

  get size(): number {
    return this.length;
  }

  // Each writer validates, then reserves room, then reads this.view: room() may replace the view.
  u8(v: number): this {
    checkUint(v, 0xff, 'u8');
    const at = this.room(1);
    this.view.setUint8(at, v);
    return this;
  }
  u16(v: number): this {
    checkUint(v, 0xffff, 'u16');
    const at = this.room(2);
    this.view.setUint16(at, v, true);
    return this;
  }
  u32(v: number): this {
    checkUint(v, 0xffffffff, 'u32');
    const at = this.room(4);
    this.view.setUint32(at, v, true);
    return this;
  }
  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64 out of range: ${v}`);
    const at = this.room(8);
    this.view.setBigUint64(at, v, true);
    return this;
  }
  i24(v: number): this {
    if (!Number.isInteger(v) || v < -0x800000 || v > 0x7fffff) throw new RangeError(`i24 out of range: ${v}`);
    const at = this.room(3);
    this.buf[at] = v & 0xff;
    this.buf[at + 1] = (v >> 8) & 0xff;
    this.buf[at + 2] = (v >> 16) & 0xff;
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  zeros(count: number): this {
    this.room(count); // fresh capacity is already zero-filled
    return this;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
}
