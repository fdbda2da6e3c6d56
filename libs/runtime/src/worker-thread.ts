// Starting a worker thread from a module beside the caller, whether Loom runs from TypeScript (tsx) or
// from compiled JavaScript. Used by the script sandbox pool and the physics thread.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `name` is the module's file name without extension, in the folder of `callerUrl` (import.meta.url). */
export function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(url, options);
  // `execArgv: ['--import', 'tsx']` does not reach worker threads on Node 20 (the .ts entry fails with
  // "Unknown file extension"); registering tsx through its API from a tiny entry does.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`, { ...options, eval: true });
}
