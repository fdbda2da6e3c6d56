// Connections per network address, over telnet and /ws/text together: one machine cannot open thousands
// of idle connections and take every file descriptor the gateway has.
export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Counts a new connection from the address; false (and nothing counted) when it is at the limit. */
  admit(address: string): boolean {
    const count = this.open.get(address) ?? 0;
    if (count >= this.limit) return false;
    this.open.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = (this.open.get(address) ?? 1) - 1;
    if (count <= 0) this.open.delete(address);
    else this.open.set(address, count);
  }
}

export const tooManyConnections = 'Too many connections from your address; close one and try again.';
