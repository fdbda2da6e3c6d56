// One connected client as the server sees it: who (from the token), where (address and port,
// fixed for the session's life: no address migration), its Endpoint, and its rate budget.
import { Endpoint, type EndpointOptions } from '@loom/netcode';
import { TokenBucket } from './rate-limit.ts';

export interface PeerAddress {
  address: string;
  port: number;
  /** The network address limits count against, when `address` is not one (a WebSocket peer's name). */
  host?: string;
}
export interface Identity {
  userId: number;
  username: string;
}

export interface RateLimit {
  datagramsPerSecond: number;
  bytesPerSecond: number;
}
/** Room for a 60 Hz input stream with acks and the odd burst of reliable chat or uploads. */
export const DEFAULT_RATE_LIMIT: RateLimit = { datagramsPerSecond: 120, bytesPerSecond: 64 * 1024 };

export const peerKey = (p: PeerAddress): string => `${p.address}|${p.port}`;

export class Session implements Identity {
  readonly userId: number;
  readonly username: string;
  readonly endpoint: Endpoint;
  lastReceiveMs: number;
  readonly dropped = { datagrams: 0, bytes: 0 };
  private readonly datagrams: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(
    readonly id: number,
    readonly peer: PeerAddress,
    /** The client nonce of the handshake that opened it: a repeated CHALLENGE_RESPONSE gets ACCEPT again. */
    readonly nonce: bigint,
    identity: Identity,
    nowMs: number,
    limit: RateLimit = DEFAULT_RATE_LIMIT,
    endpoint: Omit<EndpointOptions, 'sessionId'> = {},
  ) {
    this.userId = identity.userId;
    this.username = identity.username;
    this.lastReceiveMs = nowMs;
    this.endpoint = new Endpoint({ ...endpoint, sessionId: id });
    // A burst of one second's worth: smooth clients never notice, floods are cut at once.
    this.datagrams = new TokenBucket(limit.datagramsPerSecond, limit.datagramsPerSecond);
    this.bytes = new TokenBucket(limit.bytesPerSecond, limit.bytesPerSecond);
  }

  /** Charges one datagram of `size` bytes against the budget; false (and counted) when over it. */
  admit(size: number, nowMs: number): boolean {
    if (!this.datagrams.has(1, nowMs) || !this.bytes.has(size, nowMs)) {
      this.dropped.datagrams++;
      this.dropped.bytes += size;
      return false;
    }
    this.datagrams.take(1, nowMs);
    this.bytes.take(size, nowMs);
    return true;
  }
}
