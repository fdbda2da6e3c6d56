// u16 sequence numbers wrap after 65535, so "newer" means "ahead by less than half the space"
// (RFC 1982 serial number arithmetic), and acks name the newest sequence received plus a
// bitfield of the 32 before it, as in Quake 3 and Glenn Fiedler's reliability articles.

export const SEQ_MODULO = 0x10000;
export const ACK_BITS = 32;

/** Signed distance a − b in [−32768, 32767]: positive when a is newer than b. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - SEQ_MODULO : d;
}

export function seqGreater(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqAdd(a: number, n: number): number {
  return (a + n) & 0xffff;
}

/** Sequences named by an (ack, ackBits) pair: `ack` itself, and ack−1−i for each set bit i. */
export function ackedSequences(ack: number, ackBits: number): number[] {
  const out = [ack];
  for (let i = 0; i < ACK_BITS; i++) if ((ackBits >>> i) & 1) out.push(seqAdd(ack, -1 - i));
  return out;
}

/** Builds the ack bitfield for `ack` from a predicate saying which sequences arrived. */
export type Arrival = 'new' | 'duplicate' | 'old';

/**
 * The receive side of acking: remembers the newest sequence and which of the 32 before it
 * arrived. `old` means too far behind to tell whether it is a duplicate.
 */
export class ReceiveWindow {
  private newest: number | undefined;
  private bits = 0;

  /** The (ack, ackBits) to put in the next outgoing header; ack 0xffff/bits 0 before anything arrived. */
  get ack(): { ack: number; ackBits: number } {
    return this.newest === undefined ? { ack: 0xffff, ackBits: 0 } : { ack: this.newest, ackBits: this.bits >>> 0 };
  }

  get hasReceived(): boolean {
    return this.newest !== undefined;
  }

  record(seq: number): Arrival {
    if (this.newest === undefined) {
      this.newest = seq;
      return 'new';
    }
    const d = seqDiff(seq, this.newest);
    if (d === 0) return 'duplicate';
    if (d > 0) {
      // Shift the window forward: the old newest becomes bit d−1.
      this.bits = d > ACK_BITS ? 0 : d === ACK_BITS ? 1 << 31 : (this.bits << d) | (1 << (d - 1));
      this.newest = seq;
      return 'new';
    }
    if (-d > ACK_BITS) return 'old';
    const bit = 1 << (-d - 1);
    if (this.bits & bit) return 'duplicate';
    this.bits |= bit;
    return 'new';
  }
}
