// script-executor: runs builders' scripts in a pool of QuickJS sandboxes. World-state's runs arrive as
// jobs (in-process queue, or RabbitMQ in the distributed wiring); outcomes go back on the bus. Run, the
// gRPC method, answers one job directly (tools, tests), under the same limits and budget.
import { jobQueues, ScriptView, topics, type ScriptJob, type ScriptOutcome } from '@loom/proto';
import { Counter, defineService, untilAvailable } from '@loom/runtime';
import { CpuBudget } from './core/cpu-budget.ts';
import { SandboxPool } from './core/pool.ts';
import type { SandboxResult } from './core/view.ts';

/** How long a run waits for Redis before it is given up; world-state gives up on it at 30 s. */
const outcomeWaitMs = 20_000;

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
    /** Runs the job unless its owner's CPU budget is spent; the outcome is what world-state applies. */
    const run = async (job: ScriptJob): Promise<ScriptOutcome> => {
      // Nothing has run yet, so a kv that is briefly away is waited for.
      const allowed = await untilAvailable('the CPU budget store', () => budget.allows(job.ownerId), { logger, timeoutMs: outcomeWaitMs });
      const result: SandboxResult = allowed
        ? await pool.run({ source: job.source, eventName: job.event, view: job.view ?? ScriptView.create(), limits }, job.ownerId)
        : { effects: [], error: budget.refusal, errorKind: 'budget', cpuMs: 0 };
      // The run happened and its outcome must still reach the world: an uncharged run is the smaller loss.
      if (result.cpuMs > 0) await budget.charge(job.ownerId, result.cpuMs).catch((err: unknown) => logger.warn({ err, ownerId: job.ownerId }, 'could not charge a run to its owner\'s CPU budget'));
      runs.inc({ outcome: result.errorKind ?? 'ok' });
      // Refusals are counted, not logged: an owner over budget would flood the log.
      if (result.errorKind && result.errorKind !== 'budget') {
        const fields = { objectId: job.objectId, ownerId: job.ownerId, event: job.event, version: job.version, kind: result.errorKind, error: result.error };
        if (result.errorKind === 'internal') logger.error(fields, 'the sandbox failed a run');
        else logger.info(fields, 'a script failed');
      }
      const { effects, error = '', errorKind = '', line = 0, column = 0 } = result;
      return { runId: job.runId, effects, error, errorKind, line, column };
    };
    const consumer = await queue.consume(
      jobQueues.scriptRun,
      async (job) => {
        const outcome = await run(job.payload);
        // A script run again would act twice, so it is the publishing that is retried while the bus is away.
        await untilAvailable('the bus', () => bus.publish(topics.scriptOutcome, outcome), { logger, timeoutMs: outcomeWaitMs });
      },
      // A run is answered even when the script fails, and its outcome waits for the bus, so a job is tried once.
      { prefetch: 64, maxAttempts: 1 },
    );
    return {
      implementation: { run },
      listening: [`script sandbox: ${pool.size} worker threads`],
      async stop() {
        await consumer.stop();
        await pool.close();
      },
    };
  },
});
export { scriptingApiMarkdown } from './api-docs.ts';
