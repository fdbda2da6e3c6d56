// script-executor: runs builders' scripts in a pool of QuickJS sandboxes. World-state's runs arrive as
// jobs (in-process queue, or RabbitMQ in the distributed wiring); outcomes go back on the bus. Run, the
// gRPC method, answers one run directly (tools, tests).
import { Counter, defineService } from '@loom/runtime';
import { scriptJobQueue, scriptOutcomeTopic, type ScriptJob, type ScriptOutcome } from '@loom/world';
import { CpuBudget } from './core/cpu-budget.ts';
import { SandboxPool } from './core/pool.ts';
import type { SandboxResult } from './core/view.ts';
import { fromRunRequest, toRunResult } from './core/proto.ts';

export const service = defineService({
  name: 'script-executor',
  dependsOn: [],
  async start({ queue, bus, kv, logger, config, metrics }) {
    const pool = new SandboxPool({ memoryBytes: config.scriptMemoryMb * 1024 * 1024 });
    await pool.ready();
    const budget = new CpuBudget(kv, { perSecondMs: config.scriptCpuPerOwnerMs, burstMs: config.scriptCpuBurstMs });
    const limits = { cpuMs: config.scriptCpuMs, maxEffects: config.scriptMaxEffects, maxOutputBytes: config.scriptMaxOutput };
    const runs = new Counter({
      registers: [metrics.registry],
      name: 'loom_script_runs_total',
      help: 'Script runs, by outcome: ok, or the error kind (timeout, memory, stack, effects, output, syntax, runtime, budget, internal).',
      labelNames: ['outcome'],
    });
    const consumer = await queue.consume(
      scriptJobQueue,
      async (job) => {
        const run = job.payload as ScriptJob;
        const result: SandboxResult = (await budget.allows(run.ownerId))
          ? await pool.run({ source: run.source, eventName: run.event, view: run.view, limits }, run.ownerId)
          : { effects: [], error: budget.refusal, errorKind: 'budget', cpuMs: 0 };
        if (result.cpuMs > 0) await budget.charge(run.ownerId, result.cpuMs);
        runs.inc({ outcome: result.errorKind ?? 'ok' });
        // Refusals are counted, not logged: an owner over budget would flood the log.
        if (result.errorKind && result.errorKind !== 'budget') {
          const fields = { objectId: run.objectId, ownerId: run.ownerId, event: run.event, version: run.version, kind: result.errorKind, error: result.error };
          if (result.errorKind === 'internal') logger.error(fields, 'the sandbox failed a run');
          else logger.info(fields, 'a script failed');
        }
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
          const input = fromRunRequest(request);
          // A caller may ask for less than the configured limits, never for more; 0 (unset) keeps them.
          const asked = input.limits ?? {};
          const capped = Object.fromEntries(
            Object.entries(limits).map(([key, most]) => {
              const value = asked[key as keyof typeof limits];
              return [key, typeof value === 'number' && value > 0 ? Math.min(value, most) : most];
            }),
          ) as typeof limits;
          const result = await pool.run({ ...input, limits: capped });
          runs.inc({ outcome: result.errorKind ?? 'ok' });
          return toRunResult(result);
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
