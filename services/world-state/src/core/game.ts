// What commands act on: the world, who is connected, and how things are told to them.
import type { ChannelLock, Vitals, WorldEvent } from '@loom/proto';
import { InvalidArgumentError } from '@loom/runtime/transport/errors.ts';
import { cleanText, escapeMarkup, roleAtLeast, scriptSyntaxError } from '@loom/world';
import type { Scripting } from './scripting/scripting.ts';
import { Components } from './ecs.ts';
import type { LockSubject } from './locks.ts';
import type { WorldObj } from './model.ts';
import type { Session, Sessions } from './sessions.ts';
import type { World } from './world.ts';

export interface ChatLineView {
  senderName: string;
  text: string;
  sentAtMs: number;
}

/** chat-service: moderation, word filter, flood control and history for every kind of talk. */
export interface ChatPort {
  /** Returns the text as it may be shown (filtered); throws a LoomError the player reads when refused. */
  post(channel: string, sender: WorldObj, text: string): Promise<string>;
  /** Throws when the player is banned there; returns the channel's last lines. */
  join(channel: string, player: WorldObj, lines: number): Promise<ChatLineView[]>;
  history(channel: string, limit: number): Promise<ChatLineView[]>;
  moderate(channel: string, targetId: number, action: string, durationS: number, byId: number): Promise<string>;
  /** Sets the channel's join or speech lock to the key (text in the grammar of locks.ts, which world-state judges). */
  lock(channel: string, kind: ChannelLockKind, key: string, byId: number): Promise<void>;
  /** Removes it; false when there was none. */
  unlock(channel: string, kind: ChannelLockKind): Promise<boolean>;
  /** The locks of the channels named. */
  locks(channels: string[]): Promise<ChannelLock[]>;
}

export type ChannelLockKind = 'join' | 'speech';

/** Talk that world-state delivers itself (room, private); other channels come back over the bus. */
export const roomChannel = (roomId: number): string => `room:${roomId}`;
export const privateChannel = (a: number, b: number): string => `private:${Math.min(a, b)}:${Math.max(a, b)}`;
export const isDeliveredDirectly = (channel: string): boolean => channel.startsWith('room:') || channel.startsWith('private:');

/** Account changes made in-world go to auth-service with the session's own access token. */
export interface AccountPort {
  changePassword(accessToken: string, currentPassword: string, newPassword: string): Promise<void>;
}

export interface ScriptVersion {
  event: string;
  version: number;
  source: string;
  authorId: number;
  createdAtMs: number;
  deleted: boolean;
}

/** Script storage (persistence-service): every save is a new version, a deletion too. */
export interface ScriptsPort {
  /** The current (newest, not deleted) version of each event handler of an object. */
  events(objectId: number): Promise<ScriptVersion[]>;
  /** The current version of one handler (NotFoundError when none), or a given version. */
  get(objectId: number, event: string, version?: number): Promise<ScriptVersion>;
  /** Every version of one handler, oldest first. */
  history(objectId: number, event: string): Promise<ScriptVersion[]>;
  /** Stores the source as the handler's next version (deleted = a version that removes it). */
  save(objectId: number, event: string, source: string, authorId: number, deleted?: boolean): Promise<ScriptVersion>;
}

export interface GameOptions {
  worldName: string;
  /** The word filter for what scripts say (channel lines pass chat-service's); none by default. */
  filterWords?: (text: string) => string;
  /** Objects (rooms, exits, things) one builder may own; admins have none. Undefined: no quota. */
  objectQuota?: number;
  chat: ChatPort;
  scripts: ScriptsPort;
  account: AccountPort;
  /** Stops the whole world gracefully (admins' @shutdown). */
  requestShutdown: (reason: string) => void;
  now?: () => number;
}

/** What happens to a player, as world-state says it (the session and the time are added on sending). */
export type Perception = Omit<WorldEvent, 'sessionId' | 'atMs'>;

/** The vitals attributes builders and scripts set, by the field of Vitals each fills. */
const vitalAttributes: Record<keyof Vitals, string> = { hp: 'hp', maxHp: 'maxhp', mp: 'mp', maxMp: 'maxmp', mv: 'mv', maxMv: 'maxmv' };

