// Typed errors shared by every service. The gRPC layer maps them to status codes and back,
// so a caller sees the same class whether the callee ran in-process or in another process.
import { Status } from 'nice-grpc-common';

export class LoomError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidArgumentError extends LoomError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
export class NotFoundError extends LoomError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}
export class AlreadyExistsError extends LoomError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
  }
}
export class PermissionDeniedError extends LoomError {
  constructor(message: string) {
    super('PERMISSION_DENIED', message);
  }
}
export class UnauthenticatedError extends LoomError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}
export class ResourceExhaustedError extends LoomError {
  constructor(message: string) {
    super('RESOURCE_EXHAUSTED', message);
  }
}
export class FailedPreconditionError extends LoomError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message);
  }
}
export class UnavailableError extends LoomError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}
export class DeadlineExceededError extends LoomError {
  constructor(message: string) {
    super('DEADLINE_EXCEEDED', message);
  }
}
export class UnimplementedError extends LoomError {
  constructor(message: string) {
    super('UNIMPLEMENTED', message);
  }
}
export class CancelledError extends LoomError {
  constructor(message: string) {
    super('CANCELLED', message);
  }
}
export class InternalError extends LoomError {
  constructor(message: string) {
    super('INTERNAL', message);
  }
}

const byCode = {
  INVALID_ARGUMENT: [Status.INVALID_ARGUMENT, InvalidArgumentError],
  NOT_FOUND: [Status.NOT_FOUND, NotFoundError],
  ALREADY_EXISTS: [Status.ALREADY_EXISTS, AlreadyExistsError],
  PERMISSION_DENIED: [Status.PERMISSION_DENIED, PermissionDeniedError],
  UNAUTHENTICATED: [Status.UNAUTHENTICATED, UnauthenticatedError],
  RESOURCE_EXHAUSTED: [Status.RESOURCE_EXHAUSTED, ResourceExhaustedError],
  FAILED_PRECONDITION: [Status.FAILED_PRECONDITION, FailedPreconditionError],
  UNAVAILABLE: [Status.UNAVAILABLE, UnavailableError],
  DEADLINE_EXCEEDED: [Status.DEADLINE_EXCEEDED, DeadlineExceededError],
  UNIMPLEMENTED: [Status.UNIMPLEMENTED, UnimplementedError],
  CANCELLED: [Status.CANCELLED, CancelledError],
  INTERNAL: [Status.INTERNAL, InternalError],
} as const;

export type ErrorCode = keyof typeof byCode;

export function statusOf(error: LoomError): Status {
  return byCode[error.code][0];
}

/** The typed error for a gRPC status; unknown statuses become InternalError. */
export function errorFromStatus(status: Status, message: string): LoomError {
  for (const [, [s, ErrorClass]] of Object.entries(byCode)) {
    if (s === status) return new ErrorClass(message);
  }
  return new InternalError(message);
}

/** The HTTP status of each code, for every JSON API of Loom (http-api, asset routes). */
export const httpStatusOf: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 412,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** Codes whose messages are written for players: a refusal and its reason ("That name is taken."). */
const toldToPlayers: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
]);

/** What a player reads of an error: its own words for a refusal; one plain sentence for transport and internal trouble, whose detail stays in the log. */
export function playerSentence(error: unknown, trouble = 'The world could not answer that just now; try again in a moment.'): string {
  return error instanceof LoomError && toldToPlayers.has(error.code) ? error.message : trouble;
}
