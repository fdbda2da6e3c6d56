// PLACEHOLDER until the 3D issue: UDP is bound on its port; datagrams are counted and dropped.
import { createSocket } from 'node:dgram';
import { Counter, defineService } from '@loom/runtime';

export const service = defineService({
  name: 'graphics-gateway',
  dependsOn: ['auth-service', 'world-state'],
  async start({ config, metrics }) {
    const dropped = new Counter({ name: 'loom_udp_datagrams_dropped_total', help: 'UDP datagrams dropped: the graphics protocol is not served yet.', registers: [metrics.registry] });
    const socket = createSocket('udp4');
    socket.on('message', () => dropped.inc());
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(config.udpPort, config.host, resolve);
    });
    return {
      listening: [`UDP ${config.host}:${socket.address().port}`],
      async stop() {
        await new Promise<void>((resolve) => socket.close(() => resolve()));
      },
    };
  },
});
