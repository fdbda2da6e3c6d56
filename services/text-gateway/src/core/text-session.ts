// One text player's connection: the login dialog, then lines to world-state and its events back, rendered.
import { randomUUID } from 'node:crypto';
import { dispatchWorldEvent, Gateway, type ChatLine, type WorldEvent, type WorldEventHandlers } from '@loom/proto';
import { LoomError, NotFoundError, playerSentence, SessionStream, UnauthenticatedError, UnavailableError, worldAwayLines, type Logger, type ServiceClient } from '@loom/runtime';
import { escapeMarkup } from '../text/ansi.ts';
import { renderedLine } from '../text/rendered.ts';
import type { TextConnection } from './connection.ts';
import { channelTextPackage, roomInfoPackage, vitalsPackage } from './gmcp-packages.ts';
import { LoginDialog, loginHelp } from './login-dialog.ts';
import { isSay, unmeteredText, type TextMeter } from './text-meter.ts';

export interface SessionOptions {
  auth: ServiceClient<'auth-service'>;
  world: ServiceClient<'world-state'>;
  logger: Logger;
  worldName: string;
  idleTimeoutMs: number;
  /** How long the login prompt waits (a connection that never logs in holds a slot for nothing). */
  loginTimeoutMs?: number;
  /** Lines accepted per flood window; more are dropped with a warning. */
  floodLines?: number;
  floodWindowMs?: number;
  maxLoginFailures?: number;
  /** Told of each goodbye to the world as it is sent (a draining gateway waits for them). */
  onLeave?: (told: Promise<void>) => void;
  meter?: TextMeter;
}

const promptText = '> ';
const awayLine = `{y}${worldAwayLines.retry}{x}`;

export class TextSession {
  private readonly dialog = new LoginDialog();
  private state: 'login' | 'playing' | 'closed' = 'login';
  private colour = true;
  private sessionId = '';
  private refreshToken = '';
  /** The newest access token (refreshed while the player stays); a reattached stream carries it. */
  private accessToken = '';
  private freshAccessToken = '';
  private stream?: SessionStream;
  private commands: Promise<void> = Promise.resolve();
  private loginFailures = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private loginTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private floodWindowStart = 0;
  private floodCount = 0;
  private promptQueued = false;
  /** When the oldest say not yet echoed was read (performance.now()), for the say latency metric. */
  private sayReadAt: number | undefined;

  constructor(
    private readonly connection: TextConnection,
    private readonly options: SessionOptions,
  ) {}

  start(): void {
    this.show(`{c}{B}Welcome to ${this.options.worldName}!{x}\nA world built by the people who play in it.\n\n${loginHelp}`);
    this.resetIdle();
    const loginTimeoutMs = this.options.loginTimeoutMs ?? 60_000;
    this.loginTimer = setTimeout(() => this.state === 'login' && this.close(`Nobody logged in for ${duration(loginTimeoutMs)}. Goodbye!`), loginTimeoutMs);
    this.loginTimer.unref();
    this.connection.prompt(promptText);
  }

  line(text: string): void {
    if (this.state === 'closed') return;
    this.resetIdle();
    if (this.flooding()) return;
    if (this.state === 'login') {
      this.commands = this.commands.then(() => this.login(text));
      return;
    }
    if (this.stream?.away) {
      this.show(awayLine);
      return this.queuePrompt();
    }
    if (this.sayReadAt === undefined && isSay(text)) this.sayReadAt = performance.now();
    const accessToken = this.freshAccessToken;
    this.freshAccessToken = '';
    this.commands = this.commands.then(() =>
      this.options.world.submitIntent({ sessionId: this.sessionId, command: text, accessToken }).then(
        () => this.queuePrompt(),
        (error: unknown) => this.commandFailed(error),
      ),
    );
  }

  /** GMCP from the client: Core.Hello names it (for the logs); the rest needs no answer yet. */
  gmcp(packageName: string, data: unknown): void {
    if (packageName.toLowerCase() !== 'core.hello') return;
    const hello = data as { client?: unknown; version?: unknown } | undefined;
    this.options.logger.info({ client: String(hello?.client ?? '?').slice(0, 40), version: String(hello?.version ?? '').slice(0, 20) }, 'MUD client said hello');
  }

  lineTooLong(): void {
    this.show('{r}That line was too long and was ignored.{x}');
  }

  /** The connection is gone: leave the world, stop the timers. */
  closed(): void {
    if (this.state === 'closed') return;
    const wasPlaying = this.state === 'playing';
    this.stop();
    if (wasPlaying) this.options.onLeave?.(this.options.world.closeSession({ sessionId: this.sessionId, reason: 'has left the world.' }).then(() => undefined, () => undefined));
  }

