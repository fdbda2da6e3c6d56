// A real MUD client plays Loom: Debian's TinTin++ connects over telnet, agrees to GMCP, makes a
// character, walks north and receives GMCP Room.Info for the new room, by its own script.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { needTool } from '@loom/runtime/testing/tools.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

const ttpp = '/usr/games/tt++';
const script = fileURLToPath(new URL('./tintin/play.tin', import.meta.url));
const RUN_TIMEOUT_MS = 30000;


/** Escapes tt++ writes: CSI (colours, cursor, modes), OSC (the window title), two-byte (ESC =). */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]*[0-~])/g;

/** tt++'s screen output as plain lines: escapes and carriage returns removed. */
function plain(screen: string): string[] {
  return screen.replace(ESCAPES, '').replace(/\r/g, '').split('\n');
}

interface TintinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  lines: string[];
}

/**
 * Runs play.tin in tt++ and resolves when tt++ exits, or after RUN_TIMEOUT_MS with it killed.
 * -H ("nohup compatible mode") lets tt++ run on pipes: without it tt++ dies at start-up on
 * tcgetattr with no terminal. That makes a pseudo-terminal (script -qfc, tmux) unnecessary, and
 * with it its own escapes, window size and buffering. -G skips the greeting. The -e commands run
 * before the script file is read, so they hand it the port and the name.
 */
function playTintin(home: string, port: number, name: string): Promise<TintinRun> {
  const child = spawn(ttpp, ['-G', '-H', '-e', `#var port ${port}`, '-e', `#var name ${name}`, script], {
    cwd: home,
    env: { ...process.env, HOME: home, TERM: 'xterm' }, // tt++ keeps history in $HOME/.tintin
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, lines: plain(screen) });
    });
  });
}

const skip = needTool(ttpp, 'tintin++');

describe('TinTin++ plays Loom over telnet (all-in-one, embedded)', { skip }, () => {
  const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-tintin-')));
  const home = mkdtempSync(join(tmpdir(), 'loom-tintin-home-'));
  let loom: LoomProcess;
  let telnetPort: number;

  before(async () => {
    loom = runLoom(['start'], embeddedEnv(dataDir));
    telnetPort = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000)).telnet;
  });
  after(async () => {
    await loom?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('creates a character, walks north and gets GMCP Room.Info for Weavers\' Lane after the move', async () => {
    const name = `Tin${Date.now() % 1e8}${Math.floor(Math.random() * 100)}`; // 3-20 of [A-Za-z0-9_]
    const run = await playTintin(home, telnetPort, name);
    const { lines } = run;
    const transcript = `tt++ ${run.timedOut ? `timed out after ${RUN_TIMEOUT_MS} ms` : `exited ${run.code ?? run.signal}`}; it showed:\n${lines.join('\n')}`;
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));

    assert.equal(run.timedOut, false, transcript);
    assert.equal(run.code, 0, transcript);
    assert.ok(lines.some((line) => line.includes(`Welcome to Loom, ${name}!`)), transcript);
    const lane = at(/^Weavers' Lane( \(#\d+\))?$/); // a fresh world's first character is its admin, shown dbrefs
    assert.ok(lane >= 0 && /^A narrow lane where looms clatter/.test(lines[lane + 1] ?? ''), transcript);
    assert.ok(at(new RegExp(`Goodbye, ${name}\\.`)) > lane, transcript);

    // Room.Info as TinTin++'s own GMCP event saw it ("TT-GMCP <module> <json>", echoed by play.tin).
    const moved = at(/^TT-SENT north$/);
    assert.ok(moved >= 0, transcript);
    const rooms = lines.flatMap((line, index) => {
      const gmcp = /TT-GMCP (\S+) (\{.*\})$/.exec(line);
      return gmcp ? [{ index, module: gmcp[1], info: JSON.parse(gmcp[2]!) as { name: string; exits: Record<string, number> } }] : [];
    });
    assert.ok(rooms.length > 0, `TinTin++ got no GMCP Room.Info\n${transcript}`);
    assert.ok(rooms.every((room) => room.module === 'Room.Info'), transcript);
    const weavers = rooms.find((room) => room.info.name === "Weavers' Lane");
    assert.ok(weavers, `no Room.Info naming Weavers' Lane\n${transcript}`);
    assert.ok(lines[weavers.index]!.includes(`"name":"Weavers' Lane"`), transcript);
    assert.ok(weavers.index > moved, `Room.Info for Weavers' Lane came before the move\n${transcript}`);
    assert.deepEqual(Object.keys(weavers.info.exits).sort(), ['south', 'up']);
  });
});
