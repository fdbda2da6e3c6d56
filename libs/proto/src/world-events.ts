// What a gateway does with each kind of world event. ts-proto generates WorldEvent's oneof as optional
// fields, which a chain of `if (event.x)` reads without noticing a kind it forgot; a gateway instead
// names every kind, with `null` for the ones it has no use for, so a new kind fails its typecheck.
import type { WorldEvent } from './gen/loom/v1/world.js';

export type WorldEventKind = Exclude<keyof WorldEvent, 'sessionId' | 'atMs'>;

export type WorldEventHandlers = { [K in WorldEventKind]: ((payload: NonNullable<WorldEvent[K]>) => void) | null };

const kinds: Record<WorldEventKind, true> = { text: true, room: true, chat: true, vitals: true, settings: true, entity: true, snapshot: true, disconnect: true };
const kindList = Object.keys(kinds) as WorldEventKind[];

function handle<K extends WorldEventKind>(handlers: WorldEventHandlers, kind: K, payload: NonNullable<WorldEvent[K]>): void {
  handlers[kind]?.(payload);
}

/** Hands the event's one payload to its kind's handler (an event with none set is ignored). */
export function dispatchWorldEvent(event: WorldEvent, handlers: WorldEventHandlers): void {
  for (const kind of kindList) {
    const payload = event[kind];
    if (payload !== undefined) return handle(handlers, kind, payload);
  }
}
