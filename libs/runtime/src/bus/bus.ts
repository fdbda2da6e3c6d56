import type { Route } from '@loom/proto';

/** A message as a bus backend carries it: bytes (an encoded protobuf message), whatever the backend. */
export interface BusMessage {
  topic: string;
  payload: Uint8Array;
  /** Trace context and other metadata, carried across processes. */
  headers: Record<string, string>;
}

export type BusHandler = (message: BusMessage) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

/** What a bus backend does (MemoryBus, RedisBus): every subscriber of a topic gets each message's bytes. */
export interface ByteBus {
  readonly kind: 'memory' | 'redis';
  publish(topic: string, payload: Uint8Array, headers?: Record<string, string>): Promise<void>;
  /** `pattern` is a topic, or a prefix ending in `*` (`chat.*`). A handler that throws is logged, not retried. */
  subscribe(pattern: string, handler: BusHandler): Promise<Subscription>;
  /** Resolves when the backing server answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Fire-and-forget events on the topics of libs/proto's registry (`topics.chatLine`, ...), each carried encoded. */
export interface Bus {
  readonly kind: ByteBus['kind'];
  publish<T>(topic: Route<T>, message: T, headers?: Record<string, string>): Promise<void>;
  /** A message that does not decode as the topic's type is logged as the handler's failure. */
  subscribe<T>(topic: Route<T>, handler: (message: T, headers: Record<string, string>) => void | Promise<void>): Promise<Subscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The bus services use, over a backend: messages are encoded and decoded here, by their topic's codec. */
export function typedBus(bytes: ByteBus): Bus {
  return {
    kind: bytes.kind,
    publish: (topic, message, headers) => bytes.publish(topic.name, topic.codec.encode(message).finish(), headers),
    subscribe: (topic, handler) => bytes.subscribe(topic.name, (message) => handler(topic.codec.decode(message.payload), message.headers)),
    ping: () => bytes.ping(),
    close: () => bytes.close(),
  };
}
