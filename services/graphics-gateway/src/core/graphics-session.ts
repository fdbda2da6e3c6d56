// One 3D player: its protocol session on one side, its world-state session on the other. World events
// become reliable JSON events and delta-compressed snapshots; inputs and command lines become intents.
import { randomUUID } from 'node:crypto';
import { dispatchWorldEvent, EntityKind, Gateway, type EntityInfo, type RoomInfo, type Snapshot, type WorldEvent, type WorldEventHandlers } from '@loom/proto';
import { NotFoundError, playerSentence, SessionStream, UnavailableError, worldAwayLines, type Logger, type ServiceClient } from '@loom/runtime';
import {
  EntityFlag, SnapshotHistory, decodeEvent, decodeInput, encodeDelta, encodeEvent, encodeSnapshotMessage,
  quantizePosition, quantizeYaw, type ClientEvent, type EntityState, type Message, type ServerEvent,
} from '@loom/netcode';
import { renderMarkup } from '@loom/world';
import type { Session } from '../protocol/session.ts';
import { fitSnapshot } from './fit-snapshot.ts';

// Markup ({r}...{x}) is for text clients; a 3D client's text pane gets it stripped.
const plain = (markup: string) => renderMarkup(markup, false);

export class GraphicsSession {
  readonly worldSessionId = randomUUID();
  private readonly history = new SnapshotHistory();
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
      // A WebSocket peer is named by its socket; its network address is its `host`.
      request: { sessionId: this.worldSessionId, gateway: this.session.peer.host === undefined ? Gateway.GATEWAY_UDP : Gateway.GATEWAY_WEBSOCKET_GRAPHICS, clientAddress },
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

  /** A world event as a 3D client gets it (docs/protocol.md, "Game messages"); vitals and settings are for text clients. */
  private event(event: WorldEvent): void {
    dispatchWorldEvent(event, this.handlers);
  }

  private readonly handlers: WorldEventHandlers = {
    snapshot: (snapshot) => this.snapshot(snapshot),
    entity: (entity) => this.send(entityEvent(entity)),
    room: (room) => this.send(roomEvent(room)),
    chat: (chat) => this.send({ t: 'chat', channel: chat.channel, talker: chat.senderName, text: chat.text }),
    text: (text) => this.send({ t: 'text', text: plain(text.markup) }),
    disconnect: (bye) => this.send({ t: 'bye', text: plain(bye.markup) }),
    // For text clients.
    vitals: null,
    settings: null,
  };

  private snapshot(world: Snapshot): void {
    if (world.tick + this.tickOffset <= this.lastTick) this.tickOffset = this.lastTick + 1 - world.tick;
    const tick = world.tick + this.tickOffset;
    this.lastTick = tick;
    const entities: EntityState[] = world.entities.map((e) => ({
      id: e.id,
      x: quantizePosition(e.position?.x ?? 0),
      y: quantizePosition(e.position?.y ?? 0),
      z: quantizePosition(e.position?.z ?? 0),
      yaw: quantizeYaw(e.yaw),
      flags: (e.embodied ? EntityFlag.Embodied : 0) | (e.kind === EntityKind.ENTITY_KIND_PLAYER ? EntityFlag.Player : EntityFlag.Thing),
    }));
    entities.sort((a, b) => a.id - b.id);
    const baseline = this.history.baselineFor(this.session.endpoint.ackedTag, tick);
    const header = { roomId: world.roomId, ackedClientTick: world.ackedClientTick, viewerEntityId: world.viewerEntityId };
    let sent: EntityState[] = entities;
    const message = fitSnapshot(entities, world.viewerEntityId, (kept) => {
      sent = kept;
      return encodeSnapshotMessage(header, encodeDelta({ tick, entities: kept }, baseline));
    });
    // The history holds what was sent, so the next delta is against what the client really has.
    this.history.add({ tick, entities: sent });
    this.session.endpoint.send('unreliable', message, tick);
  }
}

function entityEvent(entity: EntityInfo): ServerEvent {
  const kind = entity.kind === EntityKind.ENTITY_KIND_PLAYER ? 'player' : 'thing';
  return { t: 'entity', id: entity.id, name: entity.name, kind, ...(entity.model ? { model: entity.model } : {}), ...(entity.texture ? { texture: entity.texture } : {}) };
}

function roomEvent(room: RoomInfo): ServerEvent {
  const size = room.size ?? { x: 20, y: 4, z: 20 };
  return {
    t: 'room',
    id: room.id,
    name: room.name,
    size: [size.x, size.y, size.z],
    doorways: room.exits.flatMap((exit) => (exit.doorway ? [{ ...exit.doorway, exit: exit.name }] : [])),
  };
}
