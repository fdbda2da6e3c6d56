// world-state's contract: sessions in, events out, commands applied in arrival order, changes written behind.
import type {
  ChatLine, CloseSessionRequest, CloseSessionResponse, Intent, IntentAck, LookRequest, LookResult, ObjectScriptRequest, OpenSessionRequest,
  SaveObjectScriptRequest, Script, ScriptOutcome, ScriptVersions, StatusRequest,
  WorldEvent, WorldStateServiceImplementation, WorldStatus,
} from '@loom/proto';
import { untilAvailable, type Logger, type ServiceClient } from '@loom/runtime';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@loom/runtime/transport/errors.ts';
import { Interpreter } from './commands/interpreter.ts';
import { maxWaitingLines } from './commands/queued.ts';
import { defaultChannels } from './commands/channels.ts';
import { describeRoom } from './describe.ts';
import { EventQueue } from './event-queue.ts';
import { Game, isDeliveredDirectly, type AccountPort, type ChatPort, type ScriptsPort } from './game.ts';
import { Embodiment, type PhysicsPort } from './embodiment.ts';
import { IdPool } from './id-pool.ts';
import { ObjectScripts } from './object-scripts.ts';
import { wordFilter } from '@loom/world';
import { HandlerIndex } from './scripting/handlers.ts';
import { Scripting, type ScriptRunner } from './scripting/scripting.ts';
import { toRecord, type WorldObj } from './model.ts';
import { place, showRoom } from './movement.ts';
import { gatewayLabel, isGraphic, Sessions, type Session } from './sessions.ts';
import { buildStarterWorld } from './starter-world.ts';
import { World } from './world.ts';
import { unmetered, type WorldMeter } from './world-meter.ts';

export interface EngineOptions {
  persistence: ServiceClient<'persistence-service'>;
  auth: ServiceClient<'auth-service'>;
  chat: ChatPort;
  scripts: ScriptsPort;
  /** Where script runs go (the sandbox, through the job queue); outcomes come back through scriptOutcome(). */
  scriptRunner: ScriptRunner;
  runsPerOwnerPerSecond: number;
  /** Where 3D players' bodies move (physics-service). */
  physics: PhysicsPort;
  account: AccountPort;
  logger: Logger;
  worldName: string;
  /** Objects one builder may own (admins have no quota); 0 = no quota. */
  objectQuota: number;
  /** Words (LOOM_CHAT_WORD_FILTER) starred out of what scripts say. */
  filteredWords?: string[];
  tickHz: number;
  /** How long a session whose stream broke waits for its gateway to reattach before the player leaves. */
  sessionGraceMs: number;
  saveIntervalMs: number;
  requestShutdown: (reason: string) => void;
  /** Where tick, command and save figures go (metrics); none by default. */
  meter?: WorldMeter;
}

/** How long past its expiry a resumed session's access token is still taken (a player connected all day). */
const resumeWithinS = 24 * 3600;

/** How long a stopping world waits for script runs it already sent (a run's CPU cap is 500 ms; calls chain). */
const settleRunsMs = 3000;

export class WorldEngine implements WorldStateServiceImplementation {
  readonly world: World;
  readonly game: Game;
  private readonly sessions = new Sessions();
  private readonly interpreter = new Interpreter();
  private readonly ids: IdPool;
  private readonly playerOfUser = new Map<number, number>();
  private tick = 0;
  private readonly objectScripts: ObjectScripts;
  private readonly embodiment: Embodiment;
  private timers: NodeJS.Timeout[] = [];
  /** Sessions whose stream broke, each with the timer that ends it unless its gateway reattaches first. */
  private readonly detached = new Map<string, NodeJS.Timeout>();
  private stopping = false;
  /** Lines waiting to run (@wait), by session. */
  private readonly waits = new Map<string, Set<NodeJS.Timeout>>();
  private saving: Promise<void> = Promise.resolve();
  private readonly meter: WorldMeter;

  constructor(private readonly options: EngineOptions) {
    this.meter = options.meter ?? unmetered;
    this.ids = new IdPool((count) => options.persistence.allocateObjectIds({ count }).then((r) => r.ids));
    this.world = new World(() => this.ids.next());
    this.game = new Game(this.world, this.sessions, { worldName: options.worldName, objectQuota: options.objectQuota || undefined, filterWords: wordFilter(options.filteredWords ?? []), chat: options.chat, scripts: options.scripts, account: options.account, requestShutdown: options.requestShutdown });
    this.objectScripts = new ObjectScripts(this.game, options.auth, (userId) => this.world.get(this.playerOfUser.get(userId) ?? 0));
    this.embodiment = new Embodiment(this.game, options.physics, (error) => options.logger.error({ err: error }, 'physics failed'));
    this.game.onRoomLayoutChanged = (room) => this.embodiment.refresh(room);
    this.game.runLater = (session, delayMs, line) => this.runLater(session, delayMs, line);
  }

