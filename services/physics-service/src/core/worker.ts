// The physics thread: owns every region's Rapier world and answers one operation at a time, in the
// order they were sent (so a SetRegion sent before a Step is in place when that step runs).
import { parentPort } from 'node:worker_threads';
import { PhysicsEngine, type OpName } from './engine.ts';
import { PhysicsError } from './errors.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
const engine = await PhysicsEngine.create();

port.on('message', ({ id, op, arg }: { id: number; op: OpName; arg: never }) => {
  try {
    port.postMessage({ id, result: engine[op](arg) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ id, error: { code: error instanceof PhysicsError ? error.code : 'INTERNAL', message } });
    // A Rapier panic leaves its WASM memory in an unknown state: end this thread, the owner starts a
    // fresh one (and Step's missing_regions tells world-state to send its regions again).
    if (error instanceof WebAssembly.RuntimeError) process.exit(1);
  }
});
port.postMessage({ ready: true });
