// A snapshot must fit one datagram (docs/protocol.md): in a crowded room the nearest entities are kept
// and the farthest left out of this tick's snapshot, rather than failing the session.
import { MAX_UNRELIABLE_PAYLOAD, type EntityState } from '@loom/netcode';

/** `entities` in quantized units; `me` the viewer's own id (always kept); `encode` makes the message. */
export function fitSnapshot(entities: EntityState[], me: number, encode: (entities: EntityState[]) => Uint8Array): Uint8Array {
  let bytes = encode(entities);
  if (bytes.length <= MAX_UNRELIABLE_PAYLOAD) return bytes;
  const self = entities.find((e) => e.id === me);
  const distance = (e: EntityState) => (e.id === me ? -1 : self ? Math.hypot(e.x - self.x, e.z - self.z) : 0);
  let kept = [...entities].sort((a, b) => distance(a) - distance(b));
  while (bytes.length > MAX_UNRELIABLE_PAYLOAD && kept.length > 1) {
    kept = kept.slice(0, Math.max(1, Math.floor(kept.length * 0.8)));
    bytes = encode([...kept].sort((a, b) => a.id - b.id));
  }
  return bytes;
}
