// Who is connected: one session per character (a second connection takes the first over).
import { Gateway } from '@loom/proto';
import { EventQueue } from './event-queue.ts';

export interface Session {
  id: string;
  playerId: number;
  userId: number;
  username: string;
  role: string;
  gateway: Gateway;
  clientAddress: string;
  /** The newest access token the gateway gave; calls made for the player to auth-service carry it. */
  accessToken: string;
  connectedAtMs: number;
  lastCommandAtMs: number;
  events: EventQueue;
  /** While set, the player's lines go to the script editor (`@script obj/event` until a lone "."). */
  editor?: { objectId: number; event: string; lines: string[] };
  /** The vitals last sent, to send only changes. */
  lastVitals?: string;
}

/** How `who`, the logs and the players-online metric name the gateway a player came through. */
export function gatewayLabel(gateway: Gateway): string {
  switch (gateway) {
    case Gateway.GATEWAY_TELNET:
      return 'telnet';
    case Gateway.GATEWAY_WEBSOCKET_TEXT:
      return 'websocket';
    case Gateway.GATEWAY_UDP:
      return 'udp';
    case Gateway.GATEWAY_WEBSOCKET_GRAPHICS:
      return 'ws-graphics';
    default:
      return 'unknown';
  }
}

/** Gateways whose players have bodies in 3D space. */
export const isGraphic = (gateway: Gateway): boolean => gateway === Gateway.GATEWAY_UDP || gateway === Gateway.GATEWAY_WEBSOCKET_GRAPHICS;

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly byPlayer = new Map<number, Session>();

  /** Adds the session; returns the one it takes over, if the character was already connected. */
  add(session: Session): Session | undefined {
    const previous = this.byPlayer.get(session.playerId);
    if (previous) this.byId.delete(previous.id);
    this.byId.set(session.id, session);
    this.byPlayer.set(session.playerId, session);
    return previous;
  }

  remove(session: Session): void {
    this.byId.delete(session.id);
    if (this.byPlayer.get(session.playerId) === session) this.byPlayer.delete(session.playerId);
    session.events.end();
  }

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  ofPlayer(playerId: number): Session | undefined {
    return this.byPlayer.get(playerId);
  }

  isOnline(playerId: number): boolean {
    return this.byPlayer.has(playerId);
  }

  all(): Session[] {
    return [...this.byPlayer.values()];
  }

  get count(): number {
    return this.byPlayer.size;
  }
}
