// world-state's operator metrics in Prometheus: the WorldMeter port, and who is online, read at scrape time.
import { Counter, Gauge, Histogram, type Metrics } from '@loom/runtime';
import type { WorldMeter } from './core/world-meter.ts';

const fast = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const slow = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Players online, counted when Prometheus scrapes. */
export function playersOnlineGauge(metrics: Metrics, playersByGateway: () => Map<string, number>): void {
  new Gauge({
    registers: [metrics.registry],
    name: 'loom_world_players_online',
    help: 'Players in the world, by the gateway kind they came through (telnet; websocket: /ws/text; udp: UDP and /ws/graphics).',
    labelNames: ['gateway'],
    collect() {
      this.reset();
      for (const [gateway, count] of playersByGateway()) this.set({ gateway }, count);
    },
  });
}

export function worldMeter(metrics: Metrics): WorldMeter {
  const registers = [metrics.registry];
  const tickSeconds = new Histogram({ registers, buckets: fast, name: 'loom_world_tick_seconds', help: 'Time one world tick takes (scripts effects, timers, 3D step).' });
  const overruns = new Counter({ registers, name: 'loom_world_tick_overruns_total', help: 'Ticks that took longer than their budget (1 / LOOM_TICK_HZ).' });
  const commands = new Counter({ registers, name: 'loom_world_commands_total', help: 'Typed lines run, by command (a fixed set of names).', labelNames: ['command'] });
  const commandSeconds = new Histogram({ registers, buckets: fast, name: 'loom_world_command_seconds', help: 'Time world-state takes to run one typed line.' });
  const saves = new Counter({ registers, name: 'loom_world_saves_total', help: 'Write-behind saves, by outcome.', labelNames: ['outcome'] });
  const saveSeconds = new Histogram({ registers, buckets: slow, name: 'loom_world_save_seconds', help: 'Time one write-behind save takes.' });
  const savedObjects = new Counter({ registers, name: 'loom_world_saved_objects_total', help: 'Objects written (changed or deleted) by saves that succeeded.' });
  return {
    tick(seconds, budgetSeconds) {
      tickSeconds.observe(seconds);
      if (seconds > budgetSeconds) overruns.inc();
    },
    command(command, seconds) {
      commands.inc({ command });
      commandSeconds.observe(seconds);
    },
    save(seconds, objects, outcome) {
      saves.inc({ outcome });
      saveSeconds.observe(seconds);
      if (outcome === 'ok') savedObjects.inc(objects);
    },
  };
}
