// Stateless handshake cookies (the SYN-cookie idea, as in DTLS HelloVerifyRequest and
// netcode.io): the server answers CONNECT_REQUEST with an HMAC over the client's address, port
// and nonce and a time bucket, and keeps nothing. Only a client that really receives datagrams
// at that address can echo the cookie back, so spoofed sources never get a session.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { COOKIE_SIZE } from '@loom/netcode';

/** Cookies minted in the current or previous bucket are valid: 5–10 s to answer a challenge. */
export const COOKIE_BUCKET_MS = 5000;
const MAC_SIZE = COOKIE_SIZE - 4;

export type CookieCheck = 'ok' | 'forged' | 'expired';

export class CookieJar {
  /** The secret is random per process start: restarting the server voids every old cookie. */
  constructor(
    private readonly secret: Uint8Array = randomBytes(32),
    readonly bucketMs = COOKIE_BUCKET_MS,
  ) {}

  mint(address: string, port: number, nonce: bigint, nowMs: number): Uint8Array {
    const bucket = Math.floor(nowMs / this.bucketMs) >>> 0;
    const cookie = new Uint8Array(COOKIE_SIZE);
    new DataView(cookie.buffer).setUint32(0, bucket, true);
    cookie.set(this.mac(address, port, nonce, bucket), 4);
    return cookie;
  }

  check(cookie: Uint8Array, address: string, port: number, nonce: bigint, nowMs: number): CookieCheck {
    if (cookie.length !== COOKIE_SIZE) return 'forged';
    const bucket = new DataView(cookie.buffer, cookie.byteOffset, cookie.byteLength).getUint32(0, true);
    if (!timingSafeEqual(cookie.subarray(4), this.mac(address, port, nonce, bucket))) return 'forged';
    const age = (Math.floor(nowMs / this.bucketMs) >>> 0) - bucket;
    return age === 0 || age === 1 ? 'ok' : 'expired';
  }

  private mac(address: string, port: number, nonce: bigint, bucket: number): Uint8Array {
    // '|' cannot occur in an IP address, so the fields cannot run into each other.
    return createHmac('sha256', this.secret).update(`${address}|${port}|${nonce}|${bucket}`).digest().subarray(0, MAC_SIZE);
  }
}

/** Key naming a cookie in the spent ledger. */
export const cookieKey = (cookie: Uint8Array): string => Buffer.from(cookie).toString('hex');
