import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configTable, ConfigError, loadConfig } from '../src/config.ts';

describe('configuration from the environment', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    assert.equal(config.httpPort, 8080);
    assert.equal(config.telnetPort, 4000);
    assert.equal(config.udpPort, 5000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.addresses['auth-service'], '127.0.0.1:50052');
    assert.ok(config.dataDir.endsWith('/data'));
  });

  it('reads servers and addresses', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/loom', REDIS_URL: 'redis://cache:6379', AUTH_SERVICE_ADDR: 'auth:7000', LOOM_TICK_HZ: '30' });
    assert.equal(config.databaseUrl, 'postgres://db/loom');
    assert.equal(config.addresses['auth-service'], 'auth:7000');
    assert.equal(config.tickHz, 30);
  });

  it('names the bad variable and what it expected', () => {
    assert.throws(() => loadConfig({ LOOM_HTTP_PORT: 'eighty' }), (e) => e instanceof ConfigError && e.variable === 'LOOM_HTTP_PORT' && /whole number from 0 to 65535, got "eighty"/.test(e.message));
    assert.throws(() => loadConfig({ REDIS_URL: 'http://x' }), (e) => e instanceof ConfigError && e.variable === 'REDIS_URL');
    assert.throws(() => loadConfig({ AUTH_SERVICE_ADDR: 'nowhere' }), (e) => e instanceof ConfigError && e.variable === 'AUTH_SERVICE_ADDR');
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of/);
  });

  it('documents every variable it reads', () => {
    const names = configTable().map((r) => r.name);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'LOOM_HTTP_PORT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'PERSISTENCE_SERVICE_ADDR']) assert.ok(names.includes(name), name);
    assert.ok(configTable().every((r) => r.description.length > 10));
  });
});
