// script-executor: runs builders' scripts in a pool of QuickJS sandboxes. World-state's runs arrive as
// jobs (in-process queue, or RabbitMQ in the distributed wiring); outcomes go back on the bus. Run, the
// gRPC method, answers one run directly (tools, tests).
import { defineService } from '@loom/runtime';
import { scriptJobQueue, scriptOutcomeTopic, type ScriptJob, type ScriptOutcome } from '@loom/world';
import { SandboxPool } from './core/pool.ts';
import { fromRunRequest, toRunResult } from './core/proto.ts';
import type { EventView } from './core/view.ts';

export const service = defineService({
  name: 'script-executor',
  dependsOn: [],
  async start({ queue, bus, logger }) {
    const pool = new SandboxPool();
    await pool.ready();
    const consumer = await queue.consume(
      scriptJobQueue,
      async (job) => {
        const run = job.payload as ScriptJob;
        const result = await pool.run({ source: run.source, eventName: run.event, view: run.view as EventView });
        if (result.errorKind === 'internal') logger.error({ objectId: run.objectId, event: run.event, error: result.error }, 'the sandbox failed a run');
        const outcome: ScriptOutcome = { runId: run.runId, effects: result.effects, error: result.error, errorKind: result.errorKind, line: result.line, column: result.column };
        await bus.publish(scriptOutcomeTopic, outcome);
      },
      // A run is answered even when the script fails; only a lost outcome is worth a retry, and a
      // retried script would act twice, so a job is tried once.
      { prefetch: 64, maxAttempts: 1 },
    );
    return {
      implementation: {
        async run(request) {
          return toRunResult(await pool.run(fromRunRequest(request)));
        },
      },
      listening: [`script sandbox: ${pool.size} worker threads`],
      async stop() {
        await consumer.stop();
        await pool.close();
      },
    };
  },
});
export { scriptingApiMarkdown } from './api-docs.ts';
