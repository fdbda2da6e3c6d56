// The client side of the protocol, for Node bots and the browser alike: the handshake, then inputs and
// commands out, events and snapshots in. The transport (a UDP socket, or a WebSocket carrying the same
// frames) is given by the caller.
import { DecodeError } from './bytes.ts';
import { decodeDelta, SnapshotHistory, type Snapshot } from './delta.ts';
import { decodeEvent, decodeSnapshotMessage, encodeEvent, encodeInput, type InputMessage, type ServerEvent, type SnapshotHeader } from './game.ts';
import { DisconnectReason, RejectReason, decodePacket, encodePacket } from './packet.ts';
import { dequantizePosition, dequantizeYaw } from './quantize.ts';
import { Endpoint } from './reliability.ts';

export interface Transport {
  send(bytes: Uint8Array): void;
  onDatagram(handler: (bytes: Uint8Array) => void): void;
  close(): void;
}

export interface SeenEntity {
  id: number;
  name: string;
  kind: string;
  /** An asset name to draw it with (`/assets/by-name/<model>`); empty = a primitive. */
  model: string;
  /** An image asset covering the primitive; empty = its plain colour. */
  texture: string;
  x: number;
  y: number;
  z: number;
  yaw: number;
  flags: number;
}

/** What each REJECT reason tells the player when the server sent no text (docs/protocol.md §3.5). */
const rejectMeanings: Record<number, string> = {
  [RejectReason.VersionMismatch]: 'another protocol version',
  [RejectReason.ServerFull]: 'server full',
  [RejectReason.AuthFailed]: 'access token refused',
  [RejectReason.Busy]: 'busy, retry in a moment',
  [RejectReason.AddressFull]: 'too many players from your address',
};

/** The server answered the handshake with REJECT: `reason` is its code (RejectReason), `text` its words. */
export class RefusedError extends Error {
  constructor(
    readonly reason: number,
    readonly text: string,
  ) {
    super(`the server refused: ${text || rejectMeanings[reason] || 'refused'}`);
    this.name = 'RefusedError';
  }
}

function randomNonce(): bigint {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return new DataView(bytes.buffer).getBigUint64(0, true);
}

export class GameClient {
  private endpoint: Endpoint | undefined;
  private readonly history = new SnapshotHistory();
  private readonly names = new Map<number, { name: string; kind: string; model: string; texture: string }>();
  private readonly listeners = new Set<(event: ServerEvent) => void>();
  private latest: (SnapshotHeader & { snapshot: Snapshot }) | undefined;
  private handshake: ((datagram: Uint8Array) => void) | undefined;
  private readonly disconnectListeners = new Set<(reason: number) => void>();
  /** The DISCONNECT reason (DisconnectReason) once the server ended the session; undefined while it lives. */
  disconnectReason: number | undefined;
  tickRate = 20;

  constructor(
    private readonly transport: Transport,
    private readonly now: () => number = () => Date.now(),
  ) {
    transport.onDatagram((bytes) => (this.endpoint ? this.receive(bytes) : this.handshake?.(bytes)));
  }

