// A client that sends malformed WebSocket frames to /ws/text and /ws/graphics: `loom start` (a real process,
// its real log) closes each such socket with one short warn line and no stack, and a flood of them stays a
// bounded number of lines followed by a count of those left out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

interface LogLine {
  level: number;
  msg: string;
  path?: string;
  error?: string;
  stack?: unknown;
  err?: unknown;
  suppressed?: number;
}

/** Opens a WebSocket by hand and sends one frame with RSV1 set and no extension that allows it; resolves when the server hangs up. */
function sendMalformedFrame(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let upgraded = false;
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    );
    socket.on('data', (bytes) => {
      if (upgraded || !bytes.toString('latin1').startsWith('HTTP/1.1 101')) return;
      upgraded = true;
      socket.write(Buffer.from([0xc1, 0x80, 1, 2, 3, 4]));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (upgraded ? resolve() : reject(new Error(`${path} did not upgrade`))));
  });
}

describe('malformed WebSocket frames (all-in-one process)', () => {
  let dataDir: string;
  let loom: LoomProcess;
  let port: number;
  const logLines = () => loom.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
  const closings = () => logLines().filter((line) => line.msg === 'closed a WebSocket after a client error');

  before(async () => {
    dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-ws-errors-')));
    loom = runLoom(['start'], embeddedEnv(dataDir, { LOG_LEVEL: 'info' }));
    port = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000)).http;
  });
  after(async () => {
    await loom?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs one warn line without a stack per path, and a flood as a few lines and a count', async () => {
    for (const path of ['/ws/text', '/ws/graphics']) {
      await sendMalformedFrame(port, path);
      const line = await eventually(() => closings().find((l) => l.path === path), `a warn line for ${path}`);
      assert.equal(line.level, 40, JSON.stringify(line));
      assert.match(line.error ?? '', /RSV1 must be clear/);
      assert.equal(line.stack ?? line.err, undefined, JSON.stringify(line));
    }
    const flood = 60;
    for (let i = 0; i < flood; i++) await sendMalformedFrame(port, i % 2 ? '/ws/text' : '/ws/graphics');
    const sent = flood + 2;
    const summaries = () => logLines().filter((line) => line.suppressed !== undefined);
    // Every frame is either a line of its own or counted in a summary, which comes at the end of the limiter's window.
    await eventually(() => closings().length + summaries().reduce((sum, line) => sum + line.suppressed!, 0) === sent, 'every frame accounted for', () =>
      `${closings().length} lines, summaries ${JSON.stringify(summaries())}`,
    );
    assert.ok(closings().length <= 20, `${closings().length} lines for ${sent} bad frames`);
    assert.ok(summaries().every((line) => line.level === 40 && /left out \d+ similar warnings?/.test(line.msg)), JSON.stringify(summaries()));
    assert.equal(logLines().filter((line) => line.level >= 50).length, 0, 'no error lines');
  });
});
