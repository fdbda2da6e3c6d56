// loom.v1.PhysicsService over the physics thread: each method forwards, and core errors become the
// runtime's typed errors (the same status in-process and over gRPC).
import { InternalError, InvalidArgumentError, NotFoundError, UnavailableError, type Implementation } from '@loom/runtime';
import { PhysicsError } from '../core/errors.ts';
import type { PhysicsThread } from '../core/physics-thread.ts';

function typed(error: unknown): unknown {
  if (!(error instanceof PhysicsError)) return error;
  if (error.code === 'INVALID_ARGUMENT') return new InvalidArgumentError(error.message);
  if (error.code === 'NOT_FOUND') return new NotFoundError(error.message);
  if (error.code === 'UNAVAILABLE') return new UnavailableError(error.message);
  return new InternalError(error.message);
}

async function answer<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw typed(error);
  }
}

export function physicsApi(thread: PhysicsThread): Implementation<'physics-service'> {
  const done = async (work: Promise<void>) => {
    await answer(work);
    return {};
  };
  return {
    step: (request) => answer(thread.step(request)),
    setRegion: (spec) => done(thread.call('setRegion', spec)),
    removeRegion: (ref) => done(thread.call('removeRegion', ref)),
    addCharacter: (request) => done(thread.call('addCharacter', request)),
    removeCharacter: (ref) => done(thread.call('removeCharacter', ref)),
    addBody: (request) => done(thread.call('addBody', request)),
    removeBody: (ref) => done(thread.call('removeBody', ref)),
  };
}
