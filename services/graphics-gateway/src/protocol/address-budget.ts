// Handshake budgets per network address. An entry exists only for an address that has echoed a valid
// cookie (so it really receives datagrams there): a flood from spoofed sources never reaches this
// table, and nothing here is shared by the whole server for such a flood to use up.
import { isIPv4, isIPv6 } from 'node:net';
import { TokenBucket } from './rate-limit.ts';
import type { PeerAddress } from './session.ts';

/**
 * The network a peer's limits count against: its IPv4 address, or the /64 of its IPv6 address (one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses would count nothing).
 */
export function networkOf(peer: PeerAddress): string {
  const address = (peer.host ?? peer.address).split('%')[0]!;
  const mapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : '';
  if (isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

export type HandshakeAdmission = 'ok' | 'in_flight' | 'rate';

export class AddressBudgets {
  private readonly entries = new Map<string, { inFlight: number; checks: TokenBucket }>();

  constructor(
    /** Token checks one network may have running at once. */
    private readonly inFlight: number,
    /** Token checks one network may start per second (bursts of as many). */
    private readonly perSecond: number,
  ) {}

  /** Networks with an entry: only those that proved their address recently. */
  get size(): number {
    return this.entries.size;
  }

  /** Starts a token check for `network`, or says which budget it is over. */
  begin(network: string, nowMs: number): HandshakeAdmission {
    let entry = this.entries.get(network);
    if (!entry) this.entries.set(network, (entry = { inFlight: 0, checks: new TokenBucket(this.perSecond, this.perSecond) }));
    if (entry.inFlight >= this.inFlight) return 'in_flight';
    if (!entry.checks.take(1, nowMs)) return 'rate';
    entry.inFlight++;
    return 'ok';
  }

  end(network: string): void {
    const entry = this.entries.get(network);
    if (entry) entry.inFlight--;
  }

  /** Forgets networks with nothing running and a full bucket: such an entry is the same as none. */
  sweep(nowMs: number): void {
    for (const [network, entry] of this.entries) {
      if (entry.inFlight === 0 && entry.checks.has(entry.checks.burst, nowMs)) this.entries.delete(network);
    }
  }
}
