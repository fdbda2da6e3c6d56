// The browser's Transport for GameClient: one binary WebSocket message per datagram on /ws/graphics
// (browsers cannot send UDP; services/graphics-gateway/src/api/ws-graphics-route.ts).
import type { Transport } from '@loom/netcode';

export function wsTransport(onClose: () => void): Promise<Transport> {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/graphics`);
  socket.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    socket.addEventListener('error', () => reject(new Error('could not open /ws/graphics')), { once: true });
    socket.addEventListener('close', onClose);
    socket.addEventListener('open', () =>
      resolve({
        // The netcode hands plain ArrayBuffer-backed arrays; the DOM typing only wants that said.
        send: (bytes) => socket.readyState === WebSocket.OPEN && socket.send(bytes as Uint8Array<ArrayBuffer>),
        onDatagram: (handler) => socket.addEventListener('message', (m) => m.data instanceof ArrayBuffer && handler(new Uint8Array(m.data))),
        close: () => socket.close(),
      }),
    );
  });
}
