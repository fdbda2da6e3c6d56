// A gateway's side of one player's session stream (world-state's OpenSession), kept alive across what
// breaks it without ending the session: a network blip, a world-state restart or failover. The player's
// own connection stays open meanwhile; the stream is reopened with `resume`, and world-state puts the
// player back (with what was queued meanwhile, when it kept the session). Both gateways use it.
import type { OpenSessionRequest, WorldEvent, WorldStatus } from '@loom/proto';
import { Gauge, type Metrics } from '../metrics.ts';
import type { ServiceClient } from './directory.ts';
import { CancelledError, DeadlineExceededError, InternalError, LoomError, UnavailableError } from './errors.ts';

/** What a held player reads, the same from every gateway (each renders it its own way). */
export const worldAwayLines = {
  away: 'The world is away for a moment; you stay connected.',
  back: 'The world is back.',
  /** The answer to a command typed while the world is away. */
  retry: 'The world is away for a moment; you stay connected. Try that again when it is back.',
} as const;

export interface SessionStreamHandlers {
  event(event: WorldEvent): void;
  /** Reattaching failed once: the world is away (the player may be told, once). */
  away(): void;
  /** Events flow again after away(). */
  back(): void;
  /**
   * The session cannot go on: world-state ended it (a `disconnect` event, already passed to event()),
   * or refused it (`error`; `attached` says whether it ever ran).
   */
  ended(error: unknown, attached: boolean): void;
}

export interface SessionStreamOptions {
  world: ServiceClient<'world-state'>;
  request: Omit<OpenSessionRequest, 'resume' | 'accessToken'>;
  /** The newest access token of the player (gateways refresh it). */
  accessToken(): string;
  handlers: SessionStreamHandlers;
  /** First wait between reattach attempts; it doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

/** Errors that say the world (or the way to it) is gone for now, not that this session is over. */
const transient = (error: unknown): boolean =>
  !(error instanceof LoomError) || [UnavailableError, CancelledError, DeadlineExceededError, InternalError].some((kind) => error instanceof kind);

export class SessionStream {
  private readonly abort = new AbortController();
  private attached = false;
  private isAway = false;
  /** Ends the current wait between attempts early. */
  private wakeRetry?: () => void;
  /** Set while a run's stream should be dropped and reopened now (the world lost the session). */
  private restart?: AbortController;

  constructor(private readonly options: SessionStreamOptions) {}

  /** Opens the stream and keeps it open until close() or the session ends. */
  start(): void {
    void this.run();
  }

  /** True while the world is away (the player's lines cannot reach it). */
  get away(): boolean {
    return this.isAway;
  }

  /** The world no longer knows the session (an intent said so): reopen the stream now, resuming. */
  reattach(): void {
    this.restart?.abort();
    this.wakeRetry?.();
  }

  close(): void {
    this.abort.abort();
    this.wakeRetry?.();
  }

  private async run(): Promise<void> {
    let delay = this.options.retryMs ?? 250;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const outcome = await this.once();
      if (outcome === 'over' || this.abort.signal.aborted) return;
      if (outcome === 'flowed') {
        delay = this.options.retryMs ?? 250;
        failures = 0;
        continue; // it broke after working: try again at once
      }
      if (++failures === 1) {
        this.isAway = true;
        this.options.handlers.away();
      }
      await this.wait(delay);
      delay = Math.min(delay * 2, this.options.maxRetryMs ?? 5000);
    }
  }

  /** One stream: 'flowed' if events arrived before it broke, 'failed' if none did, 'over' if the session ended. */
  private async once(): Promise<'flowed' | 'failed' | 'over'> {
    const restart = new AbortController();
    this.restart = restart;
    const signal = AbortSignal.any([this.abort.signal, restart.signal]);
    let flowed = false;
    try {
      const events = this.options.world.openSession({ ...this.options.request, accessToken: this.options.accessToken(), resume: this.attached }, { signal });
      for await (const event of events) {
        if (!flowed) {
          flowed = true;
          this.attached = true;
          if (this.isAway) {
            this.isAway = false;
            this.options.handlers.back();
          }
        }
        this.options.handlers.event(event);
        if (event.disconnect) {
          this.options.handlers.ended(undefined, true);
          return 'over';
        }
      }
    } catch (error) {
      if (this.abort.signal.aborted) return 'over';
      if (!restart.signal.aborted && !transient(error)) {
        this.options.handlers.ended(error, this.attached);
        return 'over';
      }
    }
    // Ended without a goodbye (world-state drained for a restart) or broke: the world is away.
    return flowed ? 'flowed' : 'failed';
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeRetry = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeRetry = wake;
    });
  }
}

export interface WorldWatch {
  /** world-state's last answer to a status call, kept while it is away (undefined before the first). */
  status(): WorldStatus | undefined;
  stop(): void;
}

const upstreamGauge = 'loom_gateway_upstream_up';

/**
 * The operator's view of what the session streams above live through: a gateway asks world-state for
 * its status every `everyMs` and exports loom_gateway_upstream_up{gateway, upstream="world-state"},
 * 1 while the last call answered, 0 while it failed (players held, "the world is away"). Alerts read it.
 */
export function watchWorld(gateway: string, world: ServiceClient<'world-state'>, metrics: Metrics, everyMs = 10_000): WorldWatch {
  // The all-in-one's two gateways share one registry: the second finds the first one's gauge.
  const up =
    (metrics.registry.getSingleMetric(upstreamGauge) as Gauge<'gateway' | 'upstream'> | undefined) ??
    new Gauge({
      registers: [metrics.registry],
      name: upstreamGauge,
      help: 'Whether the gateway\'s last call to the service it depends on answered (1) or failed (0): 0 means its players are held, unable to act.',
      labelNames: ['gateway', 'upstream'],
    });
  const labels = { gateway, upstream: 'world-state' };
  up.set(labels, 0);
  let status: WorldStatus | undefined;
  const ask = () =>
    world.status({}).then(
      (answer) => {
        status = answer;
        up.set(labels, 1);
      },
      () => up.set(labels, 0),
    );
  const timer = setInterval(ask, everyMs);
  timer.unref();
  void ask();
  return { status: () => status, stop: () => clearInterval(timer) };
}
