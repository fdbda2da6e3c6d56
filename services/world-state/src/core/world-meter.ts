// What an operator reads of the world (ticks, commands, saves, who is online), as a port: the engine
// reports, the service decides where it goes (Prometheus), tests and benches need not care.

export interface WorldMeter {
  /** One tick took `seconds` of a budget of `budgetSeconds` (1 / tick rate). */
  tick(seconds: number, budgetSeconds: number): void;
  /** A typed line ran as `command` (a name from a fixed set: see Interpreter.run). */
  command(command: string, seconds: number): void;
  /** A save of `objects` changed objects ended in `outcome`. */
  save(seconds: number, objects: number, outcome: 'ok' | 'failed'): void;
}

export const unmetered: WorldMeter = { tick() {}, command() {}, save() {} };