export class Game {
  readonly now: () => number;
  readonly startedAtMs: number;
  /** Set once scripts can run (the engine wires the sandbox); events are quiet without it. */
  scripting: Scripting | undefined;
  /** Per-tick data of objects (timers, transforms), indexed by kind. */
  readonly components: Components;
  /** Told when a room's physical layout changed (an on_step trigger appeared or went), to rebuild it. */
  onRoomLayoutChanged: ((room: WorldObj) => void) | undefined;
  /** Runs a typed line for the session's player after a delay (@wait); false when too many wait already. Set by the engine. */
  runLater: ((session: Session, delayMs: number, line: string) => boolean) | undefined;

  constructor(
    readonly world: World,
    readonly sessions: Sessions,
    readonly options: GameOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAtMs = this.now();
    this.components = new Components(world);
  }

  get chat(): ChatPort {
    return this.options.chat;
  }

  get scripts(): ScriptsPort {
    return this.options.scripts;
  }

  /** Stores a script version and makes it the handler that runs from now on. */
  async saveScript(objectId: number, event: string, source: string, authorId: number, deleted = false): Promise<ScriptVersion> {
    // A mistake is told when the script is saved, not at its first run.
    const mistake = deleted ? undefined : scriptSyntaxError(source);
    if (mistake) throw new InvalidArgumentError(`that script does not parse, so it was not saved: ${mistake.message} (line ${mistake.line}, column ${mistake.column})`);
    const saved = await this.options.scripts.save(objectId, event, cleanText(source, true), authorId, deleted);
    this.scripting?.handlers.set(objectId, saved);
    const object = this.world.get(objectId);
    const room = object && this.roomAround(object);
    if (event === 'on_step' && room) this.onRoomLayoutChanged?.(room);
    return saved;
  }

  /** While set, what is sent (and what is started) waits here: a script run's output goes out only if its effects are kept. */
  private outbox: Array<() => void> | undefined;

  /**
   * Runs `change` with every event it sends, and every action it defers, held back; they go out if it
   * returns true, and are dropped if it returns false (its changes were undone: nobody may read of, or
   * react to, what did not happen).
   */
  withheld(change: () => boolean): boolean {
    const outer = this.outbox;
    const outbox: Array<() => void> = [];
    this.outbox = outbox;
    let kept: boolean;
    try {
      kept = change();
    } finally {
      this.outbox = outer;
    }
    if (kept) for (const action of outbox) action();
    return kept;
  }

  /** Inside withheld(): keeps `action` until the change is kept, and says so; outside, says no (do it now). */
  deferredIfWithheld(action: () => void): boolean {
    this.outbox?.push(action);
    return this.outbox !== undefined;
  }

  /** Sends an event to the character's session, if it is connected. */
  send(player: WorldObj | number, event: Perception): void {
    if (this.deferredIfWithheld(() => this.send(player, event))) return;
    const session = this.sessions.ofPlayer(typeof player === 'number' ? player : player.id);
    if (!session) return;
    if (!session.events.push({ ...event, sessionId: session.id, atMs: this.now() })) this.sessions.remove(session);
  }

  tell(player: WorldObj | number, text: string): void {
    this.send(player, { text: { markup: text } });
  }

  /** Tells everyone connected in the room, but those in `except`. */
  tellRoom(roomId: number, text: string, except: number[] = []): void {
    for (const player of this.playersIn(roomId)) if (!except.includes(player.id)) this.tell(player, text);
  }

  announce(text: string): void {
    for (const session of this.sessions.all()) this.tell(session.playerId, text);
  }

  sessionOf(player: WorldObj): Session | undefined {
    return this.sessions.ofPlayer(player.id);
  }

  /** Ends a session as the player asked or an admin decided: the gateway prints `text` and closes. */
  disconnect(session: Session, text: string): void {
    this.send(session.playerId, { disconnect: { markup: text } });
    this.sessions.remove(session);
  }

