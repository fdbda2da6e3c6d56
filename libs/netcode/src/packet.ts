// The wire format of every graphics-protocol datagram (docs/protocol.md has the byte tables).
// All integers are little-endian. Decoding is strict and total: it returns a Packet or a
// DecodeError for any input, so a server can feed it raw internet traffic.
import { DecodeError, Reader, Writer, utf8 } from './bytes.ts';

export const MAGIC = [0x4c, 0x4d] as const; // 'LM'
export const PROTOCOL_VERSION = 2;
/** Largest datagram either side sends or accepts: fits a 1280-byte IPv6 path with headroom. */
export const MTU = 1200;
export const HEADER_SIZE = 4; // magic (2) + version (1) + type (1)
export const DATA_HEADER_SIZE = HEADER_SIZE + 12; // + session u32, seq u16, ack u16, ack bits u32
export const COOKIE_SIZE = 20; // time bucket u32 + 16-byte truncated HMAC; opaque to clients
/** CONNECT_REQUEST is padded to this size so no reply to an unverified address is larger. */
export const CONNECT_REQUEST_SIZE = 64;
export const MAX_REJECT_TEXT = 48;
export const MAX_TOKEN_BYTES = MTU - HEADER_SIZE - 8 - COOKIE_SIZE - 2;
/** Reliable messages travel in fragments of at most this many bytes, at most MAX_FRAGMENTS each. */
export const FRAGMENT_SIZE = 1024;
export const MAX_FRAGMENTS = 64;
export const UNRELIABLE_FRAME_HEADER = 3; // kind u8 + length u16
export const RELIABLE_FRAME_HEADER = 7; // kind u8 + message id u16 + index u8 + count u8 + length u16
export const MAX_UNRELIABLE_PAYLOAD = MTU - DATA_HEADER_SIZE - UNRELIABLE_FRAME_HEADER;

export const PacketType = {
  ConnectRequest: 1,
  Challenge: 2,
  ChallengeResponse: 3,
  Accept: 4,
  Reject: 5,
  Data: 6,
  Disconnect: 7,
} as const;

export const FrameKind = { Unreliable: 1, Reliable: 2 } as const;

export const RejectReason = { VersionMismatch: 1, ServerFull: 2, AuthFailed: 3, Busy: 4, AddressFull: 5 } as const;
export const DisconnectReason = { Quit: 1, Timeout: 2, Kicked: 3, Shutdown: 4, Replaced: 5, TakenOver: 6 } as const;

export type Frame =
  | { kind: 'unreliable'; payload: Uint8Array }
  | { kind: 'reliable'; messageId: number; fragmentIndex: number; fragmentCount: number; payload: Uint8Array };

export interface DataPacket {
  type: 'data';
  sessionId: number;
  seq: number;
  ack: number;
  ackBits: number;
  frames: Frame[];
}

export type Packet =
  | { type: 'connect_request'; nonce: bigint }
  | { type: 'challenge'; nonce: bigint; cookie: Uint8Array }
  | { type: 'challenge_response'; nonce: bigint; cookie: Uint8Array; token: string }
  | { type: 'accept'; nonce: bigint; sessionId: number; serverTick: number; tickRate: number }
  | { type: 'reject'; reason: number; text: string }
  | DataPacket
  | { type: 'disconnect'; sessionId: number; reason: number };

const typeCodes: Record<Packet['type'], number> = {
  connect_request: PacketType.ConnectRequest,
  challenge: PacketType.Challenge,
  challenge_response: PacketType.ChallengeResponse,
  accept: PacketType.Accept,
  reject: PacketType.Reject,
  data: PacketType.Data,
  disconnect: PacketType.Disconnect,
};

/** Encodes a packet; throws RangeError if the caller's values cannot be represented. */
export function encodePacket(packet: Packet): Uint8Array {
  const w = new Writer(packet.type === 'data' ? MTU : 128);
  w.u8(MAGIC[0]).u8(MAGIC[1]).u8(PROTOCOL_VERSION).u8(typeCodes[packet.type]);
  switch (packet.type) {
    case 'connect_request':
      w.u64(packet.nonce).zeros(CONNECT_REQUEST_SIZE - HEADER_SIZE - 8);
      break;
    case 'challenge':
      w.u64(packet.nonce).bytes(cookieBytes(packet.cookie));
      break;
    case 'challenge_response': {
      const token = utf8.encode(packet.token);
      if (token.length > MAX_TOKEN_BYTES) throw new RangeError(`token is ${token.length} bytes; at most ${MAX_TOKEN_BYTES} fit a datagram`);
      w.u64(packet.nonce).bytes(cookieBytes(packet.cookie)).u16(token.length).bytes(token);
      break;
    }
    case 'accept':
      w.u64(packet.nonce).u32(packet.sessionId).u32(packet.serverTick).u16(packet.tickRate);
      break;
    case 'reject': {
      const text = truncateUtf8(packet.text, MAX_REJECT_TEXT);
      w.u8(packet.reason).u8(text.length).bytes(text);
      break;
    }
    case 'data':
      w.u32(packet.sessionId).u16(packet.seq).u16(packet.ack).u32(packet.ackBits);
      for (const frame of packet.frames) writeFrame(w, frame);
      break;
    case 'disconnect':
      w.u32(packet.sessionId).u8(packet.reason);
      break;
  }
  if (w.size > MTU) throw new RangeError(`${packet.type} packet is ${w.size} bytes; the MTU is ${MTU}`);
  return w.finish();
}

