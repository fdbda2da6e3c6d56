// The graphics protocol's server side: handshake, sessions, limits (connection-table.ts), and the
// UDP binding (udp-server.ts). The shared wire format and reliability live in @loom/netcode.
export { ConnectionTable, type ConnectionEvents, type ConnectionTableOptions, type TableStats } from './connection-table.ts';
export { DEFAULT_RATE_LIMIT, Session, type Identity, type PeerAddress, type RateLimit } from './session.ts';
export { COOKIE_BUCKET_MS, CookieJar, type CookieCheck } from './cookie.ts';
export { TokenBucket } from './rate-limit.ts';
export { startUdpServer, type UdpServer, type UdpServerOptions } from './udp-server.ts';
