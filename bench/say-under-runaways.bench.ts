// A say while scripts run away: the round trip of a third player's `say` in a real `loom start` (telnet,
// embedded storage), first with no scripts, then while every say starts a `while (true) {}` script on a
// thing in the room (stopped at its 50 ms limit on a worker thread). Medians and p95 over many says.
// Run: node --import tsx bench/say-under-runaways.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundPorts, embeddedEnv, runLoom } from '../apps/loom/test/processes.ts';
import { PlayerClient } from '../services/text-gateway/test/player-client.ts';

const SAYS = 41;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95) };
};

const dataDir = mkdtempSync(join(tmpdir(), 'loom-bench-say-'));
const loom = runLoom(['start'], embeddedEnv(dataDir, { LOOM_CHAT_FLOOD_LINES: '1000', LOOM_TEXT_FLOOD_LINES: '100000' }));
try {
  const ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 120_000));
  const ada = await PlayerClient.connect(ports.telnet);
  const cy = await PlayerClient.connect(ports.telnet);
  ada.send('create Ada ada-password-1'); // the first account: an admin
  await ada.waitFor(/Welcome to \w+, Ada!/);
  cy.send('create Cyd cyd-password-1');
  await cy.waitFor(/Welcome to \w+, Cyd!/);
  const roundTrips = async (label: string): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < SAYS; i++) {
      const started = performance.now();
      cy.send(`say ${label} ${i}`);
      await cy.waitFor(new RegExp(`You say, "${label} ${i}"`));
      times.push(performance.now() - started);
      process.stderr.write(`\r${label}: ${i + 1}/${SAYS} says`);
    }
    process.stderr.write('\n');
    return times;
  };
  await roundTrips('warm-up');
  const calm = stats(await roundTrips('calm'));
  ada.send('@create bomb');
  await ada.waitFor(/Created bomb/);
  ada.send('drop bomb');
  ada.send('@script bomb/on_say=while (true) {}');
  await ada.waitFor(/Saved on_say of bomb/);
  const storm = stats(await roundTrips('storm'));
  await ada.waitFor(/Script error in on_say of bomb/);
  ada.close();
  cy.close();
  console.log(`a third player's say round trip over telnet, ms: median / p95 of ${SAYS} says, node ${process.version}\n`);
  console.log('| | median | p95 |');
  console.log('|---|---|---|');
  console.log(`| no scripts | ${calm.median.toFixed(2)} | ${calm.p95.toFixed(2)} |`);
  console.log(`| every say starts a runaway (50 ms limit) | ${storm.median.toFixed(2)} | ${storm.p95.toFixed(2)} |`);
  console.log(`| ratio | ${(storm.median / calm.median).toFixed(2)}x | ${(storm.p95 / calm.p95).toFixed(2)}x |`);
} finally {
  await loom.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
