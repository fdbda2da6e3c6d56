// One 3D player: its protocol session on one side, its world-state session on the other. World events
// become reliable JSON events and delta-compressed snapshots; inputs and command lines become intents.
import { randomUUID } from 'node:crypto';
import type { WorldEvent } from '@loom/proto';
import type { Logger, ServiceClient } from '@loom/runtime';
import {
  EntityFlag, SnapshotHistory, decodeEvent, decodeInput, encodeDelta, encodeEvent, encodeSnapshotMessage,
  quantizePosition, quantizeYaw, type ClientEvent, type EntityState, type Message, type ServerEvent,
} from '@loom/netcode';
import { renderMarkup } from '@loom/world';
import type { Session } from '../protocol/session.ts';
import { fitSnapshot } from './fit-snapshot.ts';

interface SnapshotData {
  tick: number;
  roomId: number;
  ackedClientTick: number;
  entities: Array<{ id: number; name: string; kind: string; model?: string; texture?: string; x: number; y: number; z: number; yaw: number; embodied: boolean }>;
}

// Markup ({r}...{x}) is for text clients; a 3D client's text pane gets it stripped.
const plain = (markup: string) => renderMarkup(markup, false);

export class GraphicsSession {
  readonly worldSessionId = randomUUID();
  private readonly history = new SnapshotHistory();
  private readonly named = new Map<number, string>();
  private readonly stream = new AbortController();

  constructor(
    private readonly session: Session,
    private readonly world: ServiceClient<'world-state'>,
    private readonly logger: Logger,
    private readonly onEnd: () => void,
  ) {}

  /** Opens the world session and forwards its events until either side ends. */
  start(accessToken: string, clientAddress: string): void {
    const events = this.world.openSession({ sessionId: this.worldSessionId, gateway: 'udp', accessToken, clientAddress }, { signal: this.stream.signal });
    void (async () => {
      try {
        for await (const event of events) this.event(event);
      } catch (error) {
        if (!this.stream.signal.aborted) this.logger.warn({ err: error }, 'world session ended');
      } finally {
        this.onEnd();
      }
    })();
  }

  /** Messages the client sent: inputs (unreliable) and command lines (reliable). */
  messages(messages: Message[]): void {
    for (const message of messages) {
      if (message.channel === 'unreliable') {
        const input = decodeInput(message.payload);
        if (input instanceof Error) continue;
        const move = { clientTick: input.clientTick, direction: { x: input.dx, y: 0, z: input.dz }, yaw: input.yaw, jump: input.jump };
        void this.world.submitIntent({ sessionId: this.worldSessionId, command: '', accessToken: '', move }).catch(() => undefined);
        continue;
      }
      const event = decodeEvent<ClientEvent>(message.payload);
      if (event?.t === 'cmd' && typeof event.line === 'string') {
        void this.world.submitIntent({ sessionId: this.worldSessionId, command: event.line.slice(0, 4096), accessToken: '' }).catch(() => undefined);
      }
    }
  }

  close(): void {
    this.stream.abort();
    void this.world.closeSession({ sessionId: this.worldSessionId, reason: 'has left the world.' }).catch(() => undefined);
  }

  private send(event: ServerEvent): void {
    // A full reliable window means the client stopped reading: the session ends (the for-await loop catches).
    this.session.endpoint.send('reliable', encodeEvent(event));
  }

  private event(event: WorldEvent): void {
    const data = event.data as Record<string, unknown> | undefined;
    switch (event.kind) {
      case 'snapshot':
        return this.snapshot(data as unknown as SnapshotData);
      case 'room':
        return this.send({ t: 'room', id: Number(data?.num ?? 0), name: String(data?.name ?? ''), size: (data?.size as [number, number, number]) ?? [20, 4, 20], doorways: (data?.doorways as never[]) ?? [] });
      case 'chat':
        return this.send({ t: 'chat', channel: String(data?.channel ?? ''), talker: String(data?.talker ?? ''), text: String(data?.text ?? '') });
      case 'disconnect':
        this.send({ t: 'bye', text: plain(event.text) });
        return;
      case 'text':
        return this.send({ t: 'text', text: plain(event.text) });
    }
  }

  private snapshot(data: SnapshotData): void {
    const entities: EntityState[] = [];
    for (const e of data.entities) {
      const described = `${e.name}\u0000${e.model ?? ''}\u0000${e.texture ?? ''}`;
      if (this.named.get(e.id) !== described) {
        this.named.set(e.id, described);
        this.send({ t: 'entity', id: e.id, name: e.name, kind: e.kind, ...(e.model ? { model: e.model } : {}), ...(e.texture ? { texture: e.texture } : {}) });
      }
      const flags = (e.embodied ? EntityFlag.Embodied : 0) | (e.kind === 'player' ? EntityFlag.Player : EntityFlag.Thing);
      entities.push({ id: e.id, x: quantizePosition(e.x), y: quantizePosition(e.y), z: quantizePosition(e.z), yaw: quantizeYaw(e.yaw), flags });
    }
    entities.sort((a, b) => a.id - b.id);
    const baseline = this.history.baselineFor(this.session.endpoint.ackedTag, data.tick);
    const me = data.entities.find((e) => e.name === this.session.username)?.id ?? 0;
    let sent: EntityState[] = entities;
    const message = fitSnapshot(entities, me, (kept) => {
      sent = kept;
      return encodeSnapshotMessage(data.roomId, data.ackedClientTick, encodeDelta({ tick: data.tick, entities: kept }, baseline));
    });
    // The history holds what was sent, so the next delta is against what the client really has.
    this.history.add({ tick: data.tick, entities: sent });
    this.session.endpoint.send('unreliable', message, data.tick);
  }
}
