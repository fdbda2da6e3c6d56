// The server side of the graphics protocol, without sockets: datagrams in (with their source
// address), datagrams out through `send`, time from `now`. It runs the handshake, owns one
// Endpoint per session, and enforces rate limits, timeouts and the caps (whole gateway, per network
// address, per account). No game logic: delivered messages go to `events.messages`.
//
// A CONNECT_REQUEST is answered from the packet alone and leaves nothing behind, and nothing spends
// a budget the whole server shares before a valid cookie has come back: a flood from spoofed sources
// costs an HMAC per datagram and cannot keep a real player out.
import { randomInt } from 'node:crypto';
import {
  DecodeError, DisconnectReason, HEADER_SIZE, MAX_REJECT_TEXT, PROTOCOL_VERSION, PacketType, RejectReason,
  decodePacket, encodePacket, type DataPacket, type EndpointOptions, type Message, type Packet,
} from '@loom/netcode';
import { AddressBudgets, networkOf } from './address-budget.ts';
import { CookieJar, cookieKey } from './cookie.ts';
import { Session, peerKey, type Identity, type PeerAddress, type RateLimit } from './session.ts';
import { UnavailableError } from '@loom/runtime';

export interface ConnectionEvents {
  /** A session opened; `accessToken` is the token its handshake carried. */
  connected?(session: Session, accessToken: string): void;
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
  /** Sessions the gateway holds at once (default 256); more get REJECT(server full). */
  maxClients?: number;
  /** Sessions, and token checks running, per network address (default 8); more get REJECT(address full) or REJECT(busy). */
  perAddress?: number;
  /** Token checks one network address may start per second (default 10). */
  handshakesPerAddressPerSecond?: number;
  /** Sessions per account (default 1): a new login past it takes over the oldest, which is told so. */
  perAccount?: number;
  /** A session that sends nothing for this long is disconnected (default 10 s). */
  timeoutMs?: number;
  /** Per session; excess datagrams are dropped and counted (defaults 120/s and 64 KiB/s, 1 s burst). */
  rateLimit?: RateLimit;
  /** Cookie secret; random per process start unless a test fixes it. */
  cookies?: CookieJar;
  endpoint?: Omit<EndpointOptions, 'sessionId'>;
}

/** Datagrams the table throws away unanswered, by why: what an operator reads as "dropped". */
export const droppedDatagrams = [
  'malformed', 'rateLimited', 'unknownSession', 'forgedCookie', 'expiredCookie', 'replayedCookie', 'duplicate', 'windowFull',
] as const;
/** The drops above, and the handshakes and sessions the table refused or ended (most of them told why). */
export type TableStats = Record<
  | (typeof droppedDatagrams)[number]
  | 'versionMismatch' | 'handshakeThrottled' | 'serverFull' | 'addressFull' | 'takenOver' | 'authFailed' | 'timedOut',
  number
>;

/** A reply to an unverified address never exceeds the request that provoked it (no amplification). */
const MAX_REJECT_SIZE = HEADER_SIZE + 2 + MAX_REJECT_TEXT;
/**
 * Cookies accepted in the last two buckets are remembered so they cannot be replayed. Only proven
 * addresses add to it, each at most its handshakes per second, so this bounds memory, not players.
 */
const MAX_SPENT_COOKIES = 65536;

