// The server side of the graphics protocol, without sockets: datagrams in (with their source
// address), datagrams out through `send`, time from `now`. It runs the handshake, owns one
// Endpoint per session, and enforces rate limits, timeouts and the client cap. No game logic:
// delivered messages go to `events.messages`.
import { randomInt } from 'node:crypto';
import {
  DecodeError, DisconnectReason, HEADER_SIZE, MAX_REJECT_TEXT, PROTOCOL_VERSION, PacketType, RejectReason,
  decodePacket, encodePacket, type DataPacket, type EndpointOptions, type Message, type Packet,
} from '@loom/netcode';
import { CookieJar, cookieKey } from './cookie.ts';
import { TokenBucket } from './rate-limit.ts';
import { Session, peerKey, type Identity, type PeerAddress, type RateLimit } from './session.ts';
import { UnavailableError } from '@loom/runtime';

export interface ConnectionEvents {
  connected?(session: Session): void;
  disconnected?(session: Session, reason: number): void;
  messages?(session: Session, messages: Message[]): void;
}

export interface ConnectionTableOptions {
  send(to: PeerAddress, bytes: Uint8Array): void;
  /** Checks the access token from CHALLENGE_RESPONSE (the auth service's JWT); an Error refuses it. */
  verifyToken(token: string): Promise<Identity | Error>;
  tickRate: number;
  serverTick?: () => number;
  now?: () => number;
  events?: ConnectionEvents;
  maxClients?: number;
  /** A session that sends nothing for this long is disconnected (default 10 s). */
  timeoutMs?: number;
  /** Per session; excess datagrams are dropped and counted (defaults 120/s and 64 KiB/s, 1 s burst). */
  rateLimit?: RateLimit;
  /** Whole-server cap on handshake packets, so HMAC and token checks cannot be flooded (default 500/s). */
  handshakesPerSecond?: number;
  /** Cookie secret; random per process start unless a test fixes it. */
  cookies?: CookieJar;
  endpoint?: Omit<EndpointOptions, 'sessionId'>;
}

export type TableStats = Record<
  | 'malformed' | 'versionMismatch' | 'handshakeThrottled' | 'forgedCookie' | 'expiredCookie' | 'replayedCookie'
  | 'serverFull' | 'authFailed' | 'unknownSession' | 'rateLimited' | 'timedOut',
  number
>;

/** A reply to an unverified address never exceeds the request that provoked it (no amplification). */
const MAX_REJECT_SIZE = HEADER_SIZE + 2 + MAX_REJECT_TEXT;
/** Cookies accepted in the last two buckets are remembered so they cannot be replayed. */
const MAX_SPENT_COOKIES = 4096;