  /** Connects with the account's access token; rejects with a RefusedError (the server's reason) or after the timeout. */
  connect(accessToken: string, timeoutMs = 5000): Promise<void> {
    const nonce = randomNonce();
    let cookie: Uint8Array | undefined;
    const attempt = () => this.transport.send(encodePacket(cookie ? { type: 'challenge_response', nonce, cookie, token: accessToken } : { type: 'connect_request', nonce }));
    return new Promise<void>((resolve, reject) => {
      // Datagrams get lost: the handshake repeats its step until the answer comes.
      const retry = setInterval(attempt, 250);
      const fail = setTimeout(() => finish(new Error(`no answer from the server within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error) => {
        clearInterval(retry);
        clearTimeout(fail);
        this.handshake = undefined;
        if (error) reject(error);
        else resolve();
      };
      this.handshake = (bytes) => {
        const packet = decodePacket(bytes);
        if (packet instanceof DecodeError || !('type' in packet)) return;
        if (packet.type === 'challenge' && packet.nonce === nonce) {
          cookie = packet.cookie;
          attempt();
        } else if (packet.type === 'accept' && packet.nonce === nonce) {
          this.endpoint = new Endpoint({ sessionId: packet.sessionId });
          this.tickRate = packet.tickRate;
          finish();
        } else if (packet.type === 'reject') {
          finish(new RefusedError(packet.reason, packet.text));
        }
      };
      attempt();
    });
  }

  onEvent(listener: (event: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called once when the server ends the session (DISCONNECT), with its reason. */
  onDisconnect(listener: (reason: number) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  sendInput(input: InputMessage): void {
    this.endpoint?.send('unreliable', encodeInput(input));
  }

  command(line: string): void {
    this.endpoint?.send('reliable', encodeEvent({ t: 'cmd', line }));
  }

  /** Call often (every frame, or 30-60 times a second): sends what is due, acks, resends. */
  tick(): void {
    if (!this.endpoint) return;
    for (const datagram of this.endpoint.tick(this.now())) this.transport.send(datagram);
  }

  /** What the newest snapshot shows, in metres and radians, with names; `viewerEntityId` is the player's own character. */
  get view(): (SnapshotHeader & { tick: number; entities: SeenEntity[] }) | undefined {
    if (!this.latest) return undefined;
    const { snapshot, roomId, ackedClientTick, viewerEntityId } = this.latest;
    const entities = snapshot.entities.map((e) => ({
      id: e.id,
      name: this.names.get(e.id)?.name ?? '',
      kind: this.names.get(e.id)?.kind ?? '',
      model: this.names.get(e.id)?.model ?? '',
      texture: this.names.get(e.id)?.texture ?? '',
      x: dequantizePosition(e.x),
      y: dequantizePosition(e.y),
      z: dequantizePosition(e.z),
      yaw: dequantizeYaw(e.yaw),
      flags: e.flags,
    }));
    return { roomId, tick: snapshot.tick, ackedClientTick, viewerEntityId, entities };
  }

  /** Leaves: the server is told (DISCONNECT quit, three times: it is not acknowledged), so the seat frees at once. */
  close(): void {
    if (this.endpoint) {
      const goodbye = encodePacket({ type: 'disconnect', sessionId: this.endpoint.sessionId, reason: DisconnectReason.Quit });
      for (let i = 0; i < 3; i++) this.transport.send(goodbye);
      this.endpoint = undefined;
    }
    this.transport.close();
  }

  private receive(bytes: Uint8Array): void {
    const endpoint = this.endpoint!;
    const packet = decodePacket(bytes);
    if (packet instanceof DecodeError) return;
    if (packet.type === 'disconnect') {
      if (packet.sessionId !== endpoint.sessionId) return;
      // The session is over: nothing more is sent or read (the server sends DISCONNECT three times).
      this.endpoint = undefined;
      this.disconnectReason = packet.reason;
      for (const listener of this.disconnectListeners) listener(packet.reason);
      return;
    }
    if (packet.type !== 'data') return;
    for (const message of endpoint.receivePacket(packet, this.now())) {
      if (message.channel === 'reliable') {
        const event = decodeEvent<ServerEvent>(message.payload);
        if (!event) continue;
        if (event.t === 'entity') this.names.set(event.id, { name: event.name, kind: event.kind, model: event.model ?? '', texture: event.texture ?? '' });
        for (const listener of this.listeners) listener(event);
        continue;
      }
      const framed = decodeSnapshotMessage(message.payload);
      if (framed instanceof DecodeError) continue;
      const snapshot = decodeDelta(framed.delta, (tick) => this.history.get(tick));
      if (snapshot instanceof DecodeError) continue;
      if (this.latest && snapshot.tick <= this.latest.snapshot.tick) continue;
      this.history.add(snapshot);
      this.latest = { snapshot, roomId: framed.roomId, ackedClientTick: framed.ackedClientTick, viewerEntityId: framed.viewerEntityId };
    }
  }
}