export class ConnectionTable {
  readonly stats: TableStats = {
    malformed: 0, versionMismatch: 0, handshakeThrottled: 0, forgedCookie: 0, expiredCookie: 0, replayedCookie: 0,
    serverFull: 0, addressFull: 0, takenOver: 0, authFailed: 0, unknownSession: 0, rateLimited: 0, timedOut: 0, duplicate: 0, windowFull: 0,
  };
  /** Every datagram handed to receive(), kept or not. */
  received = 0;
  private readonly sessions = new Map<number, Session>();
  private readonly byPeer = new Map<string, Session>();
  private readonly spent = new Map<string, { expiresAt: number; verifying: boolean }>();
  private readonly cookies: CookieJar;
  private readonly addresses: AddressBudgets;
  private readonly now: () => number;
  private readonly maxClients: number;
  private readonly perAddress: number;
  private readonly perAccount: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: ConnectionTableOptions) {
    this.now = options.now ?? Date.now;
    this.cookies = options.cookies ?? new CookieJar();
    this.maxClients = options.maxClients ?? 256;
    this.perAddress = options.perAddress ?? 8;
    this.perAccount = options.perAccount ?? 1;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.addresses = new AddressBudgets(this.perAddress, options.handshakesPerAddressPerSecond ?? 10);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** What the table holds: sessions, and what handshakes from proven addresses left behind. */
  get footprint(): { sessions: number; spentCookies: number; addresses: number } {
    return { sessions: this.sessions.size, spentCookies: this.spent.size, addresses: this.addresses.size };
  }

  session(id: number): Session | undefined {
    return this.sessions.get(id);
  }

  /** Handles one datagram; the promise settles when a handshake's token check has finished. */
  receive(bytes: Uint8Array, from: PeerAddress): Promise<void> | void {
    this.received++;
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
    this.addresses.sweep(now);
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
    if (error.detail?.packetType !== PacketType.ConnectRequest || bytes.length < MAX_REJECT_SIZE) return;
    this.reply(from, { type: 'reject', reason: RejectReason.VersionMismatch, text: `server speaks protocol version ${PROTOCOL_VERSION}` });
  }

  /** Stateless: the source may be spoofed, so it gets a cookie (smaller than its request) and nothing else. */
  private connectRequest(nonce: bigint, from: PeerAddress): void {
    this.reply(from, { type: 'challenge', nonce, cookie: this.cookies.mint(from.address, from.port, nonce, this.now()) });
  }

  private async challengeResponse(packet: Extract<Packet, { type: 'challenge_response' }>, from: PeerAddress): Promise<void> {
    const now = this.now();
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
      // A retransmission while the token is being checked is a duplicate; after that, a replay.
      this.stats[spent.verifying ? 'duplicate' : 'replayedCookie']++;
      return;
    }
    if (this.spent.size >= MAX_SPENT_COOKIES) {
      this.stats.handshakeThrottled++;
      this.reply(from, { type: 'reject', reason: RejectReason.Busy, text: 'too many handshakes, retry' });
      return;
    }
    // From here on the address is proven: it received our CHALLENGE. Its own budget pays for the token check.
    const network = networkOf(from);
    const admission = this.addresses.begin(network, now);
    if (admission !== 'ok') {
      this.stats.handshakeThrottled++;
      this.reply(from, { type: 'reject', reason: RejectReason.Busy, text: 'too many handshakes from your address' });
      return;
    }
    const entry = { expiresAt: now + 2 * this.cookies.bucketMs, verifying: true };
    this.spent.set(key, entry);
    const identity = await this.options.verifyToken(packet.token).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    entry.verifying = false;
    this.addresses.end(network);
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
    const making = this.room(identity, from, network);
    if (Array.isArray(making)) {
      for (const [old, reason] of making) this.close(old, reason, reason === DisconnectReason.TakenOver);
    } else {
      this.stats[making.stat]++;
      this.reply(from, { type: 'reject', reason: making.reason, text: making.text });
      return;
    }
    const session = this.open(identity, packet.nonce, from);
    this.accept(session);
    this.options.events?.connected?.(session, packet.token);
  }

  /**
   * The sessions a new one from `from` for `identity` replaces (the same address and port: the client
   * restarted; the account's oldest past its cap: a login elsewhere takes over), or why it is refused.
   * Nothing is closed before the answer is known, so a refused login never costs the old one its seat.
   */
  private room(identity: Identity, from: PeerAddress, network: string): Array<[Session, number]> | { stat: 'addressFull' | 'serverFull'; reason: number; text: string } {
    const replaced = new Map<Session, number>();
    const previous = this.byPeer.get(peerKey(from));
    if (previous) replaced.set(previous, DisconnectReason.Replaced);
    // Map order is insertion order: the account's oldest session comes first.
    const accounts = [...this.sessions.values()].filter((s) => s.userId === identity.userId && !replaced.has(s));
    for (const old of accounts.slice(0, Math.max(0, accounts.length + 1 - this.perAccount))) replaced.set(old, DisconnectReason.TakenOver);
    let atAddress = 0;
    for (const s of this.sessions.values()) if (!replaced.has(s) && networkOf(s.peer) === network) atAddress++;
    if (atAddress >= this.perAddress) return { stat: 'addressFull', reason: RejectReason.AddressFull, text: 'too many players from your address' };
    if (this.sessions.size - replaced.size >= this.maxClients) return { stat: 'serverFull', reason: RejectReason.ServerFull, text: 'server full' };
    this.stats.takenOver += [...replaced.values()].filter((r) => r === DisconnectReason.TakenOver).length;
    return [...replaced];
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
    const { duplicates, refused } = session.endpoint.stats;
    const messages = session.endpoint.receivePacket(packet, now);
    // The endpoint drops a sequence number it has seen, and reliable frames its window cannot hold yet (resent later).
    this.stats.duplicate += session.endpoint.stats.duplicates - duplicates;
    this.stats.windowFull += session.endpoint.stats.refused - refused;
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
