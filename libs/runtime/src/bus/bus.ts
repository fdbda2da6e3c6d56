/** Fire-and-forget events (`player.entered`, `chat.message`, ...): every subscriber of a topic gets each message. */
export interface BusMessage {
  topic: string;
  payload: unknown;
  /** Trace context and other metadata, carried across processes. */
  headers: Record<string, string>;
}

export type BusHandler = (message: BusMessage) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface Bus {
  readonly kind: 'memory' | 'redis';
  /** Publishes to a topic; payload must be JSON-serialisable. */
  publish(topic: string, payload: unknown, headers?: Record<string, string>): Promise<void>;
  /** `pattern` is a topic, or a prefix ending in `*` (`chat.*`). A handler that throws is logged, not retried. */
  subscribe(pattern: string, handler: BusHandler): Promise<Subscription>;
  /** Resolves when the backing server answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
