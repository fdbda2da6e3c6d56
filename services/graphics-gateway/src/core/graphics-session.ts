// One 3D player: its protocol session on one side, its world-state session on the other. World events
// become reliable JSON events and delta-compressed snapshots; inputs and command lines become intents.
import { randomUUID } from 'node:crypto';
import type { WorldEvent } from '@loom/proto';
import { NotFoundError, playerSentence, SessionStream, UnavailableError, worldAwayLines, type Logger, type ServiceClient } from '@loom/runtime';
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
  private stream?: SessionStream;
  /**
   * Added to world ticks so that the ticks a client sees only grow: a world-state that restarted counts
   * from 0 again, and a client drops snapshots older than the newest it has.
   */
  private tickOffset = 0;
  private lastTick = -1;

  constructor(
    private readonly session: Session,
    private readonly world: ServiceClient<'world-state'>,
    private readonly logger: Logger,
    private readonly onEnd: () => void,
  ) {}

  /** Opens the world session and forwards its events until either side ends (reattaching through restarts). */
  start(accessToken: string, clientAddress: string): void {
    this.stream = new SessionStream({
      world: this.world,
      request: { sessionId: this.worldSessionId, gateway: 'udp', clientAddress },
      accessToken: () => accessToken,
      handlers: {
        event: (event) => this.event(event),
        away: () => this.send({ t: 'text', text: worldAwayLines.away }),
        back: () => this.send({ t: 'text', text: worldAwayLines.back }),
        ended: (error) => {
          if (error !== undefined) {
            this.logger.warn({ err: error }, 'world session ended');
            this.send({ t: 'bye', text: playerSentence(error, 'The world ended this session.') });
          }
          this.onEnd();
        },
      },
    });
    this.stream.start();
  }

  /** An intent the world did not take because it does not know the session (it restarted): reattach. */
  private intentFailed = (error: unknown): void => {
    if (error instanceof NotFoundError || error instanceof UnavailableError) this.stream?.reattach();
  };

  /** Messages the client sent: inputs (unreliable) and command lines (reliable). */
  messages(messages: Message[]): void {
    for (const message of messages) {
      if (message.channel === 'unreliable') {
        const input = decodeInput(message.payload);
        if (input instanceof Error) continue;
        const move = { clientTick: input.clientTick, direction: { x: input.dx, y: 0, z: input.dz }, yaw: input.yaw, jump: input.jump };
        if (!this.stream?.away) void this.world.submitIntent({ sessionId: this.worldSessionId, command: '', accessToken: '', move }).catch(this.intentFailed);
        continue;
      }
      const event = decodeEvent<ClientEvent>(message.payload);
      if (event?.t === 'cmd' && typeof event.line === 'string') {
        if (this.stream?.away) this.send({ t: 'text', text: worldAwayLines.retry });
        else void this.world.submitIntent({ sessionId: this.worldSessionId, command: event.line.slice(0, 4096), accessToken: '' }).catch(this.intentFailed);
      }
    }
  }

  /** Ends the world session; settles once the world has heard it (a draining gateway waits). */
  close(): Promise<void> {
    this.stream?.close();
    return this.world.closeSession({ sessionId: this.worldSessionId, reason: 'has left the world.' }).then(() => undefined, () => undefined);
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

  private snapshot(world: SnapshotData): void {
    if (world.tick + this.tickOffset <= this.lastTick) this.tickOffset = this.lastTick + 1 - world.tick;
    const data = { ...world, tick: world.tick + this.tickOffset };
    this.lastTick = data.tick;
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
