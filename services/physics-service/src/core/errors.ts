// The physics core's one error type. It crosses the worker boundary as {code, message} (structured
// clone drops classes), and the API layer maps the code to the runtime's typed errors.
export type PhysicsErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'UNAVAILABLE' | 'INTERNAL';

export class PhysicsError extends Error {
  constructor(
    readonly code: PhysicsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PhysicsError';
  }
}
