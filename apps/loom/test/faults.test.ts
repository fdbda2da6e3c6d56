// The distributed wiring through a real network cut: every service reaches RabbitMQ and Redis through a proxy
// that drops its connections and refuses new ones, then lets them through again (the shared servers stay up).
// While a dependency is away /ready says so and calls answer at once with a clear error; when it is back the
// clients have reconnected by themselves and the work held meanwhile is done, once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Gateway, type WorldEvent } from '@loom/proto';
import { service as assets } from '@loom/asset-service';
import { service as auth } from '@loom/auth-service';
import { service as chat } from '@loom/chat-service';
import { service as httpApi } from '@loom/http-api';
import { service as persistence } from '@loom/persistence-service';
import { service as physics } from '@loom/physics-service';
import { defineService, type ServiceClient } from '@loom/runtime';
import { startOutageProxy, type OutageProxy } from '@loom/runtime/testing/outage-proxy.ts';
import { eventually } from '@loom/runtime/testing/patience.ts';
import { needServer, testServerUrls } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring } from '@loom/runtime/testing/wiring.ts';
import { service as scriptExecutor } from '@loom/script-executor';
import { service as worldState } from '@loom/world-state';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const skip = servers.find((s) => s.skip)?.skip ?? false;

describe('RabbitMQ and Redis cut off and back (distributed)', { skip }, () => {
  let rabbit: OutageProxy;
  let redis: OutageProxy;
  let wiring: Wiring;
  let world: ServiceClient<'world-state'>;
  let accounts: ServiceClient<'auth-service'>;
  const events: WorldEvent[] = [];
  let sessionId: string;
  const abort = new AbortController();
  // Stands in for a gateway: a caller that gets its clients from the directory.
  const gateway = defineService({
    name: 'graphics-gateway',
    dependsOn: ['world-state', 'auth-service'],
    async start({ directory }) {
      world = directory.connect('world-state');
      accounts = directory.connect('auth-service');
      return { stop: async () => {} };
    },
  });

  const readyStatus = async (service: string) => (await fetch(`http://127.0.0.1:${wiring.hosts.get(service)!.httpPort}/ready`)).status;
  const untilReady = (service: string, status: number) => eventually(async () => (await readyStatus(service)) === status, `/ready ${status} from ${service}`);
  const say = (text: string) => world.submitIntent({ sessionId, command: `say ${text}`, accessToken: '' });
  const parrotLines = (text: string) => events.filter((e) => e.text?.markup.includes(`Polly repeats: ${text}`)).length;
  const login = (password: string) =>
    fetch(`${wiring.httpBase}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'Warden', password }) });

  before(async () => {
    [rabbit, redis] = await Promise.all([startOutageProxy(testServerUrls.rabbitmq), startOutageProxy(testServerUrls.redis)]);
    // A roomy CPU limit: on a busy machine a cold sandbox's first run can pass 50 ms, and limits are not what this tests.
    const env = { LOOM_SCRIPT_CPU_MS: '2000' };
    wiring = await startWiring('distributed', [persistence, auth, chat, scriptExecutor, physics, worldState, assets, gateway, httpApi], env, { redis: redis.url, rabbitmq: rabbit.url });
    // The first account is the world's admin, so it may script: a parrot that repeats what it hears.
    const { accessToken } = await accounts.register({ username: 'Warden', password: 'warden-password', email: '' });
    sessionId = randomUUID();
    const stream = world.openSession({ sessionId, gateway: Gateway.GATEWAY_TELNET, accessToken, clientAddress: '127.0.0.1' }, { signal: abort.signal });
    void (async () => {
      try {
        for await (const event of stream) events.push(event);
      } catch {
        // the test ends the stream
      }
    })();
    await eventually(() => events.length > 0, 'the session open');
    for (const command of ['@create Polly', 'drop Polly', "@script Polly/on_say=emitRoom('Polly repeats: ' + event.text);"]) {
      await world.submitIntent({ sessionId, command, accessToken: '' });
    }
    await eventually(() => events.some((e) => /Saved on_say of Polly/.test(e.text?.markup ?? '')), 'the parrot scripted');
    await say('hello');
    await eventually(() => parrotLines('hello') > 0, 'the parrot before any outage', () => events.slice(-8).map((e) => JSON.stringify(e).slice(0, 100)).join(' | '));
  });
  after(async () => {
    abort.abort();
    await wiring?.stop();
    await Promise.all([rabbit?.close(), redis?.close()]);
  });

  it('script runs started while RabbitMQ is cut off run once, after it is back; /ready says 503 meanwhile', async () => {
    rabbit.cut();
    await untilReady('world-state', 503);
    await untilReady('script-executor', 503);
    await say('during the outage');
    rabbit.heal();
    await untilReady('world-state', 200);
    await untilReady('script-executor', 200);
    const recent = () => events.slice(-8).map((e) => JSON.stringify(e).slice(0, 100)).join(' | ');
    await eventually(() => parrotLines('during the outage') > 0, 'the run held through the outage', recent);
    // A later run is a fence: once it is answered, a duplicate of the held run would have been too.
    await say('after the outage');
    await eventually(() => parrotLines('after the outage') > 0, 'a run after the outage');
    assert.equal(parrotLines('during the outage'), 1);
  });

  it('a login while Redis is cut off answers 503 with a stable code; /ready says 503; both recover, and the bus carries outcomes again', async () => {
    redis.cut();
    await untilReady('auth-service', 503);
    const refused = await login('warden-password');
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(refused.status, 503, JSON.stringify(body));
    assert.equal(body.error.code, 'UNAVAILABLE');
    assert.match(body.error.message, /redis/);
    redis.heal();
    await untilReady('auth-service', 200);
    await untilReady('world-state', 200);
    const welcomed = await login('warden-password');
    assert.equal(welcomed.status, 200, await welcomed.text());
    // Script outcomes come back to world-state over the Redis bus: its subscription was made again by itself.
    await say('after redis');
    await eventually(() => parrotLines('after redis') > 0, 'a script outcome over the healed bus');
  });
});
