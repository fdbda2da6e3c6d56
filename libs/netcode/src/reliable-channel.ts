// The reliable ordered channel: the sender splits messages into fragments and keeps each one
// until a datagram carrying it is acked; the receiver reassembles, de-duplicates by message id
// and releases messages strictly in id order. Message ids are u16 and wrap, so both windows
// stay far below half the id space.
import { FRAGMENT_SIZE, MAX_FRAGMENTS, type Frame } from './packet.ts';
import { seqAdd, seqDiff } from './sequence.ts';

export const MAX_RELIABLE_MESSAGE = FRAGMENT_SIZE * MAX_FRAGMENTS;

/** Thrown by send() when `window` messages are already waiting for acks. */
export class SendWindowFullError extends Error {
  override readonly name = 'SendWindowFullError';
  constructor(window: number) {
    super(`reliable send window full: ${window} messages await acknowledgement; the peer is not acking (gone or too lossy)`);
  }
}

interface Outgoing {
  id: number;
  fragments: Uint8Array[];
  sentAt: (number | undefined)[];
  acked: boolean[];
  unacked: number;
}

/** Names one fragment of one message, so an ack can find it. */
export interface FragmentRef {
  message: Outgoing;
  index: number;
}

export class ReliableSender {
  private readonly pending: Outgoing[] = []; // contiguous ids, oldest first
  private nextId = 0;

  constructor(readonly window: number) {
    if (window < 1 || window > 0x4000) throw new RangeError('reliable window must be 1..16384 messages');
  }

  get inFlight(): number {
    return this.pending.length;
  }

  send(payload: Uint8Array): number {
    if (payload.length > MAX_RELIABLE_MESSAGE) throw new RangeError(`reliable message of ${payload.length} bytes exceeds ${MAX_RELIABLE_MESSAGE}`);
    if (this.pending.length >= this.window) throw new SendWindowFullError(this.window);
    const fragments: Uint8Array[] = [];
    // Copy: the caller may reuse its buffer before the last resend.
    for (let at = 0; at < payload.length || fragments.length === 0; at += FRAGMENT_SIZE) fragments.push(payload.slice(at, at + FRAGMENT_SIZE));
    const id = this.nextId;
    this.nextId = seqAdd(id, 1);
    this.pending.push({ id, fragments, sentAt: fragments.map(() => undefined), acked: fragments.map(() => false), unacked: fragments.length });
    return id;
  }

  /** Fragments never sent, or sent at least `rtoMs` ago and still unacked, oldest message first. */
  *due(nowMs: number, rtoMs: number): Generator<{ ref: FragmentRef; frame: Frame; resend: boolean }> {
    for (const message of this.pending) {
      for (let index = 0; index < message.fragments.length; index++) {
        const sentAt = message.sentAt[index];
        if (message.acked[index] || (sentAt !== undefined && nowMs - sentAt < rtoMs)) continue;
        const frame: Frame = { kind: 'reliable', messageId: message.id, fragmentIndex: index, fragmentCount: message.fragments.length, payload: message.fragments[index]! };
        yield { ref: { message, index }, frame, resend: sentAt !== undefined };
      }
    }
  }

  markSent(ref: FragmentRef, nowMs: number): void {
    ref.message.sentAt[ref.index] = nowMs;
  }

  ack(ref: FragmentRef): void {
    const { message, index } = ref;
    if (message.acked[index]) return;
    message.acked[index] = true;
    message.unacked--;
    while (this.pending.length > 0 && this.pending[0]!.unacked === 0) this.pending.shift();
  }
}

interface Incoming {
  count: number;
  parts: (Uint8Array | undefined)[];
  have: number;
  bytes: number;
}

type ReliableFrame = Extract<Frame, { kind: 'reliable' }>;

export class ReliableReceiver {
  private expected = 0;
  private readonly incoming = new Map<number, Incoming>();
  private buffered = 0;

  /**
   * @param window how far ahead of the next expected id a message may be (the sender's window)
   * @param maxBufferBytes budget for messages waiting behind a missing one; the next expected
   *   message is always admitted, so progress never stalls on the budget
   */
  constructor(
    readonly window: number,
    readonly maxBufferBytes: number,
  ) {}

  /**
   * Whether every frame of a datagram can be kept. A datagram is acked as a whole, so it is
   * either kept whole or refused whole (left unacked, the sender resends it later).
   */
  admits(frames: readonly ReliableFrame[]): boolean {
    let extra = 0;
    for (const f of frames) {
      const ahead = seqDiff(f.messageId, this.expected);
      if (ahead < 0) continue; // already delivered: a harmless duplicate
      if (ahead >= this.window) return false;
      const known = this.incoming.get(f.messageId);
      if (known && known.count !== f.fragmentCount) return false;
      if (ahead > 0 && !known?.parts[f.fragmentIndex]) extra += f.payload.length;
    }
    return extra === 0 || this.buffered + extra <= this.maxBufferBytes;
  }

  /** Stores a frame admitted by admits(); duplicates and already-delivered ids are ignored. */
  add(f: ReliableFrame): void {
    if (seqDiff(f.messageId, this.expected) < 0) return;
    let message = this.incoming.get(f.messageId);
    if (!message) {
      message = { count: f.fragmentCount, parts: new Array<Uint8Array | undefined>(f.fragmentCount), have: 0, bytes: 0 };
      this.incoming.set(f.messageId, message);
    }
    if (message.count !== f.fragmentCount || message.parts[f.fragmentIndex]) return;
    message.parts[f.fragmentIndex] = f.payload.slice(); // the datagram buffer is not ours to keep
    message.have++;
    message.bytes += f.payload.length;
    this.buffered += f.payload.length;
  }

  /** Complete messages that are next in order. */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let m = this.incoming.get(this.expected); m && m.have === m.count; m = this.incoming.get(this.expected)) {
      this.incoming.delete(this.expected);
      this.buffered -= m.bytes;
      this.expected = seqAdd(this.expected, 1);
      out.push(m.count === 1 ? m.parts[0]! : concat(m.parts as Uint8Array[], m.bytes));
    }
    return out;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
