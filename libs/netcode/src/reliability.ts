// One side of a connection after the handshake, used by the server (one per client) and by the
// client library alike. It is pure: the caller feeds received datagrams and a clock, and sends
// what tick() returns. Nothing here knows about sockets or game messages.
import { DecodeError } from './bytes.ts';
import { LinkEstimator } from './link-estimator.ts';
import { DATA_HEADER_SIZE, MAX_UNRELIABLE_PAYLOAD, MTU, decodePacket, encodePacket, frameSize, type DataPacket, type Frame } from './packet.ts';
import { ReliableReceiver, ReliableSender, type FragmentRef } from './reliable-channel.ts';
import { ACK_BITS, ReceiveWindow, ackedSequences, seqAdd, seqDiff, seqGreater } from './sequence.ts';

export type Channel = 'reliable' | 'unreliable';
export interface Message {
  channel: Channel;
  payload: Uint8Array;
}

/** Both sides must agree on the reliable window: the receiver refuses ids further ahead. */
export const RELIABLE_WINDOW = 256;

export interface EndpointOptions {
  sessionId: number;
  /** Messages awaiting acknowledgement before send('reliable') throws (default RELIABLE_WINDOW). */
  sendWindow?: number;
  /** Cap on datagrams one tick() emits: a crude brake on bursts (default 8). */
  maxDatagramsPerTick?: number;
  /** An empty datagram goes out after this long without sending, so the peer knows we live (default 1000). */
  keepaliveMs?: number;
  /** Bytes of reliable messages buffered behind a missing one (default 256 KiB). */
  maxReceiveBufferBytes?: number;
}

export interface EndpointStats {
  datagramsSent: number;
  datagramsReceived: number;
  fragmentsResent: number;
  duplicates: number;
  malformed: number;
  refused: number;
  foreignSession: number;
}

interface SentDatagram {
  sentAt: number;
  refs: FragmentRef[];
  tag: number | undefined;
}

export class Endpoint {
  readonly sessionId: number;
  readonly stats: EndpointStats = { datagramsSent: 0, datagramsReceived: 0, fragmentsResent: 0, duplicates: 0, malformed: 0, refused: 0, foreignSession: 0 };
  private readonly sender: ReliableSender;
  private readonly receiver: ReliableReceiver;
  private readonly link = new LinkEstimator();
  private readonly window = new ReceiveWindow();
  private readonly sent = new Map<number, SentDatagram>();
  private readonly maxDatagramsPerTick: number;
  private readonly keepaliveMs: number;
  private nextSeq = 0;
  private lastSendMs: number | undefined;
  private needAck = false;
  private unreliable: { payload: Uint8Array; tag: number | undefined } | undefined;
  private newestUnreliableSeq: number | undefined;
  private newestAcked: number | undefined;
  private newestAckedTag: { seq: number; tag: number } | undefined;

  constructor(options: EndpointOptions) {
    this.sessionId = options.sessionId;
    this.sender = new ReliableSender(options.sendWindow ?? RELIABLE_WINDOW);
    this.receiver = new ReliableReceiver(RELIABLE_WINDOW, options.maxReceiveBufferBytes ?? 256 * 1024);
    this.maxDatagramsPerTick = options.maxDatagramsPerTick ?? 8;
    this.keepaliveMs = options.keepaliveMs ?? 1000;
  }

  get rttMs(): number {
    return this.link.rttMs;
  }
  get packetLoss(): number {
    return this.link.packetLoss;
  }
  /** Reliable messages that can still be sent before the window is full. */
  get sendWindowFree(): number {
    return this.sender.window - this.sender.inFlight;
  }
  /** Newest of our frame-carrying datagrams the peer has acknowledged. */
  get lastAckedSequence(): number | undefined {
    return this.newestAcked;
  }
  /**
   * Tag of the newest unreliable payload the peer acknowledged (e.g. a snapshot's tick): always
   * one the peer delivered, because a stale payload it dropped arrives after a newer one it kept.
   */
  get ackedTag(): number | undefined {
    return this.newestAckedTag?.tag;
  }

  /**
   * Queues a message. Unreliable: only the latest queued before the next tick() goes out, once;
   * `tag` names it for ackedTag. Reliable: throws SendWindowFullError when the window is full.
   */
  send(channel: Channel, payload: Uint8Array, tag?: number): void {
    if (channel === 'reliable') {
      this.sender.send(payload);
      return;
    }
    if (payload.length > MAX_UNRELIABLE_PAYLOAD) throw new RangeError(`unreliable payload of ${payload.length} bytes exceeds ${MAX_UNRELIABLE_PAYLOAD}: it must fit one datagram`);
    this.unreliable = { payload, tag };
  }

