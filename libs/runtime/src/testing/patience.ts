// How long a test waits for something that should happen. Tests wait for the event itself, never for a
// duration, so a fast machine never waits this long; the deadline only turns a hang into a failure
// with a message. It is generous (ten times the slowest wait seen on a busy 2-core machine) so that a
// slow or loaded machine passes too; LOOM_TEST_PATIENCE_MS changes it.
export const patienceMs = Number(process.env.LOOM_TEST_PATIENCE_MS) || 60_000;

/**
 * Polls `find` (which may be async) until it returns something (not undefined, not false) and resolves with it; rejects after
 * `timeoutMs` with what was awaited and, from `context`, what was seen instead.
 */
export async function eventually<T>(find: () => T | undefined | false | Promise<T | undefined | false>, what: string, context: () => string = () => '', timeoutMs = patienceMs): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms${context() ? `; ${context()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
