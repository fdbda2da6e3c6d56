// The browser's text client: /ws/text on the HTTP server, JSON frames over a real WebSocket, against
// the all-in-one wiring; telnet players share the same world.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { service as authService } from '@loom/auth-service';
import { service as chatService } from '@loom/chat-service';
import { service as httpApi } from '@loom/http-api';
import { service as persistence } from '@loom/persistence-service';
import { service as worldState } from '@loom/world-state';
import { startWiring, type Wiring } from '@loom/runtime/testing/wiring.ts';
import { service as textGateway } from '../src/index.ts';
import { BrowserPlayer, type ServerFrame } from './browser-player.ts';
import { PlayerClient } from './player-client.ts';

const modules = [persistence, authService, chatService, worldState, textGateway, httpApi];

const isError = (frame: ServerFrame): frame is { type: 'error'; text: string } => frame.type === 'error';

describe('the browser text client over /ws/text (all-in-one)', () => {
  let wiring: Wiring;
  let telnetPort: number;
  const clients: Array<{ close(): void }> = [];
  const browser = async () => {
    const client = await BrowserPlayer.open(wiring.httpBase);
    clients.push(client);
    await client.waitFor(/connect <name> <password>/);
    await client.waitForFrame('the first prompt', (f) => f.type === 'prompt');
    return client;
  };
  const register = async (username: string, password: string) => {
    const response = await fetch(`${wiring.httpBase}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await response.json()) as { accessToken: string; refreshToken: string };
    assert.equal(response.status, 201, JSON.stringify(body));
    return body;
  };

  before(async () => {
    wiring = await startWiring('all-in-one', modules);
    const telnet = wiring.hosts.get('loom')!.listening.find((l) => l.startsWith('telnet '))!;
    telnetPort = Number(telnet.slice(telnet.lastIndexOf(':') + 1));
  });
  after(async () => {
    for (const client of clients) client.close();
    await wiring?.stop();
  });

  it('a browser player creates a character by typing at the login screen, looks around and gets Room.Info', async () => {
    const wendy = await browser();
    wendy.line('create Wendy wendy-password');
    await wendy.waitFor(/Welcome to Loom, Wendy!/);
    const room = await wendy.waitForFrame('GMCP Room.Info', (f) => f.type === 'gmcp' && f.package === 'Room.Info');
    assert.equal((room as { data: { name: string } }).data.name, 'The Loom Square');
    await wendy.waitFor(/The Loom Square/);
    wendy.line('look');
    await wendy.waitFor(/The Loom Square/);
    await wendy.waitForFrame('a prompt after the look', (f) => f.type === 'prompt');
  });

  it('a browser player who types the password on its own line is told to hide it, then to show input again', async () => {
    const paula = await browser();
    paula.line('create Paula');
    await paula.waitForFrame('password mode on', (f) => f.type === 'password' && f.hidden);
    await paula.waitForFrame('the password prompt', (f) => f.type === 'prompt' && /Choose a password for Paula/.test(f.text));
    paula.line('paula-password');
    await paula.waitForFrame('the second password prompt', (f) => f.type === 'prompt' && /again/.test(f.text));
    paula.line('paula-password');
    await paula.waitForFrame('password mode off', (f) => f.type === 'password' && !f.hidden);
    await paula.waitFor(/Welcome to Loom, Paula!/);
  });

  it('a browser player who logged in through the REST API hands over its tokens and is welcomed', async () => {
    const tokens = await register('Tokia', 'tokia-password');
    const tokia = await browser();
    tokia.sendFrame({ type: 'login', accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
    await tokia.waitFor(/Welcome to Loom, Tokia!/);
    await tokia.waitForFrame('GMCP Room.Info', (f) => f.type === 'gmcp' && f.package === 'Room.Info');
    tokia.line('look');
    await tokia.waitFor(/The Loom Square/);
  });

  it('a telnet player and a browser player in the same room hear each other', async () => {
    const webby = await browser();
    webby.line('create Webby webby-password');
    await webby.waitFor(/Welcome to Loom, Webby!/);
    const telly = await PlayerClient.connect(telnetPort);
    clients.push(telly);
    await telly.waitFor(/connect <name> <password>/);
    telly.send('create Telly telly-password');
    await telly.waitFor(/Welcome to \w+, Telly!/);
    await webby.waitFor(/Telly has entered the world\./);
    webby.line('say hello from the browser');
    await webby.waitFor(/You say, "hello from the browser"/);
    await telly.waitFor(/Webby says, "hello from the browser"/);
    telly.send('say hello from telnet');
    await webby.waitFor(/Telly says, "hello from telnet"/);
  });

  it('a client that sends malformed frames gets an error for each and its session goes on', async () => {
    const messy = await browser();
    messy.sendRaw('look, not JSON');
    assert.match((await messy.waitForFrame('an error for text that is not JSON', isError)).text, /JSON/);
    messy.sendRaw(Buffer.from([0x00, 0xff, 0x10]), true);
    assert.match((await messy.waitForFrame('an error for a binary frame', isError)).text, /text frames/);
    messy.sendFrame({ type: 'shout', text: 'hello' });
    assert.match((await messy.waitForFrame('an error for an unknown type', isError)).text, /unknown frame/);
    messy.sendFrame({ type: 'line', text: 42 });
    await messy.waitForFrame('an error for a line without text', isError);
    // JSON, but not an object: each once threw out of the frame handler and took the whole server down.
    for (const notAnObject of ['null', '1', '"look"', '[1,2]', 'true']) {
      messy.sendRaw(notAnObject);
      assert.match((await messy.waitForFrame(`an error for ${notAnObject}`, isError)).text, /unknown frame/);
    }
    messy.line('create Messy messy-password');
    await messy.waitFor(/Welcome to Loom, Messy!/);
    messy.sendRaw('{"type":"line","text":');
    await messy.waitForFrame('an error for cut-off JSON while playing', isError);
    messy.line('look');
    await messy.waitFor(/The Loom Square/);
    assert.equal(messy.closed, false);
  });

  it('a browser that hands over a bad token is told clearly, and can still log in', async () => {
    const stale = await browser();
    stale.sendFrame({ type: 'login', accessToken: 'not-a-token', refreshToken: 'not-a-refresh-token' });
    await stale.waitFor(/That login did not work: invalid access token\. Log in again\./);
    await stale.waitForFrame('a prompt at the login screen', (f) => f.type === 'prompt');
    stale.line('create Stale stale-password');
    await stale.waitFor(/Welcome to Loom, Stale!/);
    stale.line('look');
    await stale.waitFor(/The Loom Square/);
  });
});
