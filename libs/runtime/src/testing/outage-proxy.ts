// Test support: a TCP proxy between a service and a real server (Redis, RabbitMQ) that a test can cut and
// heal. The shared servers stay up for everyone else; only connections through this proxy see the outage.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface OutageProxy {
  /** The server's URL with this proxy's address in place of the server's. */
  url: string;
  /** Drops every open connection and refuses new ones (each is closed as soon as it arrives). */
  cut(): void;
  /** Lets connections through again. */
  heal(): void;
  close(): Promise<void>;
}

const defaultPorts: Record<string, number> = { 'redis:': 6379, 'amqp:': 5672 };

export async function startOutageProxy(serverUrl: string): Promise<OutageProxy> {
  const target = new URL(serverUrl);
  const port = Number(target.port) || defaultPorts[target.protocol];
  if (!port) throw new Error(`no port in ${target.protocol} URL and no default for it`);
  const open = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.hostname, port });
    const pair = [client, upstream];
    for (const socket of pair) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const url = Object.assign(new URL(serverUrl), { hostname: '127.0.0.1', port: String((server.address() as { port: number }).port) }).toString();
  return {
    url,
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
    },
    heal() {
      down = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
