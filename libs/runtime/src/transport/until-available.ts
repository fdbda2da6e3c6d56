// Services start in any order (loom up, Kubernetes): a service that needs another at start waits for it.
import type { Logger } from '../logger.ts';
import { DeadlineExceededError, UnavailableError } from './errors.ts';

export async function untilAvailable<T>(what: string, call: () => Promise<T>, options: { logger: Logger; timeoutMs?: number }): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let delayMs = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const transient = error instanceof UnavailableError || error instanceof DeadlineExceededError;
      if (!transient || Date.now() + delayMs > deadline) throw error;
      if (attempt === 1) options.logger.info({ waitingFor: what }, `waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 3000);
    }
  }
}