  /** Sends the player's connection preferences (colour) to its gateway. */
  sendSettings(player: WorldObj): void {
    this.send(player, { settings: { colour: player.attributes.colour !== false } });
  }

  /**
   * The character's numeric vitals attributes (hp, maxhp, mp, maxmp, mv, maxmv; set by builders and
   * scripts) for clients' gauges, sent when they change. A character without any sends none.
   */
  sendVitals(player: WorldObj): void {
    const session = this.sessionOf(player);
    if (!session) return;
    const vitals: Vitals = {};
    for (const [field, name] of Object.entries(vitalAttributes) as Array<[keyof Vitals, string]>) {
      const value = player.attributes[name];
      if (typeof value === 'number' && Number.isFinite(value)) vitals[field] = value;
    }
    const sent = JSON.stringify(vitals);
    if (sent === session.lastVitals || (sent === '{}' && session.lastVitals === undefined)) return;
    session.lastVitals = sent;
    this.send(player, { vitals });
  }

  /** Connected characters in a room. */
  playersIn(roomId: number): WorldObj[] {
    return this.world.contentsOf(roomId).filter((o) => o.kind === 'player' && this.sessions.isOnline(o.id));
  }

  room(player: WorldObj): WorldObj | undefined {
    return this.world.get(player.locationId);
  }

  /** The room an object is in, however deep (a thing in a bag in a hand); a room is its own. */
  roomAround(object: WorldObj): WorldObj | undefined {
    let at: WorldObj | undefined = object;
    for (let depth = 0; at && depth < 32; depth++) {
      if (at.kind === 'room') return at;
      at = this.world.get(at.locationId);
    }
    return undefined;
  }

  exitsOf(roomId: number): WorldObj[] {
    return this.world.contentsOf(roomId).filter((o) => o.kind === 'exit');
  }

  /** Things and connected players a viewer sees in a room (sleeping characters are not listed). */
  visibleIn(roomId: number, viewer: WorldObj): WorldObj[] {
    return this.world
      .contentsOf(roomId)
      .filter((o) => o.id !== viewer.id && !o.flags.has('dark') && (o.kind === 'thing' || (o.kind === 'player' && this.sessions.isOnline(o.id))));
  }

  /** Ids are shown to builders and admins, and to owners of what they look at. */
  showsIds(viewer: WorldObj): boolean {
    return roleAtLeast(this.roleOf(viewer), 'builder');
  }

  roleOf(player: WorldObj): string {
    return this.sessionOf(player)?.role ?? 'player';
  }

  /**
   * Why the owner may not own `more` objects beyond those they have (their quota), or undefined if they may.
   * Counts what they own that is not destroyed; characters own themselves and do not count.
   */
  overQuota(owner: WorldObj, more = 1): string | undefined {
    const quota = this.options.objectQuota;
    const role = typeof owner.attributes.role === 'string' ? owner.attributes.role : this.roleOf(owner);
    if (quota === undefined || roleAtLeast(role, 'admin')) return undefined;
    let owned = 0;
    for (const object of this.world.all()) if (object.ownerId === owner.id && object.kind !== 'player' && !object.flags.has('destroyed')) owned++;
    if (owned + more <= quota) return undefined;
    return `${owner.name} owns ${owned} objects, and the quota is ${quota}: @destroy something first, or ask an admin`;
  }

  /** Refuses a thing or room named as a player is: it could pass itself off as them. */
  takenByPlayer(name: string): string | undefined {
    const wanted = name.trim().toLowerCase();
    for (const object of this.world.all()) if (object.kind === 'player' && object.name.toLowerCase() === wanted) return `${object.name} is a player's name; pick another`;
    return undefined;
  }

  /** Who is trying something a lock may guard: the player, their role, what they carry. */
  lockSubject(player: WorldObj, role = this.roleOf(player)): LockSubject {
    return { player, role, carried: this.world.contentsOf(player.id), lookup: (id) => this.world.get(id) };
  }

  /** A player's name as others see it: markup a player typed into it is shown, not obeyed. */
  nameOf(object: WorldObj): string {
    return escapeMarkup(object.name);
  }
}
