// Script fairness across owners (issue 11, attack 7): how long an innocent builder's script takes
// while four other builders keep runaway scripts going. A real `loom start` (embedded storage, the
// script pool of os.availableParallelism() workers), all over telnet: Dora types `use bell` (her
// script: `emit('Ding!')`) and waits for "Ding!", one use at a time; each abuser keeps two kilns
// (`schedule(0); while (true) {}`, stopped at the 50 ms limit) busy with two uses in flight on each.
// Two worlds: the shipped CPU buckets (LOOM_SCRIPT_CPU_PER_OWNER / _BURST at their defaults), and
// buckets too big to matter, which leaves the fair queue alone against the runaways. The runs-per-owner
// limit is lifted in both, so only the CPU defences are measured.
// Run: npm run bench -- script-fairness
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { makeBuilder } from '../apps/loom/test/object-code-story.ts';
import { boundPorts, embeddedEnv, runLoom } from '../apps/loom/test/processes.ts';
import { PlayerClient } from '../services/text-gateway/test/player-client.ts';

const USES = 200;
const ABUSERS = ['Mallory', 'Mordred', 'Morgana', 'Moriarty'];
const IN_FLIGHT_PER_KILN = 2;
const admin = { name: 'Ada', password: 'ada-password-1' };

interface Stats {
  p50: number;
  p90: number;
  p99: number;
}
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
};

function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label.padEnd(44)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

async function login(telnet: number, name: string, verb = 'connect'): Promise<PlayerClient> {
  const client = await PlayerClient.connect(telnet);
  client.send(`${verb} ${name} ${name.toLowerCase()}-password-1`);
  await client.waitFor(new RegExp(`Welcome to \\w+, ${name}!`));
  return client;
}

async function ring(dora: PlayerClient, label: string, uses: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < uses; i++) {
    const started = performance.now();
    dora.send('use bell');
    await dora.waitFor(/Ding!/);
    times.push(performance.now() - started);
    progress(label, i + 1, uses);
  }
  return times;
}

/** An abuser's kilns kept busy: every answered use is followed by another, until stopped. */
function burn(client: PlayerClient, kilns: string[]): { stop: () => Promise<void> } {
  let stopping = false;
  let sent = 0;
  const use = () => client.send(`use ${kilns[sent++ % kilns.length]}`);
  for (let i = 0; i < kilns.length * IN_FLIGHT_PER_KILN; i++) use();
  const loop = (async () => {
    for (let answered = 0; answered < sent; answered++) {
      await client.waitFor(/Nothing happens\./, 120_000);
      if (!stopping) use();
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
    },
  };
}

/** One world: a calm round, then a round with the four abusers burning. */
async function world(label: string, extraEnv: NodeJS.ProcessEnv): Promise<{ calm: Stats; abused: Stats }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loom-bench-fairness-'));
  const env = { LOOM_TEXT_FLOOD_LINES: '100000', LOOM_SCRIPT_RUNS_PER_OWNER: '10000', ...extraEnv };
  const loom = runLoom(['start'], embeddedEnv(dataDir, env));
  try {
    const ports = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 120_000));
    (await login(ports.telnet, admin.name, 'create')).close(); // the first account: an admin
    for (const name of ['Dora', ...ABUSERS]) await makeBuilder(ports.http, admin, { name, password: `${name.toLowerCase()}-password-1` });
    const dora = await login(ports.telnet, 'Dora');
    const bad = await Promise.all(ABUSERS.map((name) => login(ports.telnet, name)));
    dora.sendAtOnce(['@create bell', "@script bell/on_use=emit('Ding!')"]);
    await dora.waitFor(/Saved on_use of bell/);
    const kilns = bad.map((_, i) => [`kiln${i}a`, `kiln${i}b`]);
    for (const [i, client] of bad.entries()) {
      for (const kiln of kilns[i]!) {
        client.send(`@create ${kiln}`);
        client.send(`@script ${kiln}/on_use=schedule(0); while (true) {}`);
        await client.waitFor(new RegExp(`Saved on_use of ${kiln}`));
      }
    }
    await ring(dora, `${label}: warm-up`, 40);
    const calm = stats(await ring(dora, `${label}: no abusers`, USES));
    const burning = bad.map((client, i) => burn(client, kilns[i]!));
    // Past the burst: with buckets on, measured once every abuser was told their bucket is empty.
    // (Read from their whole text: a waitFor would consume the answers their burn loops count.)
    if (extraEnv.LOOM_SCRIPT_CPU_BURST === undefined) await eventually(() => bad.every((c) => /used their CPU budget/.test(c.text)), 'every abuser told their CPU budget ran out', () => '', 120_000);
    else await ring(dora, `${label}: 4 abusers, settling`, 40);
    const abused = stats(await ring(dora, `${label}: 4 abusers`, USES));
    await Promise.all(burning.map((b) => b.stop()));
    for (const client of [dora, ...bad]) client.close();
    return { calm, abused };
  } finally {
    await loom.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const loadBefore = loadavg()[0]!;
const buckets = await world('CPU buckets on', {});
const noBuckets = await world('CPU buckets off', { LOOM_SCRIPT_CPU_PER_OWNER: '100000', LOOM_SCRIPT_CPU_BURST: '3600000' });
const ms = (x: number) => x.toFixed(1);
const line = (what: string, s: Stats) => `| ${what} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} |`;
const ratio = (what: string, a: Stats, b: Stats) => `| ${what} | ${(b.p50 / a.p50).toFixed(2)}× | ${(b.p90 / a.p90).toFixed(2)}× | ${(b.p99 / a.p99).toFixed(2)}× |`;
console.log(`an innocent builder's \`use bell\` round trip over telnet, ms, ${USES} uses per row, node ${process.version}, load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after\n`);
console.log('| | p50 | p90 | p99 |');
console.log('|---|---|---|---|');
console.log(line('CPU buckets on (defaults): no abusers', buckets.calm));
console.log(line('CPU buckets on: 4 abusers, past their burst', buckets.abused));
console.log(ratio('ratio', buckets.calm, buckets.abused));
console.log(line('CPU buckets off: no abusers', noBuckets.calm));
console.log(line('CPU buckets off: 4 abusers (the fair queue alone)', noBuckets.abused));
console.log(ratio('ratio', noBuckets.calm, noBuckets.abused));
