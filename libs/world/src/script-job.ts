// A script run as it travels on the job queue (world-state -> script-executor) and its outcome on the bus (back).

/** An object as a script sees it: a copy, never the world's own. */
export interface ObjView {
  id: number;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
  contents?: Array<{ id: number; name: string; kind: string }>;
}

export interface ScriptView {
  self: ObjView;
  actor?: ObjView;
  room?: ObjView;
  item?: ObjView;
  from?: ObjView;
  to?: ObjView;
  text?: string;
  channel?: string;
  /** What a call() passed (JSON), and the object that called. */
  args?: unknown;
  caller?: ObjView;
  /** Connected characters in self's room. */
  players?: ObjView[];
}

export interface ScriptJob {
  runId: string;
  objectId: number;
  ownerId: number;
  /** Who wrote the version that runs; its effects need both the owner's and the author's rights. */
  authorId: number;
  event: string;
  version: number;
  source: string;
  view: ScriptView;
  /** How many call()s deep this run is (0: started by the world). */
  depth?: number;
}

export interface ScriptEffect {
  kind: string;
  args: unknown[];
}

export interface ScriptOutcome {
  runId: string;
  effects: ScriptEffect[];
  error?: string;
  errorKind?: string;
  line?: number;
  column?: number;
}

/** Sends jobs to the sandbox; outcomes come back to the engine later, never blocking the tick. */
export interface ScriptRunner {
  submit(job: ScriptJob): Promise<void>;
}

export const scriptJobQueue = 'script.run';
export const scriptOutcomeTopic = 'script.outcome';