  /** A browser that logged in through the REST API hands its tokens over instead of typing a password. */
  loginWithToken(accessToken: string, refreshToken: string): void {
    if (this.state !== 'login') return;
    this.enter(accessToken, refreshToken, refreshToken ? 600 : 0);
  }

  private async login(line: string): Promise<void> {
    if (this.state !== 'login') return;
    // The client echoed nothing of a hidden line, not even its Enter.
    if (this.dialog.expectsPassword) this.connection.write('\n');
    const step = this.dialog.next(line);
    this.connection.setPasswordMode(this.dialog.expectsPassword);
    switch (step.action) {
      case 'quit':
        return this.close('Goodbye!');
      case 'say':
        this.show(step.text);
        return this.connection.prompt(promptText);
      case 'ask-password':
        return this.connection.prompt(step.prompt);
    }
    try {
      const credentials = { username: step.username, password: step.password };
      const result =
        step.action === 'login'
          ? await this.options.auth.login({ ...credentials, clientAddress: this.connection.remoteAddress })
          : await this.options.auth.register({ ...credentials, email: '', clientAddress: this.connection.remoteAddress });
      this.enter(result.accessToken, result.refreshToken, result.expiresIn);
    } catch (error) {
      if (!(error instanceof LoomError)) throw error;
      this.show(`{r}${escapeMarkup(this.told(error, 'login failed'))}{x}`);
      if (++this.loginFailures >= (this.options.maxLoginFailures ?? 3)) return this.close('Too many failed attempts. Goodbye.');
      this.connection.prompt(promptText);
    }
  }

  private get meter(): TextMeter {
    return this.options.meter ?? unmeteredText;
  }

  private enter(accessToken: string, refreshToken: string, expiresInS: number): void {
    this.state = 'playing';
    this.meter.playing(this.connection.protocol, 1);
    clearTimeout(this.loginTimer);
    this.sessionId = randomUUID();
    this.accessToken = accessToken;
    this.refreshToken = refreshToken;
    if (refreshToken) this.scheduleRefresh(expiresInS);
    this.stream = new SessionStream({
      world: this.options.world,
      request: {
        sessionId: this.sessionId,
        gateway: this.connection.protocol === 'telnet' ? Gateway.GATEWAY_TELNET : Gateway.GATEWAY_WEBSOCKET_TEXT,
        clientAddress: this.connection.remoteAddress,
      },
      accessToken: () => this.accessToken,
      handlers: {
        event: (event) => this.event(event),
        away: () => {
          this.options.logger.warn({ sessionId: this.sessionId }, 'world-state is away; holding the player');
          this.show(`{y}${worldAwayLines.away}{x}`);
          this.queuePrompt();
        },
        back: () => {
          this.show(`{g}${worldAwayLines.back}{x}`);
          this.queuePrompt();
        },
        ended: (error, attached) => {
          if (this.state !== 'playing' || error === undefined) return;
          if (!attached && error instanceof UnauthenticatedError) return this.refused(error);
          if (error instanceof UnauthenticatedError) return this.close('Your login has expired. Please connect again.');
          this.close(`{r}${escapeMarkup(playerSentence(error, 'The world ended this session.'))}{x}`);
        },
      },
    });
    this.stream.start();
  }

  /** A command the world did not take. The world not knowing the session (it restarted) means: reattach. */
  private commandFailed(error: unknown): void {
    if (this.state !== 'playing') return;
    if (error instanceof NotFoundError || error instanceof UnavailableError) {
      this.stream?.reattach();
      this.show(awayLine);
      return this.queuePrompt();
    }
    this.fail(error, 'The world did not take that command');
  }

  /** The world did not take the tokens (a browser's stale or forged token): back to the login screen. */
  private refused(error: UnauthenticatedError): void {
    this.stream?.close();
    this.stream = undefined;
    this.state = 'login';
    this.meter.playing(this.connection.protocol, -1);
    this.sessionId = '';
    this.refreshToken = '';
    clearTimeout(this.refreshTimer);
    this.show(`{r}That login did not work: ${error.message}. Log in again.{x}\n${loginHelp}`);
    this.connection.prompt(promptText);
  }

  /** A world event as a text player gets it: ANSI text, and GMCP for MUD clients. */
  private event(event: WorldEvent): void {
    dispatchWorldEvent(event, this.handlers);
  }

