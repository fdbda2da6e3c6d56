// Game messages inside the protocol's channels (docs/protocol.md, "Game messages").
// Unreliable: inputs (client) and snapshots (server), binary. Reliable: JSON events and commands.
import { DecodeError, Reader, Writer } from './bytes.ts';

/** Snapshot entity flags. */
export const EntityFlag = { Embodied: 1, Player: 2, Thing: 4 } as const;

export interface InputMessage {
  clientTick: number;
  /** Wished walking direction on the floor, each in -1..1 (length above 1 is clamped by the server). */
  dx: number;
  dz: number;
  /** Facing, radians. */
  yaw: number;
  jump: boolean;
}

const INPUT = 1;
const toUnit16 = (v: number) => Math.round((Math.max(-1, Math.min(1, v)) + 1) * 32767.5);
const fromUnit16 = (u: number) => Math.round((u / 32767.5 - 1) * 10000) / 10000;

export function encodeInput(input: InputMessage): Uint8Array {
  const w = new Writer(16);
  w.u8(INPUT);
  w.u32(input.clientTick >>> 0);
  // Directions travel as u16: -1 -> 0, 0 -> 32768, 1 -> 65535 (the Writer has no signed 16-bit field).
  w.u16(toUnit16(input.dx));
  w.u16(toUnit16(input.dz));
  w.u16(Math.round((((input.yaw % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) / (2 * Math.PI) * 65535));
  w.u8(input.jump ? 1 : 0);
  return w.finish();
}

export function decodeInput(bytes: Uint8Array): InputMessage | DecodeError {
  try {
    const r = new Reader(bytes);
    if (r.u8('message type') !== INPUT) return new DecodeError('malformed', 'not an input message');
    const input = {
      clientTick: r.u32('client tick'),
      dx: fromUnit16(r.u16('dx')),
      dz: fromUnit16(r.u16('dz')),
      yaw: (r.u16('yaw') / 65535) * 2 * Math.PI,
      jump: (r.u8('flags') & 1) === 1,
    };
    r.end('input');
    return input;
  } catch (error) {
    return error instanceof DecodeError ? error : new DecodeError('malformed', String(error));
  }
}

/** What the server tells a client on the reliable channel. */
export type ServerEvent =
  | { t: 'text'; text: string }
  | { t: 'room'; id: number; name: string; size: [number, number, number]; doorways: Array<{ wall: string; offset: number; width: number; height: number; exit: string }> }
  | { t: 'entity'; id: number; name: string; kind: string; model?: string; texture?: string }
  | { t: 'chat'; channel: string; talker: string; text: string }
  | { t: 'bye'; text: string };

/** What a client asks on the reliable channel: a command line, as a text player types it. */
export type ClientEvent = { t: 'cmd'; line: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export const encodeEvent = (event: ServerEvent | ClientEvent): Uint8Array => encoder.encode(JSON.stringify(event));

/** A reliable message as JSON with a string `t`; anything else is undefined. */
export function decodeEvent<T extends { t: string }>(bytes: Uint8Array): T | undefined {
  try {
    const value = JSON.parse(decoder.decode(bytes)) as unknown;
    return value !== null && typeof value === 'object' && typeof (value as { t?: unknown }).t === 'string' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** What an unreliable snapshot message says besides the snapshot itself. */
export interface SnapshotHeader {
  /** The room (object id) the snapshot is of. */
  roomId: number;
  /** The newest client tick applied (reconcile prediction from here). */
  ackedClientTick: number;
  /** The entity that is the player's own character. */
  viewerEntityId: number;
}

const SNAPSHOT_HEADER_SIZE = 12;

/** An unreliable snapshot message: the header, then the delta-encoded snapshot. */
export function encodeSnapshotMessage(header: SnapshotHeader, delta: Uint8Array): Uint8Array {
  const w = new Writer(delta.length + SNAPSHOT_HEADER_SIZE);
  w.u32(header.roomId >>> 0);
  w.u32(header.ackedClientTick >>> 0);
  w.u32(header.viewerEntityId >>> 0);
  w.bytes(delta);
  return w.finish();
}

export function decodeSnapshotMessage(bytes: Uint8Array): (SnapshotHeader & { delta: Uint8Array }) | DecodeError {
  if (bytes.length < SNAPSHOT_HEADER_SIZE) return new DecodeError('truncated', 'snapshot message shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    roomId: view.getUint32(0, true),
    ackedClientTick: view.getUint32(4, true),
    viewerEntityId: view.getUint32(8, true),
    delta: bytes.subarray(SNAPSHOT_HEADER_SIZE),
  };
}
