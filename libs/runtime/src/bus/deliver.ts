// Shared by both buses so a failing handler is treated the same whatever the backend.
import type { Logger } from '../logger.ts';
import type { BusHandler, BusMessage } from './bus.ts';

export type HandlerErrorReporter = (error: unknown, message: BusMessage) => void;

export function logHandlerError(logger: Logger): HandlerErrorReporter {
  return (error, message) => logger.error({ err: error, topic: message.topic }, 'bus handler failed');
}

/** Reports instead of propagating, so one broken subscriber cannot starve the others. */
export function invokeHandler(handler: BusHandler, message: BusMessage, onError: HandlerErrorReporter): void {
  try {
    Promise.resolve(handler(message)).catch((error: unknown) => onError(error, message));
  } catch (error) {
    onError(error, message);
  }
}
