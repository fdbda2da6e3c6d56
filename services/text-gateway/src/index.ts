// PLACEHOLDER until the text-world issue: telnet is bound on its port and says the world is not open yet.
import { createServer, type Socket } from 'node:net';
import { defineService } from '@loom/runtime';

export const service = defineService({
  name: 'text-gateway',
  dependsOn: ['auth-service', 'world-state', 'chat-service'],
  async start({ config }) {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.end('Welcome to Loom.\r\nThe text world is not open yet: logins arrive with the next release.\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.telnetPort, config.host, resolve);
    });
    const { port } = server.address() as { port: number };
    return {
      listening: [`telnet ${config.host}:${port}`],
      async stop() {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  },
});
