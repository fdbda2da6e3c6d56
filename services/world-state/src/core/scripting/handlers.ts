// Which objects have which handlers, kept in memory so an event costs no database round trip.
import type { ScriptVersion } from '../game.ts';

export interface Handler {
  version: number;
  source: string;
  /** Who wrote this version: the script never acts with more rights than theirs. */
  authorId: number;
}

export class HandlerIndex {
  private readonly byObject = new Map<number, Map<string, Handler>>();

  set(objectId: number, script: Pick<ScriptVersion, 'event' | 'version' | 'source' | 'deleted' | 'authorId'>): void {
    let handlers = this.byObject.get(objectId);
    if (script.deleted) {
      handlers?.delete(script.event);
      return;
    }
    if (!handlers) this.byObject.set(objectId, (handlers = new Map()));
    handlers.set(script.event, { version: script.version, source: script.source, authorId: script.authorId });
  }

  get(objectId: number, event: string): Handler | undefined {
    return this.byObject.get(objectId)?.get(event);
  }

  /** Objects that handle the event, among the candidates. */
  handling(event: string, candidates: Iterable<number>): number[] {
    const found: number[] = [];
    for (const id of candidates) if (this.byObject.get(id)?.has(event)) found.push(id);
    return found;
  }

  withEvent(event: string): number[] {
    return [...this.byObject].filter(([, handlers]) => handlers.has(event)).map(([id]) => id);
  }
}