  /** @wait: the line runs for the session's player later, if the session is still there; kept in memory only. */
  private runLater(session: Session, delayMs: number, line: string): boolean {
    const timers = this.waits.get(session.id) ?? new Set<NodeJS.Timeout>();
    if (timers.size >= maxWaitingLines) return false;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (timers.size === 0) this.waits.delete(session.id);
      const current = this.sessions.get(session.id);
      const player = current && this.world.get(current.playerId);
      if (!current || !player || this.stopping) return;
      void this.interpreter.run(this.game, current, player, line, (error, verb) => this.options.logger.error({ err: error, verb }, 'a waited command failed'));
    }, delayMs);
    timer.unref();
    timers.add(timer);
    this.waits.set(session.id, timers);
    return true;
  }

  /** Loads every stored object (or builds the starter world), then starts the tick and the write-behind. */
  async start(): Promise<void> {
    let afterId = 0;
    do {
      const page = await untilAvailable('persistence-service', () => this.options.persistence.loadObjects({ afterId, limit: 0 }), { logger: this.options.logger });
      this.world.load(page.objects);
      afterId = page.nextAfterId;
    } while (afterId !== 0);
    this.game.components.indexAll();
    await this.ids.fill();
    if (this.world.size === 0) {
      buildStarterWorld(this.world, this.options.worldName);
      await this.save();
      this.options.logger.info({ objects: this.world.size }, 'built the starter world');
    }
    for (const object of this.world.all()) {
      const userId = object.attributes.userId;
      if (object.kind === 'player' && typeof userId === 'number') this.playerOfUser.set(userId, object.id);
    }
    await this.loadHandlers();
    this.timers.push(setInterval(() => this.onTick(), 1000 / this.options.tickHz));
    this.timers.push(setInterval(() => void this.save(), this.options.saveIntervalMs));
  }

  private async loadHandlers(): Promise<void> {
    const handlers = new HandlerIndex();
    let afterObjectId = 0;
    do {
      const page = await this.options.persistence.listCurrentScripts({ afterObjectId, limit: 0 });
      for (const script of page.scripts) handlers.set(script.objectId, script);
      afterObjectId = page.nextAfterObjectId;
    } while (afterObjectId !== 0);
    this.game.scripting = new Scripting(this.game, handlers, {
      runner: this.options.scriptRunner,
      runsPerOwnerPerSecond: this.options.runsPerOwnerPerSecond,
      onError: (error) => this.options.logger.error({ err: error }, 'a script run could not be started'),
    });
  }

  /** The fixed tick: what scripts asked for is applied, timers fire. Commands never wait for it. */
  private onTick(): void {
    this.tick++;
    const started = performance.now();
    try {
      this.game.scripting?.tick();
      this.embodiment.tick(this.tick, started);
    } catch (error) {
      this.options.logger.error({ err: error }, 'tick failed');
    }
    this.meter.tick((performance.now() - started) / 1000, 1 / this.options.tickHz);
  }

  /** A script run's outcome from the sandbox (through the bus), applied on the next tick. */
  scriptOutcome(outcome: ScriptOutcome): void {
    this.game.scripting?.received(outcome);
  }

  /** Writes what changed since the last save; a failed batch is kept for the next attempt. */
  save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const batch = this.world.takeChanges();
      if (batch.objects.length === 0 && batch.deletedIds.length === 0) return;
      const started = performance.now();
      const changed = batch.objects.length + batch.deletedIds.length;
      try {
        const { rejected } = await this.options.persistence.saveObjects(batch);
        // Text is cleaned where it enters the world, so this is a bug to report, never a reason to stop saving.
        for (const { id, reason } of rejected) this.options.logger.error({ objectId: id, reason }, 'an object could not be stored and was left out of the save');
        this.meter.save((performance.now() - started) / 1000, changed, 'ok');
      } catch (error) {
        this.world.restoreChanges(batch);
        this.meter.save((performance.now() - started) / 1000, changed, 'failed');
        this.options.logger.error({ err: error, pending: this.world.pendingChanges }, 'saving the world failed; will retry');
      }
    });
    return this.saving;
  }

  /**
   * Ends every stream without ending a session: gateways hold their players and reattach them to the
   * world when it is back (a restart), or close them themselves (the all-in-one stops as a whole).
   */
  async drain(): Promise<void> {
    this.stopping = true;
    // No tick: no timer fires and nothing new runs. Runs already sent are waited for (outcomes are applied
    // as they arrive), so what they did is in the final save instead of lost with the process.
    for (const timer of this.timers) clearInterval(timer);
    for (const session of this.sessions.all()) session.events.end();
    await this.game.scripting?.settled(settleRunsMs);
  }

  async stop(): Promise<void> {
    for (const timer of this.detached.values()) clearTimeout(timer);
    for (const timers of this.waits.values()) for (const timer of timers) clearTimeout(timer);
    await this.drain();
    await this.save();
  }

  async *openSession(request: OpenSessionRequest, context: { signal: AbortSignal }): AsyncGenerator<WorldEvent> {
    if (!request.sessionId) throw new InvalidArgumentError('session_id is required');
    if (this.stopping) throw new UnavailableError('the world is restarting');
    // A resumed session may carry a token that expired while the player stayed: the login must still be live.
    const principal = await this.options.auth.verify({ accessToken: request.accessToken, resumeWithinS: request.resume ? resumeWithinS : 0 });
    const waiting = request.resume ? this.sessions.get(request.sessionId) : undefined;
    if (waiting && waiting.userId === principal.userId) {
      // The same session's gateway is back (its stream broke): it gets what was queued meanwhile, after
      // the settings (a first event, so the gateway knows it is attached again).
      waiting.accessToken = request.accessToken;
      const player = this.world.get(waiting.playerId);
      if (player) this.game.sendSettings(player);
      return yield* this.stream(waiting, context.signal);
    }
    const player = await this.characterOf(principal.userId, principal.username);
    const session: Session = {
      id: request.sessionId,
      playerId: player.id,
      userId: principal.userId,
      username: principal.username,
      role: principal.role,
      gateway: request.gateway,
      clientAddress: request.clientAddress,
      accessToken: request.accessToken,
      connectedAtMs: Date.now(),
      lastCommandAtMs: Date.now(),
      events: new EventQueue(),
    };
    const previous = this.sessions.ofPlayer(player.id);
    if (previous) {
      previous.events.push({ sessionId: previous.id, atMs: Date.now(), disconnect: { markup: 'You have connected from elsewhere; this connection is closed.' } });
    }
    this.sessions.add(session);
    previous?.events.end();
    this.enter(session, player, Boolean(previous), request.resume);
    if (isGraphic(request.gateway)) await this.embodiment.join(player);
    else if (previous) await this.embodiment.leave(player);
    yield* this.stream(session, context.signal);
  }

  /** A session's events on one gateway stream, until the stream or the session ends. */
  private async *stream(session: Session, signal: AbortSignal): AsyncGenerator<WorldEvent> {
    clearTimeout(this.detached.get(session.id));
    this.detached.delete(session.id);
    try {
      yield* session.events.read(signal);
    } finally {
      if (this.sessions.get(session.id) === session && !this.stopping) {
        // The stream broke (a gateway restart, a network blip) without a goodbye: the player stays in the
        // world, and what happens meanwhile is queued, for as long as the grace lasts.
        if (signal.aborted && !session.events.isEnded) this.detach(session);
        else this.leave(session, 'has left the world.');
      }
    }
  }

  private detach(session: Session): void {
    const timer = setTimeout(() => {
      this.detached.delete(session.id);
      if (this.sessions.get(session.id) === session) this.leave(session, 'has left the world.');
    }, this.options.sessionGraceMs);
    timer.unref();
    this.detached.set(session.id, timer);
  }

  async submitIntent(request: Intent): Promise<IntentAck> {
    const session = this.sessions.get(request.sessionId);
    if (!session) throw new NotFoundError('this session is not open');
    const player = this.world.get(session.playerId)!;
    session.lastCommandAtMs = Date.now();
    if (request.accessToken) session.accessToken = request.accessToken;
    if (request.move) {
      const { clientTick, direction, yaw, jump } = request.move;
      this.embodiment.input(player, { clientTick, direction: direction ?? { x: 0, y: 0, z: 0 }, yaw, jump });
      if (!request.command) return { serverTick: this.tick, accepted: true, message: '' };
    }
    const started = performance.now();
    const ran = await this.interpreter.run(this.game, session, player, request.command, (error, verb) => this.options.logger.error({ err: error, verb }, 'command failed'));
    this.meter.command(ran, (performance.now() - started) / 1000);
    return { serverTick: this.tick, accepted: true, message: '' };
  }

  async closeSession(request: CloseSessionRequest): Promise<CloseSessionResponse> {
    const session = this.sessions.get(request.sessionId);
    if (!session) return { closed: false };
    this.leave(session, request.reason || 'has left the world.');
    return { closed: true };
  }

  async look(request: LookRequest): Promise<LookResult> {
    const player = this.world.get(request.playerId);
    if (!player || player.kind !== 'player') throw new NotFoundError(`no character #${request.playerId}`);
    const room = this.game.room(player);
    if (!room) throw new NotFoundError('that character is nowhere');
    return {
      object: toRecord(room),
      contents: this.game.visibleIn(room.id, player).map(toRecord),
      exits: this.game.exitsOf(room.id).map(toRecord),
      text: describeRoom(this.game, player, room),
    };
  }

  getObjectScript(request: ObjectScriptRequest): Promise<Script> {
    return this.objectScripts.get(request);
  }

  listObjectScriptVersions(request: ObjectScriptRequest): Promise<ScriptVersions> {
    return this.objectScripts.versions(request);
  }

  saveObjectScript(request: SaveObjectScriptRequest): Promise<Script> {
    return this.objectScripts.save(request);
  }

  deleteObjectScript(request: ObjectScriptRequest): Promise<Script> {
    return this.objectScripts.delete(request);
  }

  /** Players in the world by the gateway kind they came through (`telnet`, `websocket`, `udp`, `ws-graphics`). */
  playersByGateway(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const session of this.sessions.all()) {
      const label = gatewayLabel(session.gateway);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    return counts;
  }

  async status(_request: StatusRequest): Promise<WorldStatus> {
    let rooms = 0;
    for (const object of this.world.all()) if (object.kind === 'room') rooms++;
    return {
      playersOnline: this.sessions.count,
      rooms,
      objects: this.world.size,
      uptimeS: Math.floor((Date.now() - this.game.startedAtMs) / 1000),
      tick: this.tick,
      tickHz: this.options.tickHz,
      worldName: this.options.worldName,
    };
  }

  /** The account's character, made (and saved before anyone is told of it) on first entry. */
  private async characterOf(userId: number, username: string): Promise<WorldObj> {
    const existing = this.world.get(this.playerOfUser.get(userId) ?? 0);
    if (existing) return existing;
    const start = this.world.startRoom();
    const player = this.world.create({
      name: username,
      kind: 'player',
      locationId: start?.id ?? 0,
      description: 'An ordinary-looking person, new to these parts.',
      attributes: { userId, channels: [...defaultChannels] },
    });
    player.ownerId = player.id;
    this.playerOfUser.set(userId, player.id);
    await this.save();
    return player;
  }

  private enter(session: Session, player: WorldObj, tookOver: boolean, resumed: boolean): void {
    const name = this.game.nameOf(player);
    if (player.attributes.role !== session.role) {
      // Scripts act with their owner's rights, also while the owner is away: keep the role with the character.
      player.attributes.role = session.role;
      this.world.touch(player);
    }
    this.game.sendSettings(player);
    this.game.sendVitals(player);
    if (tookOver) {
      this.game.tell(player, 'You take over your character from your other connection.');
      return showRoom(this.game, player);
    }
    // A player the gateway held while the world restarted: back where they stood, no new arrival.
    if (resumed && this.world.get(player.locationId)) return showRoom(this.game, player);
    if (!this.world.get(player.locationId)) {
      const start = this.world.startRoom();
      if (start) this.world.move(player, start.id);
    }
    this.game.tell(player, `Welcome to ${this.options.worldName}, ${name}! Type "help" for the commands.`);
    place(this.game, player, player.locationId, `${name} has entered the world.`);
    this.game.scripting?.fire('on_login', player, { actor: player });
    const room = this.game.room(player);
    if (room) this.game.scripting?.fire('on_login', room, { actor: player });
    // Waking in a room is arriving there: what greets arrivals greets this one too.
    if (room) this.game.scripting?.fireAround('on_enter', room, { actor: player, to: room });
    this.options.logger.info({ event: 'session_opened', userId: session.userId, sessionId: session.id, gateway: gatewayLabel(session.gateway) }, 'player entered');
  }

  private leave(session: Session, what: string): void {
    clearTimeout(this.detached.get(session.id));
    this.detached.delete(session.id);
    const player = this.world.get(session.playerId);
    this.sessions.remove(session);
    if (player) void this.embodiment.leave(player);
    if (player) this.game.tellRoom(player.locationId, `${this.game.nameOf(player)} ${what}`);
    this.options.logger.info({ event: 'session_closed', userId: session.userId, sessionId: session.id }, 'player left');
  }

  /** Delivers a channel line to every connected member (the bus brings lines from any chat-service). */
  deliverChat(line: ChatLine): void {
    if (isDeliveredDirectly(line.channel)) return;
    this.game.scripting?.chatHeard(line.channel, line.text, this.world.get(line.senderId));
    for (const session of this.sessions.all()) {
      const player = this.world.get(session.playerId);
      const channels = player?.attributes.channels;
      if (!player || !Array.isArray(channels) || !channels.includes(line.channel)) continue;
      this.game.send(player, { chat: line });
    }
  }
}