export class ConnectionTable {
  readonly stats: TableStats = {
    malformed: 0, versionMismatch: 0, handshakeThrottled: 0, forgedCookie: 0, expiredCookie: 0, replayedCookie: 0,
    serverFull: 0, authFailed: 0, unknownSession: 0, rateLimited: 0, timedOut: 0,
  };
  private readonly sessions = new Map<number, Session>();
  private readonly byPeer = new Map<string, Session>();
  private readonly spent = new Map<string, { expiresAt: number; verifying: boolean }>();
  private readonly cookies: CookieJar;
  private readonly handshakes: TokenBucket;
  private readonly now: () => number;
  private readonly maxClients: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: ConnectionTableOptions) {
    this.now = options.now ?? Date.now;
    this.cookies = options.cookies ?? new CookieJar();
    this.maxClients = options.maxClients ?? 64;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const rate = options.handshakesPerSecond ?? 500;
    this.handshakes = new TokenBucket(rate, rate);
  }

  get size(): number {
    return this.sessions.size;
  }

  session(id: number): Session | undefined {
    return this.sessions.get(id);
  }

  /** Handles one datagram; the promise settles when a handshake's token check has finished. */
  receive(bytes: Uint8Array, from: PeerAddress): Promise<void> | void {
    const packet = decodePacket(bytes);
    if (packet instanceof DecodeError) return this.undecodable(packet, bytes, from);
    switch (packet.type) {
      case 'data':
        return this.data(packet, bytes.length, from);
      case 'disconnect': {
        const session = this.sessions.get(packet.sessionId);
        if (session && peerKey(session.peer) === peerKey(from)) this.close(session, DisconnectReason.Quit, false);
        else this.stats.unknownSession++;
        return;
      }
      case 'connect_request':
        return this.connectRequest(packet.nonce, from);
      case 'challenge_response':
        return this.challengeResponse(packet, from);
      default:
        this.stats.malformed++; // a server-to-client packet type: not ours to receive
    }
  }

  /** Sends due datagrams for every session and disconnects the silent ones. Call once a server tick. */
  tick(): void {
    const now = this.now();
    for (const session of [...this.sessions.values()]) {
      if (now - session.lastReceiveMs > this.timeoutMs) {
        this.stats.timedOut++;
        this.close(session, DisconnectReason.Timeout, true);
        continue;
      }
      for (const datagram of session.endpoint.tick(now)) this.options.send(session.peer, datagram);
    }
    for (const [key, entry] of this.spent) if (entry.expiresAt <= now && !entry.verifying) this.spent.delete(key);
  }

  /** Ends a session from the server side (kick, shutdown): the client is told, three times over. */
  disconnect(sessionId: number, reason: number = DisconnectReason.Kicked): void {
    const session = this.sessions.get(sessionId);
    if (session) this.close(session, reason, true);
  }

  /** Tells every client the server is going away. */
  shutdown(): void {
    for (const session of [...this.sessions.values()]) this.close(session, DisconnectReason.Shutdown, true);
  }

  private undecodable(error: DecodeError, bytes: Uint8Array, from: PeerAddress): void {
    if (error.code !== 'version') {
      this.stats.malformed++;
      return;
    }
    this.stats.versionMismatch++;
    // Answer only a connect request big enough that the REJECT cannot amplify a spoofed flood.
    if (error.detail?.packetType !== PacketType.ConnectRequest || bytes.length < MAX_REJECT_SIZE || !this.handshakes.take(1, this.now())) return;
    this.reply(from, { type: 'reject', reason: RejectReason.VersionMismatch, text: `server speaks protocol version ${PROTOCOL_VERSION}` });
  }

  private connectRequest(nonce: bigint, from: PeerAddress): void {
    const now = this.now();
    if (!this.handshakes.take(1, now)) {
      this.stats.handshakeThrottled++;
      return;
    }
    if (this.sessions.size >= this.maxClients && !this.byPeer.has(peerKey(from))) {
      this.stats.serverFull++;
      this.reply(from, { type: 'reject', reason: RejectReason.ServerFull, text: 'server full' });
      return;
    }
    this.reply(from, { type: 'challenge', nonce, cookie: this.cookies.mint(from.address, from.port, nonce, now) });
  }

  private async challengeResponse(packet: Extract<Packet, { type: 'challenge_response' }>, from: PeerAddress): Promise<void> {
    const now = this.now();
    if (!this.handshakes.take(1, now)) {
      this.stats.handshakeThrottled++;
      return;
    }
    const check = this.cookies.check(packet.cookie, from.address, from.port, packet.nonce, now);
    if (check !== 'ok') {
      this.stats[check === 'forged' ? 'forgedCookie' : 'expiredCookie']++;
      return;
    }
    const existing = this.byPeer.get(peerKey(from));
    if (existing && existing.nonce === packet.nonce) {
      this.accept(existing); // our ACCEPT was lost and the client asked again
      return;
    }
    const key = cookieKey(packet.cookie);
    const spent = this.spent.get(key);
    if (spent) {
      if (!spent.verifying) this.stats.replayedCookie++;
      return; // a retransmission while the token is being checked is simply ignored
    }
    if (this.spent.size >= MAX_SPENT_COOKIES) {
      this.stats.handshakeThrottled++;
      this.reply(from, { type: 'reject', reason: RejectReason.Busy, text: 'too many handshakes, retry' });
      return;
    }
    const entry = { expiresAt: now + 2 * this.cookies.bucketMs, verifying: true };
    this.spent.set(key, entry);
    const identity = await this.options.verifyToken(packet.token).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    entry.verifying = false;
    if (identity instanceof UnavailableError) {
      // The token may be fine, but the world cannot take a player now: the client should retry.
      this.stats.handshakeThrottled++;
      this.reply(from, { type: 'reject', reason: RejectReason.Busy, text: identity.message });
      return;
    }
    if (identity instanceof Error) {
      this.stats.authFailed++;
      this.reply(from, { type: 'reject', reason: RejectReason.AuthFailed, text: identity.message || 'access token refused' });
      return;
    }
    const previous = this.byPeer.get(peerKey(from));
    if (previous) this.close(previous, DisconnectReason.Replaced, false); // same address, new nonce: the client restarted
    if (this.sessions.size >= this.maxClients) {
      this.stats.serverFull++;
      this.reply(from, { type: 'reject', reason: RejectReason.ServerFull, text: 'server full' });
      return;
    }
    const session = this.open(identity, packet.nonce, from);
    this.accept(session);
    this.options.events?.connected?.(session);
  }

  private open(identity: Identity, nonce: bigint, peer: PeerAddress): Session {
    let id: number;
    do id = randomInt(1, 0xffffffff); // unguessable, so an off-path sender cannot inject DATA
    while (this.sessions.has(id));
    const session = new Session(id, { ...peer }, nonce, identity, this.now(), this.options.rateLimit, this.options.endpoint);
    this.sessions.set(id, session);
    this.byPeer.set(peerKey(peer), session);
    return session;
  }

  private accept(session: Session): void {
    const serverTick = (this.options.serverTick?.() ?? 0) >>> 0;
    this.reply(session.peer, { type: 'accept', nonce: session.nonce, sessionId: session.id, serverTick, tickRate: this.options.tickRate });
  }

  private data(packet: DataPacket, size: number, from: PeerAddress): void {
    const session = this.sessions.get(packet.sessionId);
    // Keyed by address and session id: a datagram naming a session from elsewhere is not that client's.
    if (!session || peerKey(session.peer) !== peerKey(from)) {
      this.stats.unknownSession++;
      return;
    }
    const now = this.now();
    if (!session.admit(size, now)) {
      this.stats.rateLimited++;
      return;
    }
    session.lastReceiveMs = now;
    const messages = session.endpoint.receivePacket(packet, now);
    if (messages.length > 0) this.options.events?.messages?.(session, messages);
  }

  private close(session: Session, reason: number, tell: boolean): void {
    if (tell) for (let i = 0; i < 3; i++) this.reply(session.peer, { type: 'disconnect', sessionId: session.id, reason });
    this.sessions.delete(session.id);
    if (this.byPeer.get(peerKey(session.peer)) === session) this.byPeer.delete(peerKey(session.peer));
    this.options.events?.disconnected?.(session, reason);
  }

  private reply(to: PeerAddress, packet: Packet): void {
    this.options.send(to, encodePacket(packet));
  }
}