  private readonly handlers: WorldEventHandlers = {
    settings: (settings) => (this.colour = settings.colour),
    room: (room) => this.connection.sendGmcp('Room.Info', roomInfoPackage(room)),
    vitals: (vitals) => this.connection.sendGmcp('Char.Vitals', vitalsPackage(vitals)),
    chat: (chat) => {
      this.connection.sendGmcp('Comm.Channel.Text', channelTextPackage(chat));
      this.read(chatMarkup(chat));
    },
    text: (text) => this.read(text.markup),
    disconnect: (bye) => {
      // The world ended the session itself (taken over, booted, shutting down): nothing to close there,
      // but the idle and token refresh timers must stop, or the refresh would go on for a player long gone.
      this.stop();
      this.connection.close(this.rendered(bye.markup));
    },
    // 3D players' business.
    entity: null,
    snapshot: null,
  };

  /** A line the player reads, then the prompt. */
  private read(markup: string): void {
    if (!markup) return;
    if (this.sayReadAt !== undefined) {
      this.meter.sayEchoed((performance.now() - this.sayReadAt) / 1000);
      this.sayReadAt = undefined;
    }
    this.show(markup);
    this.queuePrompt();
  }

  private rendered(markup: string): string {
    return renderedLine(markup, this.colour, this.connection.width);
  }

  private show(markup: string): void {
    this.connection.write(this.rendered(markup));
  }

  /** One prompt after a burst of output, not one per line. */
  private queuePrompt(): void {
    if (this.promptQueued) return;
    this.promptQueued = true;
    setImmediate(() => {
      this.promptQueued = false;
      if (this.state !== 'closed') this.connection.prompt(promptText);
    });
  }

  /** What the player reads of an error; detail the player is not shown goes to the log. */
  private told(error: LoomError, what: string): string {
    const sentence = playerSentence(error);
    if (sentence !== error.message) this.options.logger.warn({ err: error }, what);
    return sentence;
  }

  private fail(error: unknown, what: string): void {
    if (error instanceof NotFoundError && this.state === 'playing') return this.close('Your session has ended.');
    if (error instanceof LoomError) {
      this.show(`{r}${what}: ${escapeMarkup(this.told(error, what))}{x}`);
      return this.queuePrompt();
    }
    this.options.logger.error({ err: error }, what);
    this.close(`${what}. Please connect again in a moment.`);
  }

  /** Ends this session's side of things: no more lines, timers or world events. */
  private stop(): void {
    if (this.state === 'playing') this.meter.playing(this.connection.protocol, -1);
    this.state = 'closed';
    clearTimeout(this.idleTimer);
    clearTimeout(this.loginTimer);
    clearTimeout(this.refreshTimer);
    this.stream?.close();
  }

  private close(message?: string): void {
    const wasPlaying = this.state === 'playing';
    this.closed();
    if (wasPlaying && !message) message = 'Goodbye!';
    this.connection.close(message === undefined ? undefined : this.rendered(message));
  }

  private flooding(): boolean {
    const now = Date.now();
    const windowMs = this.options.floodWindowMs ?? 2000;
    if (now - this.floodWindowStart > windowMs) {
      this.floodWindowStart = now;
      this.floodCount = 0;
    }
    this.floodCount++;
    const limit = this.options.floodLines ?? 20;
    if (this.floodCount === limit + 1) this.show('{r}You are sending commands too fast; the last ones were ignored. Slow down a little.{x}');
    return this.floodCount > limit;
  }

  private resetIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(`You have been idle for ${duration(this.options.idleTimeoutMs)}. Goodbye!`), this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  /** Keeps a fresh access token for calls made on the player's behalf (@password) while the player stays. */
  private scheduleRefresh(expiresInS: number): void {
    const inMs = Math.max(10, expiresInS - 60) * 1000;
    this.refreshTimer = setTimeout(async () => {
      try {
        const result = await this.options.auth.refresh({ refreshToken: this.refreshToken });
        this.refreshToken = result.refreshToken;
        this.accessToken = result.accessToken;
        this.freshAccessToken = result.accessToken;
        this.scheduleRefresh(result.expiresIn);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'token refresh failed; the session goes on until it is closed');
      }
    }, inMs);
    this.refreshTimer.unref();
  }
}

/** A channel line as a text player reads it: the channel in colour, what was said as typed (never obeyed as markup). */
function chatMarkup(line: ChatLine): string {
  return `{c}[${line.channel}]{x} ${escapeMarkup(line.senderName)}: ${escapeMarkup(line.text)}`;
}

/** "1 minute", "60 minutes", "90 seconds": LOOM_IDLE_TIMEOUT is in seconds and need not be whole minutes. */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [amount, unit] = seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
