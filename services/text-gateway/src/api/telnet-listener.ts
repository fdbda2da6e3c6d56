// Port 4000: each TCP connection becomes a TelnetConnection driving a TextSession.
import { createServer, type Server, type Socket } from 'node:net';
import type { MsspVariables } from '../telnet/connection.ts';
import { TelnetConnection } from '../telnet/connection.ts';
import type { TextConnection } from '../core/connection.ts';
import type { TextSession } from '../core/text-session.ts';
import { tooManyConnections, type ConnectionsPerAddress } from '../core/address-limit.ts';

export interface TelnetListener {
  port: number;
  /** Sessions still open, for a graceful stop. */
  close(message: string): Promise<void>;
}

function adapt(telnet: TelnetConnection, remoteAddress: string): TextConnection {
  return {
    protocol: 'telnet',
    remoteAddress,
    get width() {
      return telnet.width;
    },
    write: (text) => telnet.write(text),
    prompt: (text) => telnet.sendPrompt(text),
    setPasswordMode: (hidden) => telnet.setPasswordMode(hidden),
    sendGmcp: (packageName, data) => void telnet.sendGmcp(packageName, data),
    close: (message) => telnet.close(message),
  };
}

export async function listenTelnet(options: {
  host: string;
  port: number;
  maxLineBytes: number;
  mssp: () => MsspVariables;
  newSession: (connection: TextConnection) => TextSession;
  perAddress: ConnectionsPerAddress;
}): Promise<TelnetListener> {
  const open = new Set<TelnetConnection>();
  const server: Server = createServer((socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (!options.perAddress.admit(address)) {
      socket.end(`${tooManyConnections}\r\n`);
      socket.on('error', () => undefined);
      return;
    }
    socket.once('close', () => options.perAddress.release(address));
    socket.setNoDelay(true);
    const telnet = new TelnetConnection(socket, { mssp: options.mssp, maxLineBytes: options.maxLineBytes });
    open.add(telnet);
    const session = options.newSession(adapt(telnet, address));
    telnet.on('line', (line) => session.line(line));
    telnet.on('lineTooLong', () => session.lineTooLong());
    telnet.on('gmcp', (message) => session.gmcp(message.package, message.data));
    telnet.on('close', () => {
      open.delete(telnet);
      session.closed();
    });
    session.start();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    async close(message) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const telnet of open) telnet.close(message);
      await closed;
    },
  };
}
