import { jobQueues, topics } from '@loom/proto';
import { defineService, type ServiceClient } from '@loom/runtime';
import type { ChatPort } from './core/game.ts';
import { WorldEngine } from './core/engine.ts';
import { physicsPort } from './ports/physics.ts';
import { scriptsPort } from './ports/scripts.ts';
import { playersOnlineGauge, worldMeter } from './world-metrics.ts';

export { WorldEngine } from './core/engine.ts';
export { commandsMarkdown } from './core/commands/interpreter.ts';
export * from '@loom/world';

/** Channel talk goes through chat-service (moderation, history); lines come back over the bus. */
function chatPort(chat: ServiceClient<'chat-service'>): ChatPort {
  return {
    async post(channel, sender, text) {
      return (await chat.post({ channel, senderId: sender.id, senderName: sender.name, text })).text;
    },
    async join(channel, player, lines) {
      return (await chat.join({ channel, userId: player.id, historyLines: lines })).lines;
    },
    async history(channel, limit) {
      return (await chat.history({ channel, limit, beforeId: 0 })).lines;
    },
    async moderate(channel, targetId, action, durationS, byId) {
      return (await chat.moderate({ channel, targetId, action, durationS, byId })).message;
    },
    async lock(channel, kind, key, byId) {
      await chat.lock({ channel, kind, key, byId, setAtMs: 0 });
    },
    async unlock(channel, kind) {
      return (await chat.unlock({ channel, kind })).removed;
    },
    async locks(channels) {
      return (await chat.locks({ channels })).locks;
    },
  };
}

export const service = defineService({
  name: 'world-state',
  dependsOn: ['persistence-service', 'auth-service', 'chat-service', 'physics-service'],
  async start({ config, directory, bus, queue, logger, metrics }) {
    const auth = directory.connect('auth-service');
    const persistence = directory.connect('persistence-service');
    const engine = new WorldEngine({
      meter: worldMeter(metrics),
      persistence,
      scripts: scriptsPort(persistence),
      // Runs go through the job queue to script-executor (its worker pool): the tick never waits on a script.
      scriptRunner: { submit: async (job) => void (await queue.enqueue(jobQueues.scriptRun, job)) },
      runsPerOwnerPerSecond: config.scriptRunsPerOwner,
      physics: physicsPort(directory.connect('physics-service')),
      auth,
      chat: chatPort(directory.connect('chat-service')),
      account: {
        async changePassword(accessToken, currentPassword, newPassword) {
          await auth.changePassword({ accessToken, currentPassword, newPassword });
        },
      },
      logger,
      worldName: config.worldName,
      objectQuota: config.objectQuota,
      filteredWords: config.chatWordFilter.split(','),
      tickHz: config.tickHz,
      sessionGraceMs: config.sessionGraceS * 1000,
      saveIntervalMs: config.saveIntervalMs,
      requestShutdown: (reason) => {
        logger.warn({ reason }, 'shutdown requested in-world');
        // The host's signal handler stops every service gracefully (and saves the world).
        setTimeout(() => process.kill(process.pid, 'SIGTERM'), 200);
      },
    });
    playersOnlineGauge(metrics, () => engine.playersByGateway());
    // Before the world starts: a timer due at load fires on the first tick, and an outcome published
    // before anyone subscribed would be lost (pub/sub keeps nothing), leaving its run to the 30 s give-up.
    const outcomes = await bus.subscribe(topics.scriptOutcome, (outcome) => engine.scriptOutcome(outcome));
    await engine.start();
    const subscriptions = [outcomes, await bus.subscribe(topics.chatLine, (line) => engine.deliverChat(line))];
    return {
      implementation: engine,
      drain: async () => engine.drain(),
      async stop() {
        for (const subscription of subscriptions) await subscription.unsubscribe();
        await engine.stop();
      },
    };
  },
});