function writeFrame(w: Writer, frame: Frame): void {
  if (frame.kind === 'unreliable') {
    w.u8(FrameKind.Unreliable).u16(frame.payload.length).bytes(frame.payload);
  } else {
    w.u8(FrameKind.Reliable).u16(frame.messageId).u8(frame.fragmentIndex).u8(frame.fragmentCount).u16(frame.payload.length).bytes(frame.payload);
  }
}

/** Size a frame takes on the wire, for packing datagrams. */
export function frameSize(frame: Frame): number {
  return (frame.kind === 'unreliable' ? UNRELIABLE_FRAME_HEADER : RELIABLE_FRAME_HEADER) + frame.payload.length;
}

function cookieBytes(cookie: Uint8Array): Uint8Array {
  if (cookie.length !== COOKIE_SIZE) throw new RangeError(`cookie must be ${COOKIE_SIZE} bytes`);
  return cookie;
}

/** Cuts text to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): Uint8Array {
  let bytes = utf8.encode(text);
  while (bytes.length > max) bytes = utf8.encode((text = text.slice(0, -1)));
  return bytes;
}

/** Decodes one datagram. Payload and cookie fields are views into `bytes`, not copies. */
export function decodePacket(bytes: Uint8Array): Packet | DecodeError {
  try {
    return decodeOrThrow(bytes);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error; // anything else is a bug in this file, and the fuzz tests exist to find it
  }
}

function decodeOrThrow(bytes: Uint8Array): Packet {
  if (bytes.length > MTU) throw new DecodeError('oversized', `datagram is ${bytes.length} bytes; the MTU is ${MTU}`);
  const r = new Reader(bytes);
  if (r.u8('magic') !== MAGIC[0] || r.u8('magic') !== MAGIC[1]) throw new DecodeError('bad_magic', 'not a Loom datagram');
  const version = r.u8('version');
  const packetType = r.u8('packet type');
  if (version !== PROTOCOL_VERSION) {
    throw new DecodeError('version', `protocol version ${version}; this side speaks ${PROTOCOL_VERSION}`, { version, packetType });
  }
  let packet: Packet;
  switch (packetType) {
    case PacketType.ConnectRequest: {
      packet = { type: 'connect_request', nonce: r.u64('nonce') };
      const padding = r.bytesView(CONNECT_REQUEST_SIZE - HEADER_SIZE - 8, 'padding');
      if (padding.some((b) => b !== 0)) throw new DecodeError('malformed', 'connect request padding must be zero');
      break;
    }
    case PacketType.Challenge:
      packet = { type: 'challenge', nonce: r.u64('nonce'), cookie: r.bytesView(COOKIE_SIZE, 'cookie') };
      break;
    case PacketType.ChallengeResponse: {
      const nonce = r.u64('nonce');
      const cookie = r.bytesView(COOKIE_SIZE, 'cookie');
      packet = { type: 'challenge_response', nonce, cookie, token: r.text(r.u16('token length'), 'token') };
      break;
    }
    case PacketType.Accept:
      packet = { type: 'accept', nonce: r.u64('nonce'), sessionId: r.u32('session id'), serverTick: r.u32('server tick'), tickRate: r.u16('tick rate') };
      break;
    case PacketType.Reject: {
      const reason = r.u8('reason');
      const length = r.u8('text length');
      if (length > MAX_REJECT_TEXT) throw new DecodeError('malformed', `reject text of ${length} bytes exceeds ${MAX_REJECT_TEXT}`);
      packet = { type: 'reject', reason, text: r.text(length, 'reject text') };
      break;
    }
    case PacketType.Data: {
      const header = { sessionId: r.u32('session id'), seq: r.u16('sequence'), ack: r.u16('ack'), ackBits: r.u32('ack bits') };
      const frames: Frame[] = [];
      while (r.remaining > 0) frames.push(readFrame(r));
      return { type: 'data', ...header, frames };
    }
    case PacketType.Disconnect:
      packet = { type: 'disconnect', sessionId: r.u32('session id'), reason: r.u8('reason') };
      break;
    default:
      throw new DecodeError('unknown_type', `unknown packet type ${packetType}`);
  }
  r.end(packet.type);
  return packet;
}

function readFrame(r: Reader): Frame {
  const kind = r.u8('frame kind');
  if (kind === FrameKind.Unreliable) return { kind: 'unreliable', payload: r.bytesView(r.u16('frame length'), 'unreliable payload') };
  if (kind !== FrameKind.Reliable) throw new DecodeError('unknown_type', `unknown frame kind ${kind}`);
  const messageId = r.u16('message id');
  const fragmentIndex = r.u8('fragment index');
  const fragmentCount = r.u8('fragment count');
  const length = r.u16('frame length');
  if (fragmentCount < 1 || fragmentCount > MAX_FRAGMENTS || fragmentIndex >= fragmentCount) {
    throw new DecodeError('malformed', `fragment ${fragmentIndex} of ${fragmentCount} (at most ${MAX_FRAGMENTS})`);
  }
  if (length > FRAGMENT_SIZE) throw new DecodeError('malformed', `fragment of ${length} bytes exceeds ${FRAGMENT_SIZE}`);
  return { kind: 'reliable', messageId, fragmentIndex, fragmentCount, payload: r.bytesView(length, 'reliable payload') };
}

