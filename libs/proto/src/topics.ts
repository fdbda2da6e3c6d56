// What travels on the bus and the job queue, declared once with its message type: publishers and
// subscribers (and enqueuers and consumers) name these, never a string, and the bus and the queue
// carry each as its encoded protobuf.
import { ChatLine } from './gen/loom/v1/common.js';
import { ScriptJob, ScriptOutcome } from './gen/loom/v1/script.js';

/** How one message type becomes bytes and back: any message the proto generator made. */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** A bus topic (fire-and-forget, every subscriber) or a job queue (each job to one consumer), and what it carries. */
export interface Route<T> {
  readonly name: string;
  readonly codec: MessageCodec<T>;
}

const route = <T>(name: string, codec: MessageCodec<T>): Route<T> => ({ name, codec });

export const topics = {
  /** A line said on a chat channel, from chat-service to world-state. */
  chatLine: route('chat.message', ChatLine),
  /** A script run's outcome, from script-executor to world-state. */
  scriptOutcome: route('script.outcome', ScriptOutcome),
};

export const jobQueues = {
  /** Script runs, from world-state to script-executor. */
  scriptRun: route('script.run', ScriptJob),
};