  /** Decodes one datagram and returns the messages it completes. Bad input is counted, not thrown. */
  receive(datagram: Uint8Array, nowMs: number): Message[] {
    const packet = decodePacket(datagram);
    if (packet instanceof DecodeError || packet.type !== 'data') {
      this.stats.malformed++;
      return [];
    }
    return this.receivePacket(packet, nowMs);
  }

  /** As receive(), for a caller that already decoded the datagram to route it. */
  receivePacket(packet: DataPacket, nowMs: number): Message[] {
    if (packet.sessionId !== this.sessionId) {
      this.stats.foreignSession++;
      return [];
    }
    this.processAcks(packet.ack, packet.ackBits, nowMs);
    const reliable = packet.frames.filter((f) => f.kind === 'reliable');
    if (!this.receiver.admits(reliable)) {
      this.stats.refused++; // not recorded, so not acked: the peer will resend it
      return [];
    }
    const arrival = this.window.record(packet.seq);
    if (arrival === 'duplicate') {
      this.stats.duplicates++;
      return [];
    }
    this.stats.datagramsReceived++;
    if (packet.frames.length > 0) this.needAck = true;
    const out: Message[] = [];
    const fresh = arrival === 'new' && (this.newestUnreliableSeq === undefined || seqGreater(packet.seq, this.newestUnreliableSeq));
    for (const frame of packet.frames) {
      if (frame.kind === 'reliable') this.receiver.add(frame);
      else if (fresh) {
        this.newestUnreliableSeq = packet.seq;
        out.push({ channel: 'unreliable', payload: frame.payload });
      }
    }
    for (const payload of this.receiver.drain()) out.push({ channel: 'reliable', payload });
    return out;
  }

  private processAcks(ack: number, ackBits: number, nowMs: number): void {
    for (const seq of ackedSequences(ack, ackBits)) {
      const record = this.sent.get(seq);
      if (!record) continue; // never sent, ack-only, already acked, or given up as lost
      this.sent.delete(seq);
      this.link.acked(nowMs - record.sentAt);
      for (const ref of record.refs) this.sender.ack(ref);
      if (this.newestAcked === undefined || seqGreater(seq, this.newestAcked)) this.newestAcked = seq;
      if (record.tag !== undefined && (!this.newestAckedTag || seqGreater(seq, this.newestAckedTag.seq))) this.newestAckedTag = { seq, tag: record.tag };
    }
  }

  /** Datagrams to send now: pending unreliable payload, new and timed-out reliable fragments, acks. */
  tick(nowMs: number): Uint8Array[] {
    this.expireLost(nowMs);
    const out: Uint8Array[] = [];
    const due = this.sender.due(nowMs, this.link.rtoMs);
    let next = due.next();
    while (out.length < this.maxDatagramsPerTick) {
      const frames: Frame[] = [];
      const record: SentDatagram = { sentAt: nowMs, refs: [], tag: undefined };
      let size = DATA_HEADER_SIZE;
      if (this.unreliable) {
        frames.push({ kind: 'unreliable', payload: this.unreliable.payload });
        size += frameSize(frames[0]!);
        record.tag = this.unreliable.tag;
        this.unreliable = undefined; // latest wins, sent once, never resent
      }
      for (; !next.done && size + frameSize(next.value.frame) <= MTU; next = due.next()) {
        frames.push(next.value.frame);
        size += frameSize(next.value.frame);
        record.refs.push(next.value.ref);
        this.sender.markSent(next.value.ref, nowMs);
        if (next.value.resend) this.stats.fragmentsResent++;
      }
      if (frames.length === 0) break;
      this.sent.set(this.nextSeq, record);
      out.push(this.emit(frames, nowMs));
    }
    const quietFor = this.lastSendMs === undefined ? Infinity : nowMs - this.lastSendMs;
    if (out.length === 0 && (this.needAck || quietFor >= this.keepaliveMs)) out.push(this.emit([], nowMs));
    return out;
  }

  private emit(frames: Frame[], nowMs: number): Uint8Array {
    const { ack, ackBits } = this.window.ack;
    const bytes = encodePacket({ type: 'data', sessionId: this.sessionId, seq: this.nextSeq, ack, ackBits, frames });
    this.nextSeq = seqAdd(this.nextSeq, 1);
    this.lastSendMs = nowMs;
    this.needAck = false;
    this.stats.datagramsSent++;
    return bytes;
  }

  /**
   * A datagram is lost once acks have moved more than 32 past it (it can no longer be named) or
   * it is long overdue. Its fragments are resent by their own timers; this only feeds the estimate.
   */
  private expireLost(nowMs: number): void {
    const overdueMs = Math.max(1000, 3 * this.link.rtoMs);
    for (const [seq, record] of this.sent) {
      const behind = this.newestAcked === undefined ? 0 : seqDiff(this.newestAcked, seq);
      if (behind > ACK_BITS || nowMs - record.sentAt > overdueMs) {
        this.sent.delete(seq);
        this.link.lost();
      }
    }
  }
}
